"""Native labs: nbgrader v3 notebooks import unchanged; invalid ones name the cell at fault."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from labs.format import parse_nbgrader
from labs.spec import LabFormatError, SealedCheck

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "nbgrader_reference" / "descriptive_stats.ipynb"


def nbgrader(grade_id: str = "", **flags) -> dict:
    meta = {"grade": False, "solution": False, "locked": False, "schema_version": 3}
    meta.update(flags)
    if grade_id:
        meta["grade_id"] = grade_id
    return {"nbgrader": meta}


def answer(source: str, grade_id: str = "answer") -> nbformat.NotebookNode:
    return new_code_cell(source, metadata=nbgrader(grade_id, solution=True))


def grade_cell(
    source: str, grade_id: str = "test", points: float = 1, *, cultivate: dict | None = None, **meta
) -> nbformat.NotebookNode:
    metadata = nbgrader(grade_id, grade=True, points=points, **meta)
    if cultivate is not None:
        metadata["cultivate"] = cultivate
    return new_code_cell(source, metadata=metadata)


def notebook(*cells, settings: dict | None = None) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells))
    nb.metadata["cultivate"] = {"slug": "lab"} if settings is None else settings
    return nb


def errors_of(nb: nbformat.NotebookNode, **kwargs) -> list[str]:
    with pytest.raises(LabFormatError) as caught:
        parse_nbgrader(nb, **kwargs)
    return [str(error) for error in caught.value.errors]


@pytest.fixture
def reference():
    nb = nbformat.read(REFERENCE, as_version=4)
    return parse_nbgrader(nb, settings={"slug": "descriptive-stats"})


# The reference notebook, written as nbgrader writes them


def test_reference_notebook_imports_unchanged(reference):
    roles = [(cell.index, cell.role, cell.grade_id) for cell in reference.cells]
    assert roles == [
        (0, "locked", "intro"),
        (1, "plain", None),
        (2, "answer", "mean_and_stdev"),
        (3, "plain", None),
        (4, "test", "test_mean_and_stdev"),
        (5, "plain", None),
        (6, "manual", "explain_bessel"),
        (7, "task", "cell-8f3a2c1d9e4b7a60"),
        (8, "answer", "median_of_sample"),
    ]
    assert reference.max_score == 5  # test 2 + written answer 1 + task 2
    assert reference.auto_max_score == 2
    assert reference.source_format == "native"
    assert reference.notebook_metadata["kernelspec"]["name"] == "python3"


def test_solution_region_is_stubbed_at_the_begin_lines_indentation(reference):
    cell = reference.cell_by_grade_id("mean_and_stdev")
    assert cell.release_source.endswith(
        '    """Return the mean and the sample standard deviation of values."""\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()"
    )
    assert "statistics.stdev" not in cell.release_source
    assert cell.release_source.startswith("import statistics\n")


def test_answer_source_is_the_reference_solution_without_markers(reference):
    source = reference.cell_by_grade_id("mean_and_stdev").source
    assert "    return statistics.mean(values), statistics.stdev(values)" in source
    assert "BEGIN SOLUTION" not in source and "END SOLUTION" not in source


def test_solution_cell_without_markers_is_replaced_entirely(reference):
    cell = reference.cell_by_grade_id("median_of_sample")
    assert cell.release_source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert cell.source == "sample = [2, 4, 4, 4, 5, 5, 7, 9]\nmedian = statistics.median(sample)"


def test_markdown_answer_becomes_a_prompt(reference):
    cell = reference.cell_by_grade_id("explain_bessel")
    assert cell.release_source == "YOUR ANSWER HERE"
    assert "Bessel" in cell.source
    assert cell.points == 1


def test_hidden_tests_stay_in_the_source_only(reference):
    cell = reference.cell_by_grade_id("test_mean_and_stdev")
    assert cell.has_hidden_part
    assert "mean_and_stdev([1])" in cell.source
    assert "mean_and_stdev([1])" not in cell.release_source
    assert "assert mean == 5" in cell.release_source
    assert "HIDDEN TESTS" not in cell.source + cell.release_source
    assert not cell.hidden


def test_mark_scheme_is_removed_from_the_task_release(reference):
    cell = reference.cell_by_grade_id("cell-8f3a2c1d9e4b7a60")
    assert "One point for the median" in cell.source
    assert "One point for the median" not in cell.release_source
    assert "MARK SCHEME" not in cell.source + cell.release_source
    assert cell.points == 2


def test_release_metadata_drops_the_checksum_and_locks_tests(reference):
    test_cell = reference.cell_by_grade_id("test_mean_and_stdev")
    assert "checksum" not in test_cell.metadata
    assert test_cell.metadata["locked"] is True
    assert test_cell.metadata["points"] == 2
    answer_cell = reference.cell_by_grade_id("mean_and_stdev")
    assert answer_cell.metadata == {
        "grade": False,
        "grade_id": "mean_and_stdev",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
        "cell_type": "code",
    }
    assert reference.cells[1].metadata == {}


def test_title_defaults_to_the_first_heading(reference):
    assert reference.settings.title == "Descriptive statistics"


# Sealed checks


def test_sealed_checks_are_read_and_kept_out_of_the_release_metadata():
    sealed = {
        "mean": {"compare": "tolerance", "expected": 3.14159, "abs_tol": 1e-6},
        "order": {"compare": "sequence"},
        "size": {"compare": "range", "low": 1, "high": 10},
    }
    nb = notebook(
        answer("x = 3.14159"),
        grade_cell("seal('mean', x)", cultivate={"sealed": sealed}),
    )
    cell = parse_nbgrader(nb).cell_by_grade_id("test")
    assert cell.sealed == (
        SealedCheck(name="mean", compare="tolerance", expected=3.14159, abs_tol=1e-6),
        SealedCheck(name="order", compare="sequence", expected_from_reference=True),
        SealedCheck(name="size", compare="range", low=1.0, high=10.0),
    )
    assert "cultivate" not in cell.metadata and "3.14159" not in str(cell.metadata)


# Settings


def test_settings_argument_wins_over_notebook_metadata():
    nb = notebook(
        new_markdown_cell("# A heading"),
        answer("x = 1"),
        grade_cell("assert x == 1"),
        settings={"slug": "from-notebook", "cell_timeout": 5, "skills": ["python"]},
    )
    spec = parse_nbgrader(nb, settings={"slug": "from-file", "passing_score": 50})
    assert spec.settings.slug == "from-file"
    assert spec.settings.cell_timeout == 5
    assert spec.settings.skills == ("python",)
    assert spec.settings.passing_score == 50.0
    assert spec.settings.title == "A heading"


def test_title_falls_back_to_the_slug():
    spec = parse_nbgrader(notebook(answer("x = 1"), grade_cell("assert x == 1")))
    assert spec.settings.title == "lab"


def test_plain_nbgrader_format_reads_settings_only_from_the_argument():
    nb = notebook(answer("x = 1"), grade_cell("assert x == 1"), settings={"slug": "ignored"})
    spec = parse_nbgrader(nb, settings={"slug": "given"}, source_format="nbgrader")
    assert spec.settings.slug == "given"
    assert spec.source_format == "nbgrader"
    [error] = errors_of(nb, source_format="nbgrader")
    assert "slug is required" in error


# Invalid notebooks: every error names the cell (index and grade_id)

INVALID_CASES = {
    "duplicate grade_id": (
        [answer("x = 1", "same"), grade_cell("assert x", "same")],
        "cell 1 (same): duplicate grade_id, already used by cell 0",
    ),
    "empty grade_id": (
        [answer("x = 1", ""), grade_cell("assert x")],
        "cell 0: grade_id is missing or empty",
    ),
    "missing grade_id on a locked cell": (
        [new_code_cell("import math", metadata=nbgrader(locked=True)), grade_cell("assert x")],
        "cell 0: grade_id is missing or empty",
    ),
    "bad grade_id": (
        [answer("x = 1", "my answer"), grade_cell("assert x")],
        "cell 0 (my answer): grade_id 'my answer' may only use",
    ),
    "graded cell without points": (
        [answer("x = 1"), new_code_cell("assert x", metadata=nbgrader("test", grade=True))],
        "cell 1 (test): graded cell without points",
    ),
    "negative points": (
        [answer("x = 1"), grade_cell("assert x", points=-1)],
        "cell 1 (test): points must be a number >= 0",
    ),
    "missing schema_version": (
        [answer("x = 1"), grade_cell("assert x", schema_version=None)],
        "cell 1 (test): nbgrader metadata has no schema_version",
    ),
    "solution markers in a test cell": (
        [answer("x = 1"), grade_cell("### BEGIN SOLUTION\nassert x\n### END SOLUTION")],
        "cell 1 (test): BEGIN SOLUTION / END SOLUTION markers belong only in solution cells",
    ),
    "hidden-test markers in an answer cell": (
        [answer("### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"), grade_cell("assert x")],
        "cell 0 (answer): BEGIN HIDDEN TESTS / END HIDDEN TESTS markers belong only in grade",
    ),
    "mark scheme outside a task": (
        [answer("x = 1"), grade_cell("assert x\n# BEGIN MARK SCHEME\n# END MARK SCHEME")],
        "cell 1 (test): BEGIN MARK SCHEME / END MARK SCHEME markers belong only in task cells",
    ),
    "BEGIN SOLUTION without END": (
        [answer("def f():\n    ### BEGIN SOLUTION\n    return 1"), grade_cell("assert f()")],
        "cell 0 (answer): BEGIN SOLUTION on line 2 has no END SOLUTION",
    ),
    "END HIDDEN TESTS without BEGIN": (
        [answer("x = 1"), grade_cell("assert x\n### END HIDDEN TESTS")],
        "cell 1 (test): END HIDDEN TESTS on line 2 has no BEGIN HIDDEN TESTS before it",
    ),
    "nested BEGIN SOLUTION": (
        [
            answer("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"),
            grade_cell("assert x"),
        ],
        "cell 0 (answer): BEGIN SOLUTION on line 2 is nested",
    ),
    "markdown solution without grade": (
        [new_markdown_cell("Answer", metadata=nbgrader("essay", solution=True)), grade_cell("1")],
        "cell 0 (essay): a markdown answer must be graded by hand",
    ),
    "sealed checks on an answer cell": (
        [
            new_code_cell(
                "x = 1",
                metadata={
                    **nbgrader("answer", solution=True),
                    "cultivate": {"sealed": {"x": {"compare": "exact"}}},
                },
            ),
            grade_cell("assert x"),
        ],
        "cell 0 (answer): sealed checks belong only in test cells",
    ),
    "unknown sealed compare": (
        [
            answer("x = 1"),
            grade_cell("seal('x', x)", cultivate={"sealed": {"x": {"compare": "fuzzy"}}}),
        ],
        "cell 1 (test): sealed check 'x': unknown compare 'fuzzy'",
    ),
}


@pytest.mark.parametrize("cells, message", INVALID_CASES.values(), ids=INVALID_CASES.keys())
def test_invalid_cell_is_named(cells, message):
    errors = errors_of(notebook(*cells))
    assert any(error.startswith(message) for error in errors), errors


@pytest.mark.parametrize("version", [4, "3", 2.5])
def test_unknown_schema_versions_are_refused_with_the_reason(version):
    errors = errors_of(notebook(answer("x = 1"), grade_cell("assert x", schema_version=version)))
    assert errors == [
        f"cell 1 (test): nbgrader metadata has schema_version {version!r}; Cultivate reads "
        "nbgrader's schema versions 0 to 3 (whole numbers; versions before 3 are upgraded as "
        "`nbgrader update` does), and nbgrader 0.9 writes version 3"
    ]


def v1_cell(source: str, **meta) -> dict:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 1, **meta}
    return cell


@pytest.mark.parametrize("version", [0, 1, 2])
def test_older_schema_versions_are_upgraded_as_nbgrader_update_does(version):
    meta = {} if version == 0 else {"schema_version": version}
    cells = [
        v1_cell("x = 1", solution=True, grade_id="answer", checksum="ab" * 16),
        v1_cell("assert x == 1", grade=True, grade_id="test", points="2"),
        v1_cell("import math", grade_id="plain", points=4),  # no flag: a plain cell
        v1_cell("assert x", grade=True, grade_id="no_points"),
    ]
    for cell in cells:
        cell.metadata["nbgrader"].pop("schema_version")
        cell.metadata["nbgrader"].update(meta)
    spec = parse_nbgrader(notebook(*cells))

    assert [(c.role, c.grade_id, c.points) for c in spec.cells] == [
        ("answer", "answer", 0.0),
        ("test", "test", 2.0),
        ("plain", None, 0.0),
        ("test", "no_points", 0.0),
    ]
    # A checksum without cell_type gets the cell's own type; the checksum itself is dropped.
    assert spec.cells[0].metadata["cell_type"] == "code"
    assert spec.cells[0].metadata["schema_version"] == 3
    upgraded = [n for n in spec.notes if "upgraded to 3" in n.message]
    assert [n.index for n in upgraded] == [0, 1, 3]


def test_keys_an_older_schema_does_not_define_are_dropped_with_a_note():
    cell = v1_cell("x = 1", solution=True, grade_id="answer", task=False, **{"cell_type": "x"})
    spec = parse_nbgrader(notebook(cell, grade_cell("assert x == 1")))
    assert spec.cells[0].role == "answer"
    [note] = [n for n in spec.notes if n.kind == "ignored"]
    assert (note.index, note.message) == (
        0,
        "keys that schema version 1 does not define: cell_type, task",
    )


INVALID_SETTINGS = {
    "missing slug": ({}, "slug is required"),
    "bad slug": ({"slug": "Not A Slug"}, "slug 'Not A Slug' must be lower-case"),
    "zero cell timeout": ({"slug": "lab", "cell_timeout": 0}, "cell_timeout must be a positive"),
    "negative total timeout": ({"slug": "lab", "total_timeout": -5}, "total_timeout must be"),
    "non-positive memory": ({"slug": "lab", "memory_mb": 0}, "memory_mb must be a positive"),
    "passing score over 100": ({"slug": "lab", "passing_score": 150}, "passing_score must be"),
    "unknown review policy": ({"slug": "lab", "review_policy": "sometimes"}, "review_policy"),
    "unknown key": ({"slug": "lab", "colour": "blue"}, "unknown setting 'colour'"),
}


@pytest.mark.parametrize("lab_settings, message", INVALID_SETTINGS.values(), ids=INVALID_SETTINGS)
def test_invalid_settings_are_reported(lab_settings, message):
    errors = errors_of(notebook(answer("x = 1"), grade_cell("assert x"), settings=lab_settings))
    assert any(error.startswith(f"notebook: settings: {message}") for error in errors), errors


def test_a_lab_without_graded_cells_is_refused():
    errors = errors_of(notebook(answer("x = 1"), new_code_cell("print(x)")))
    assert errors == ["notebook: the lab has no graded cells (tests, graded answers or tasks)"]


def test_every_error_is_reported_at_once():
    nb = notebook(
        answer("x = 1", "dup"),
        answer("y = 2", "dup"),
        grade_cell("assert x", points=-2),
        settings={"slug": "BAD"},
    )
    errors = errors_of(nb)
    assert len(errors) == 3
    assert errors[0].startswith("cell 2 (test): points must be")
    assert errors[1].startswith("cell 1 (dup): duplicate grade_id")
    assert errors[2].startswith("notebook: settings: slug 'BAD'")
