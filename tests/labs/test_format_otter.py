"""Otter-Grader v1 master notebooks import into the same spec as native labs."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from labs.format import is_otter_notebook, parse_otter
from labs.format.otter import read_test, resolve_points, transform_solution
from labs.spec import LabFormatError, SealedCheck

FIXTURE = Path(__file__).parent / "fixtures" / "otter_v1" / "stats_warmup.ipynb"
OUTPUT_CHECK = SealedCheck(name="output", compare="output", expected_from_reference=True)


def question(*cells, config: str = "name: q1") -> list:
    return [
        new_raw_cell(f"# BEGIN QUESTION\n{config}"),
        new_raw_cell("# BEGIN SOLUTION"),
        *cells,
        new_raw_cell("# END SOLUTION"),
        new_raw_cell("# BEGIN TESTS"),
        new_code_cell("x"),
        new_raw_cell("# END TESTS"),
        new_raw_cell("# END QUESTION"),
    ]


def master(*cells) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_raw_cell("# ASSIGNMENT CONFIG\nname: lab"), *cells])


def errors_of(nb: nbformat.NotebookNode) -> list[str]:
    with pytest.raises(LabFormatError) as caught:
        parse_otter(nb)
    return [str(error) for error in caught.value.errors]


def release_of(code: str) -> str:
    _, release, problems = transform_solution(code.split("\n"))
    assert problems == []
    return "\n".join(release)


def source_of(code: str) -> str:
    source, _, problems = transform_solution(code.split("\n"))
    assert problems == []
    return "\n".join(source)


@pytest.fixture
def spec():
    return parse_otter(nbformat.read(FIXTURE, as_version=4))


# The fixture master notebook


def test_master_notebook_imports(spec):
    roles = [(cell.index, cell.role, cell.grade_id) for cell in spec.cells]
    assert roles == [
        (1, "plain", None),
        (2, "plain", None),
        (3, "plain", None),
        (5, "plain", None),
        (7, "answer", "q1"),
        (10, "test", "q1-test-1"),
        (11, "test", "q1-test-2"),
        (15, "plain", None),
        (17, "answer", "q2"),
        (18, "answer", "q2-2"),
        (21, "test", "q2-test-1"),
        (22, "test", "q2-test-2"),
        (26, "plain", None),
        (28, "manual", "q3"),
    ]
    assert spec.source_format == "otter"


def test_slug_and_title_come_from_the_assignment(spec):
    assert spec.settings.slug == "stats-warmup"
    assert spec.settings.title == "Statistics warm-up"


def test_points_from_a_list_from_each_and_for_a_manual_question(spec):
    points = {cell.grade_id: cell.points for cell in spec.cells if cell.graded}
    assert points == {
        "q1-test-1": 1.0,
        "q1-test-2": 2.0,
        "q2-test-1": 2.0,
        "q2-test-2": 2.0,
        "q3": 2.0,
    }
    assert spec.max_score == 9


def test_tests_are_named_after_their_question(spec):
    cell = spec.cell_by_grade_id("q2-test-1")
    assert cell.title == "q2 test 1"
    assert cell.source == "round(zscore(9, data), 3)"


def test_hidden_by_first_line_comment(spec):
    cell = spec.cell_by_grade_id("q1-test-2")
    assert cell.hidden
    assert cell.source == "middle == (sorted(data)[3] + sorted(data)[4]) / 2"
    assert "sorted(data)" not in cell.release_source


def test_hidden_by_test_config_which_leaves_the_source(spec):
    cell = spec.cell_by_grade_id("q2-test-2")
    assert cell.hidden
    assert cell.success_message == "Every value has its z-score."
    assert cell.failure_message == "Compute one z-score for each value of data."
    assert "TEST CONFIG" not in cell.source
    assert cell.source.startswith("assert len(scores) == len(data)")


def test_output_tests_get_an_output_check_and_assert_tests_none(spec):
    assert spec.cell_by_grade_id("q1-test-1").sealed == (OUTPUT_CHECK,)
    assert spec.cell_by_grade_id("q1-test-2").sealed == (OUTPUT_CHECK,)
    assert spec.cell_by_grade_id("q2-test-2").sealed == ()


def test_solution_cells_of_the_fixture(spec):
    assert spec.cell_by_grade_id("q1").release_source == "middle = ..."
    assert spec.cell_by_grade_id("q1").source == "middle = statistics.median(data)"
    zscore = spec.cell_by_grade_id("q2")
    assert zscore.release_source.endswith('of values."""\n    ...')
    assert "pstdev" in zscore.source and "pstdev" not in zscore.release_source
    scores = spec.cell_by_grade_id("q2-2")
    assert scores.release_source == "scores = ..."
    assert scores.source == "scores = [zscore(x, data) for x in data]"


