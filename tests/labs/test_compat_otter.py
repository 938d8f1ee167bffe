"""Otter-Grader v1 master notebooks, one per feature, import unchanged and grade per question
exactly as Otter 7 grades them; a blank release scores zero and the reference full marks.

The fixtures (tests/labs/fixtures/otter_compat/<feature>/<feature>.ipynb) were written for this
test and executed once with Jupyter (Otter's OK-format tests take their expected output from the
master notebook's stored outputs). The expected scores are Otter's own, obtained by running
otter-grader 7.0.0 on each fixture:

    python3 -m venv var/compat-h6/otter
    var/compat-h6/otter/bin/pip install "otter-grader>=7,<8" ipykernel
    cd var/compat-h6/otter-runs/<feature>
    otter assign <fixture>.ipynb dist
    # a submission: dist/student/<feature>.ipynb with the answer cells (the cells holding the
    # learner's `...`) replaced by the code in SUBMISSIONS below ("blank": unchanged;
    # "reference": the master's solution code)
    otter run -a dist/autograder/<feature>-autograder_*.zip -o out-<label> <label>.ipynb

and reading each question's `score` from out-<label>/results.json. Otter does not score a
manual question (prompt_only's q1): Cultivate keeps it as a hand-graded answer, 0 automatic.

seed_variable (Otter's `seed: {variable, autograder_value, student_value}`) went through the same
commands with otter-grader 7.0.0. `otter assign` wrote `rng_seed = 713` (the student value) into
dist/student/seed_variable.ipynb and `"seed": 42, "seed_variable": "rng_seed"` into the
autograder's otter_config.json; `otter run` then scored q1 (3 points) and q2 (2 points):
blank 0 and 0, reference 3 and 2, student_value 2 and 1 (its draws use 713, so each hidden case
fails), reseeded 2 and 2 (q1's cell sets 713 after Otter's `rng_seed = 42` line, so its hidden
case fails; q2's cell starts with `rng_seed = 42` again and passes).
"""

from pathlib import Path

import pytest

from labs.format import build_release, load_lab
from labs.judge import build_run
from labs.services import grading_run
from tests.labs.conftest import validated

FIXTURES = Path(__file__).parent / "fixtures" / "otter_compat"

# feature → submission → answers by question (the answer cell's grade_id is the question's name)
SUBMISSIONS = {
    "all_or_nothing": {"partial": {"q1": "x = 3", "q2": "y = 3"}},
    "seed": {"unseeded": {"q1": "sample = np.random.normal(size=3)"}},
    "seed_variable": {
        # the value the learner's copy sets, written into the answers: not the grader's
        "student_value": {
            "q1": "rng = np.random.default_rng(713)\nrolls = rng.integers(1, 7, size=5)",
            "q2": "noise = np.random.default_rng(713).normal()",
        },
        # the seed variable changed in one answer: Otter sets it again before the next cell
        "reseeded": {
            "q1": "rng_seed = 713\nrng = np.random.default_rng(rng_seed)\n"
            "rolls = rng.integers(1, 7, size=5)",
            "q2": "noise = np.random.default_rng(rng_seed).normal()",
        },
    },
    "ignore_call": {"partial": {"q1": "def double(n):\n    return n + 3"}},
    "unknown_keys": {"partial": {"q1": "total = 54"}},
    "prompt_only": {},
    "ok_hidden": {"partial": {"q1": "def square(n):\n    return n * abs(n)"}},
    "exception_format": {
        "partial": {
            "q1": "def mean(values):\n"
            "    return sum(values) / len(values) if len(values) > 2 else 0"
        }
    },
}
# Otter 7's score of each question, per submission (see the module docstring).
OTTER_SCORES = {
    "all_or_nothing": {
        "blank": {"q1": 0, "q2": 0},
        "reference": {"q1": 2, "q2": 2},
        "partial": {"q1": 0, "q2": 1},  # q1 is all or nothing
    },
    "seed": {"blank": {"q1": 0}, "reference": {"q1": 1}, "unseeded": {"q1": 1}},
    "seed_variable": {
        "blank": {"q1": 0, "q2": 0},
        "reference": {"q1": 3, "q2": 2},
        "student_value": {"q1": 2, "q2": 1},
        "reseeded": {"q1": 2, "q2": 2},
    },
    "ignore_call": {"blank": {"q1": 0}, "reference": {"q1": 2}, "partial": {"q1": 1}},
    "unknown_keys": {"blank": {"q1": 0}, "reference": {"q1": 3}, "partial": {"q1": 1}},
    "prompt_only": {"blank": {"q2": 0}, "reference": {"q2": 1}},
    "ok_hidden": {"blank": {"q1": 0}, "reference": {"q1": 6}, "partial": {"q1": 4}},
    "exception_format": {"blank": {"q1": 0}, "reference": {"q1": 3}, "partial": {"q1": 1}},
}
CASES = [(feature, label) for feature, by_label in OTTER_SCORES.items() for label in by_label]


