"""The learner's notebook: nothing secret in it, valid, and its answers map back by grade_id."""

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from labs.format import build_release, learner_answers, load_lab, parse_nbgrader
from labs.spec import LabSpec

FIXTURES = Path(__file__).parent / "fixtures"
HIDDEN_PLACEHOLDER = "# Hidden test: runs when you submit."

# Text that only the instructor's version holds: solutions, hidden tests, mark schemes.
NBGRADER_SECRETS = [
    "statistics.stdev(values)",
    'raise ValueError("need at least two values")',
    "mean_and_stdev([1])",
    "one value must raise ValueError",
    "Bessel",
    "One point for the median",
    "statistics.median(sample)",
    "BEGIN",
    "END SOLUTION",
    "checksum",
]
OTTER_SECRETS = [
    "statistics.median(data)",
    "statistics.pstdev(values)",
    "zscore(x, data) for x in data",
    "sorted(data)[3]",
    "math.isclose(sum(scores)",
    "Every value has its z-score",
    "middle of the sorted values",
    "# SOLUTION",
    "BEGIN",
    "TEST CONFIG",
]


@pytest.fixture
def nbgrader_spec() -> LabSpec:
    return load_lab(FIXTURES / "nbgrader_reference")


@pytest.fixture
def otter_spec() -> LabSpec:
    return load_lab(FIXTURES / "otter_v1")


def release_json(spec: LabSpec) -> str:
    return json.dumps(build_release(spec))


def cells_by_grade_id(nb: nbformat.NotebookNode) -> dict:
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in nb.cells
        if "nbgrader" in cell.metadata
    }


@pytest.mark.parametrize(
    "spec_name, secrets",
    [("nbgrader_spec", NBGRADER_SECRETS), ("otter_spec", OTTER_SECRETS)],
)
def test_release_holds_no_solution_or_hidden_test(request, spec_name, secrets):
    text = release_json(request.getfixturevalue(spec_name))
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize("spec_name", ["nbgrader_spec", "otter_spec"])
def test_release_is_a_valid_notebook_with_outputs_cleared(request, spec_name):
    spec = request.getfixturevalue(spec_name)
    nb = build_release(spec)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    assert [cell.cell_type for cell in nb.cells] == [cell.cell_type for cell in spec.cells]
    # It survives a write and a read, as the download does.
    assert nbformat.reads(nbformat.writes(nb), as_version=4) == nb


def test_release_is_the_same_every_time(nbgrader_spec):
    assert release_json(nbgrader_spec) == release_json(nbgrader_spec)


def test_notebook_metadata_names_the_lab_version(nbgrader_spec):
    metadata = build_release(nbgrader_spec).metadata
    assert metadata["cultivate"] == {
        "lab": "descriptive-stats",
        "version": nbgrader_spec.content_hash()[:12],
    }
    assert metadata["kernelspec"]["name"] == "python3"
    assert set(metadata) == {"cultivate", "kernelspec", "language_info"}


def test_solution_is_stubbed_at_its_indentation(nbgrader_spec):
    cell = cells_by_grade_id(build_release(nbgrader_spec))["mean_and_stdev"]
    assert cell.source.splitlines()[-2:] == [
        "    # YOUR CODE HERE",
        "    raise NotImplementedError()",
    ]
    assert cell.metadata["nbgrader"]["solution"] is True


def test_markdown_answer_and_visible_tests(nbgrader_spec):
    cells = cells_by_grade_id(build_release(nbgrader_spec))
    assert cells["explain_bessel"].source == "YOUR ANSWER HERE"
    test = cells["test_mean_and_stdev"]
    assert "assert mean == 5" in test.source
    assert test.metadata["nbgrader"]["locked"] is True


def test_hidden_otter_tests_are_replaced(otter_spec):
    cells = cells_by_grade_id(build_release(otter_spec))
    for grade_id in ("q1-test-2", "q2-test-2"):
        assert cells[grade_id].source == HIDDEN_PLACEHOLDER
        assert cells[grade_id].metadata["nbgrader"]["locked"] is True
    assert cells["q1-test-1"].source == "middle"