def test_manual_written_answer(spec):
    cell = spec.cell_by_grade_id("q3")
    assert cell.cell_type == "markdown"
    assert cell.release_source == "_Type your answer here, replacing this text._"
    assert "middle of the sorted values" in cell.source


def test_block_cells_never_reach_the_spec(spec):
    for cell in spec.cells:
        assert "BEGIN" not in cell.source and "END QUESTION" not in cell.source
        assert "```otter" not in cell.source


# Solution syntax


@pytest.mark.parametrize(
    "code, release",
    [
        ("total = sum(values) # SOLUTION", "total = ..."),
        ("    return x * 2  # SOLUTION", "    ..."),
        ("low, high = min(v), max(v) # SOLUTION", "low, high = ..."),
        ("counts['a'] = 1 # SOLUTION", "counts['a'] = ..."),
        ("ratio: float = 0.5 # SOLUTION", "ratio: float = ..."),
        ("print(x == 1) # SOLUTION", "..."),
    ],
)
def test_solution_lines_become_ellipses(code, release):
    assert release_of(code) == release


def test_solution_block_becomes_an_ellipsis_at_its_indentation():
    code = "def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n    # END SOLUTION"
    assert release_of(code) == "def f(x):\n    ..."
    assert source_of(code) == "def f(x):\n    y = x + 1\n    return y"


def test_no_prompt_lines_and_blocks_vanish_from_the_release():
    code = (
        "def f(x):\n"
        "    y = x * x # SOLUTION NO PROMPT\n"
        "    # BEGIN SOLUTION NO PROMPT\n"
        "    z = y + 1\n"
        "    # END SOLUTION\n"
        '    """ # BEGIN PROMPT\n'
        "    z = ...\n"
        '    """; # END PROMPT\n'
        "    return z # SOLUTION"
    )
    assert release_of(code) == "def f(x):\n    z = ...\n    ..."
    assert source_of(code) == "def f(x):\n    y = x * x\n    z = y + 1\n    return z"


def test_seed_lines_stay_in_the_source_only():
    code = "import random\nrandom.seed(42) # SEED\npick = random.choice([1, 2]) # SOLUTION"
    assert release_of(code) == "import random\npick = ..."
    assert source_of(code) == "import random\nrandom.seed(42) # SEED\npick = random.choice([1, 2])"


def test_ignored_lines_vanish_from_both_versions():
    nb = master(
        *question(
            new_code_cell(
                "x = 1 # SOLUTION\nprint('debug') # IGNORE\n# BEGIN IGNORE\nx += 0\n# END IGNORE"
            )
        ),
        new_code_cell("## Ignore ##\nprint('scratch')"),
    )
    spec = parse_otter(nb)
    cell = spec.cell_by_grade_id("q1")
    assert (cell.source, cell.release_source) == ("x = 1", "x = ...")
    assert all("scratch" not in c.source for c in spec.cells)


def test_several_solution_cells_get_numbered_grade_ids():
    spec = parse_otter(master(*question(new_code_cell("a = 1 # SOLUTION"), new_code_cell("b = 2"))))
    assert [c.grade_id for c in spec.cells if c.role == "answer"] == ["q1", "q1-2"]


def test_manual_question_shares_its_points_among_its_answers():
    nb = master(
        new_raw_cell("# BEGIN QUESTION\nname: plot\nmanual: true\npoints: 3"),
        new_raw_cell("# BEGIN SOLUTION"),
        new_code_cell("width = 4 # SOLUTION"),
        new_markdown_cell("Wider bins hide the two modes."),
        new_raw_cell("# END SOLUTION"),
        new_raw_cell("# END QUESTION"),
    )
    spec = parse_otter(nb)
    code, text = spec.cell_by_grade_id("plot"), spec.cell_by_grade_id("plot-2")
    assert (code.role, code.points, code.release_source) == ("manual", 1.5, "width = ...")
    assert (text.role, text.points, text.cell_type) == ("manual", 1.5, "markdown")
    assert spec.max_score == 3


def test_fenced_assignment_config_marks_an_otter_notebook():
    nb = new_notebook(cells=[new_markdown_cell("```otter\n# ASSIGNMENT CONFIG\nname: x\n```")])
    assert is_otter_notebook(nb)
    assert not is_otter_notebook(new_notebook(cells=[new_markdown_cell("# BEGIN QUESTION")]))


# Tests and points


def test_hidden_comment_is_case_insensitive_and_removed():
    test, problems, ignored = read_test("# Hidden test\nx == 1")
    assert (test.hidden, test.code, problems, ignored) == (True, "x == 1", [], [])


def test_test_config_sets_points_and_is_removed():
    test, problems, ignored = read_test(
        '""" # BEGIN TEST CONFIG\npoints: 3\nname: q1a\n""" # END TEST CONFIG\nx'
    )
    assert (test.points, test.hidden, test.code, problems) == (3.0, False, "x", [])
    assert ignored == ["name"]  # Otter ignores keys it does not use; the import report says so