def question_scores(spec, answers: dict[str, str]) -> dict[str, float]:
    cells = {q: {"cell_type": "code", "source": code} for q, code in answers.items()}
    graded = grading_run(spec=spec, answers=cells)
    assert not graded.grade.flags
    tests = {cell.grade_id: cell.question for cell in spec.tests}
    scores: dict[str, float] = {}
    for result in graded.grade.results:
        question = tests[result.id]
        scores[question] = scores.get(question, 0.0) + result.points
    return scores


@pytest.mark.parametrize("feature", sorted(OTTER_SCORES))
def test_the_master_notebook_imports_unchanged_blank_zero_reference_full(feature):
    spec, report = validated(FIXTURES / feature)  # asserts the validation passed
    assert report["reference_scores"] == [spec.auto_max_score] * 3
    assert report["release_score"] == 0


@pytest.mark.parametrize("feature, label", CASES)
def test_each_question_scores_what_otter_gives_it(feature, label):
    spec, _ = validated(FIXTURES / feature)
    if label == "reference":
        answers = {c.grade_id: c.source for c in spec.cells if c.role == "answer"}
    else:
        answers = SUBMISSIONS[feature].get(label, {})
    assert question_scores(spec, answers) == pytest.approx(OTTER_SCORES[feature][label])


def test_import_report_names_what_was_ignored_and_what_differs():
    notes = [str(n) for n in load_lab(FIXTURES / "unknown_keys").notes]
    assert any("test config key 'name' (Otter ignores it)" in n for n in notes), notes
    assert any("test config key 'description' (Otter ignores it)" in n for n in notes), notes
    assert any("assignment config 'generate'" not in n for n in notes)
    exception_notes = [str(n) for n in load_lab(FIXTURES / "exception_format").notes]
    assert any(
        ": differs: a test function runs in the notebook's namespace" in n for n in exception_notes
    )


def test_seed_comes_from_the_assignment_config_and_the_seed_line_stays_out_of_the_release():
    spec = load_lab(FIXTURES / "seed")
    assert (spec.seed, spec.seed_variable) == (42, "")
    answer = spec.cell_by_grade_id("q1")
    assert "np.random.seed(42)" in answer.source
    assert answer.release_source == "sample = ..."


def test_seed_variable_the_release_gets_the_student_value_grading_the_autograder_value():
    spec = load_lab(FIXTURES / "seed_variable")
    assert (spec.seed, spec.seed_variable) == (42, "rng_seed")
    release = [cell.source for cell in build_release(spec).cells]
    assert "rng_seed = 713" in release  # the learner's copy, as `otter assign` writes it
    assert not [source for source in release if "rng_seed = 42" in source]
    plan = build_run(spec, {})
    # Grading sets the autograder value before every cell, as Otter does: each answer finds
    # `rng_seed = 42` run just before it, whatever an earlier cell set.
    seeds = {cell.code for cell in plan.cells if cell.role == "seed"}
    assert seeds == {"rng_seed = 42"}
    before_answers = [
        plan.cells[i - 1].code for i, cell in enumerate(plan.cells) if cell.role == "answer"
    ]
    assert before_answers == ["rng_seed = 42", "rng_seed = 42"]
    notes = [str(note) for note in spec.notes]
    assert "cell 0: translated: seed: rng_seed is set to 42 before every cell when grading" in notes
    assert (
        "cell 4: translated: the learner's copy sets `rng_seed = 713` (Otter's student value)"
        in notes
    )


def test_ignored_call_is_not_needed_otter_calls_the_test_function():
    spec = load_lab(FIXTURES / "ignore_call")
    test = spec.cell_by_grade_id("q1-test-1")
    assert "# IGNORE" not in test.source
    assert test.source.endswith("test_double(double=globals().get('double'))")


def test_prompt_only_manual_question_is_kept_with_its_points_for_a_person():
    spec = load_lab(FIXTURES / "prompt_only")
    manual = spec.cell_by_grade_id("q1")
    assert (manual.role, manual.points, manual.cell_type) == ("manual", 3.0, "markdown")
    assert (spec.max_score, spec.auto_max_score) == (4.0, 1.0)


def test_all_or_nothing_is_per_question():
    assert load_lab(FIXTURES / "all_or_nothing").all_or_nothing == ("q1",)