def test_otter_cells_carry_synthesized_nbgrader_metadata(otter_spec):
    cells = cells_by_grade_id(build_release(otter_spec))
    assert cells["q1"].metadata["nbgrader"] == {
        "grade": False,
        "grade_id": "q1",
        "locked": False,
        "schema_version": 3,
        "solution": True,
    }
    assert cells["q1-test-1"].metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "q1-test-1",
        "locked": True,
        "points": 1.0,
        "schema_version": 3,
        "solution": False,
    }
    assert cells["q3"].metadata["nbgrader"]["grade"] is True
    assert cells["q3"].metadata["nbgrader"]["solution"] is True
    assert cells["q3"].source == "_Type your answer here, replacing this text._"


def test_sealed_expected_values_never_reach_the_release():
    sealed = {
        "secret": {"compare": "exact", "expected": "s3cr3t-expected"},
        "mean": {"compare": "tolerance", "expected": 271.828, "abs_tol": 0.001},
    }
    answer = new_code_cell(
        "x = 1", metadata={"nbgrader": {"grade_id": "a", "solution": True, "schema_version": 3}}
    )
    test = new_code_cell(
        "seal('mean', x)",
        metadata={
            "nbgrader": {"grade_id": "t", "grade": True, "points": 1, "schema_version": 3},
            "cultivate": {"sealed": sealed},
        },
    )
    nb = new_notebook(cells=[answer, test], metadata={"cultivate": {"slug": "checks-lab"}})
    spec = parse_nbgrader(nb)
    assert spec.cell_by_grade_id("t").sealed[0].expected == "s3cr3t-expected"
    text = release_json(spec)
    for secret in ("s3cr3t-expected", "271.828", "sealed", "tolerance", "abs_tol"):
        assert secret not in text


@pytest.mark.parametrize("spec_name", ["nbgrader_spec", "otter_spec"])
def test_learner_answers_round_trip(request, spec_name):
    spec = request.getfixturevalue(spec_name)
    nb = copy.deepcopy(build_release(spec))
    answer_ids = [cell.grade_id for cell in spec.cells if cell.role in ("answer", "manual")]
    for grade_id, cell in cells_by_grade_id(nb).items():
        cell.source = f"answer for {grade_id}"
    # What a learner may add or change elsewhere is ignored.
    nb.cells.append(new_code_cell("extra = 1"))
    answers = learner_answers(json.loads(nbformat.writes(nb)))
    assert sorted(answers) == sorted(answer_ids)
    assert all(answers[g]["source"] == f"answer for {g}" for g in answer_ids)
    assert {answers[g]["cell_type"] for g in answer_ids} <= {"code", "markdown"}


def test_learner_answers_keep_the_first_copy_and_skip_odd_cells(nbgrader_spec):
    nb = build_release(nbgrader_spec)
    duplicate = copy.deepcopy(cells_by_grade_id(nb)["mean_and_stdev"])
    duplicate.source = "the second copy"
    nb.cells.append(duplicate)
    nb.cells.append({"cell_type": "code", "metadata": {"nbgrader": "not a mapping"}})
    nb.cells.append({"cell_type": "code", "metadata": {"nbgrader": {"solution": True}}})
    answers = learner_answers(nb)
    assert answers["mean_and_stdev"]["source"] != "the second copy"
    assert set(answers) == {"mean_and_stdev", "explain_bessel", "median_of_sample"}


def _run(sources: list[str]) -> dict:
    namespace: dict = {}
    for source in sources:
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (our own fixture code)
    return namespace


def test_reference_passes_its_tests_and_the_release_fails_them(nbgrader_spec):
    code = [cell.source for cell in nbgrader_spec.cells if cell.cell_type == "code"]
    _run(code)  # the whole reference notebook, hidden tests included, runs without an error
    answer = nbgrader_spec.cell_by_grade_id("mean_and_stdev")
    test = nbgrader_spec.cell_by_grade_id("test_mean_and_stdev")
    with pytest.raises(NotImplementedError):
        _run([answer.release_source, test.source])