@pytest.mark.parametrize(
    "points, explicit, expected",
    [
        (6, [None, None, None], [2.0, 2.0, 2.0]),
        (6, [2, 2, None, None], [2.0, 2.0, 1.0, 1.0]),
        (None, [None, None], [0.5, 0.5]),
        (None, [3, None], [3.0, 0.0]),
        ([1, 2], [None, 5], [1.0, 2.0]),  # Otter: a list wins over a case's own points
        ({"each": 2}, [None, None, None], [2.0, 2.0, 2.0]),
    ],
)
def test_points_resolution_follows_otter(points, explicit, expected):
    assert resolve_points(points, explicit) == (expected, None)


def test_assert_tests_have_no_output_check():
    nb = master(*question(new_code_cell("x = 1 # SOLUTION")))
    nb.cells[-3].source = "assert x == 1"
    assert parse_otter(nb).cell_by_grade_id("q1-test-1").sealed == ()


def test_question_markers_may_be_fenced_in_markdown():
    nb = master(*question(new_code_cell("x = 1 # SOLUTION")))
    nb.cells[1] = new_markdown_cell("Some text.\n\n```otter\n# BEGIN QUESTION\nname: fenced\n```")
    spec = parse_otter(nb)
    assert spec.cell_by_grade_id("fenced-test-1") is not None
    assert spec.cells[0].source == "Some text."


def test_settings_argument_wins():
    nb = master(*question(new_code_cell("x = 1 # SOLUTION")))
    spec = parse_otter(nb, settings={"slug": "chosen", "title": "Chosen"})
    assert (spec.settings.slug, spec.settings.title) == ("chosen", "Chosen")


# Invalid master notebooks: errors name the cell


def test_question_without_name():
    nb = master(*question(new_code_cell("x = 1 # SOLUTION"), config="points: 1"))
    assert "cell 1: question has no name (set `name:` in # BEGIN QUESTION)" in errors_of(nb)


def test_duplicate_question_name():
    nb = master(*question(new_code_cell("x = 1")), *question(new_code_cell("y = 1")))
    assert "cell 9 (q1): duplicate question name 'q1'" in errors_of(nb)


def test_unclosed_solution_block():
    nb = master(
        new_raw_cell("# BEGIN QUESTION\nname: q1"),
        new_raw_cell("# BEGIN SOLUTION"),
        new_code_cell("x = 1"),
        new_raw_cell("# END QUESTION"),
    )
    assert errors_of(nb)[0] == "cell 2: # BEGIN SOLUTION has no # END SOLUTION"


def test_end_question_without_begin():
    nb = master(*question(new_code_cell("x = 1")), new_raw_cell("# END QUESTION"))
    assert "cell 9: # END QUESTION without # BEGIN QUESTION" in errors_of(nb)


def test_question_left_open():
    nb = master(*question(new_code_cell("x = 1"))[:-1])
    assert "cell 1: question 'q1' has no # END QUESTION" in errors_of(nb)


def test_unbalanced_solution_markers_in_code():
    nb = master(*question(new_code_cell("def f():\n    # BEGIN SOLUTION\n    return 1")))
    assert "cell 3 (q1): # BEGIN SOLUTION on line 2 has no # END SOLUTION" in errors_of(nb)


def test_test_cells_outside_a_question():
    nb = master(
        *question(new_code_cell("x = 1")),
        new_raw_cell("# BEGIN TESTS"),
        new_code_cell("x"),
        new_raw_cell("# END TESTS"),
    )
    errors = errors_of(nb)
    assert errors == ["cell 9: test cells outside a question: add # BEGIN QUESTION before them"]


def test_bad_yaml_gives_the_yaml_error():
    nb = master(*question(new_code_cell("x = 1"), config="name: [q1"))
    [first, *_] = errors_of(nb)
    assert first.startswith("cell 1: invalid YAML in block cell: while parsing a flow sequence")


def test_bad_test_config_yaml():
    nb = master(*question(new_code_cell("x = 1")))
    nb.cells[-3].source = '""" # BEGIN TEST CONFIG\npoints: [1\n""" # END TEST CONFIG\nx'
    [error] = errors_of(nb)
    assert error.startswith("cell 6 (q1-test-1): invalid YAML in the test config:")


def test_points_list_must_match_the_test_cases():
    nb = master(*question(new_code_cell("x = 1"), config="name: q1\npoints: [1, 2]"))
    assert errors_of(nb) == [
        "cell 1 (q1): question 'q1': points lists 2 values but the question has 1 test cases"
    ]


def test_unclosed_fence():
    nb = master(new_markdown_cell("```otter\n# BEGIN QUESTION\nname: q1"))
    assert "cell 1: a ```otter block is not closed" in errors_of(nb)
