"""The feedback notebook: readable, sanitised, and silent about hidden tests."""

import nbformat

from labs.executor import CellOutcome
from labs.feedback import render_feedback
from labs.judge import build_run
from tests.labs.conftest import REFERENCE_LAB, validated


def feedback_for(answers: dict, outputs: dict[str, list]) -> str:
    spec, _ = validated(REFERENCE_LAB)
    plan = build_run(spec, answers)
    outcomes = []
    for run_cell in plan.cells:
        grade_id = run_cell.spec_cell.grade_id if run_cell.spec_cell else None
        outcomes.append(CellOutcome(status="ok", outputs=outputs.get(grade_id, [])))
    return render_feedback(spec, plan, outcomes, answers)


def stream(text: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_markdown_and_answers_render_as_html():
    html = feedback_for(
        {"mean_of": {"cell_type": "code", "source": "def mean_of(v): return 1"}}, {}
    )

    assert "<h2" in html and "Mean" in html
    assert "def" in html and "mean_of" in html
    assert "&lt;h1" not in html  # headings are headings, not escaped text


def test_dangerous_output_is_sanitised():
    evil = nbformat.v4.new_output(
        "display_data",
        data={"text/html": '<b>bold</b><script>steal()</script><img src=x onerror="steal()">'},
    )

    html = feedback_for({}, {"mean_of": [evil]})

    assert "<b>bold</b>" in html
    assert "<script>steal" not in html and "onerror" not in html


def test_hidden_test_code_never_appears_even_when_an_answer_prints_it():
    leak = stream("assert mean_of([2.5, 3.5]) == 3.0\n")

    html = feedback_for({}, {"mean_of": [leak]})

    assert "2.5, 3.5" not in html
    assert "output withheld" in html


def test_no_output_is_shown_after_a_hidden_test_ran():
    # Encoded, a recorded hidden test would pass any text filter: show nothing after one ran.
    encoded = stream("YXNzZXJ0IG1lYW5fb2YoWzIuNSwgMy41XSkgPT0gMy4w\n")

    html = feedback_for({}, {"mean_of": [stream("before\n")], "scale": [encoded]})

    assert "before" in html
    assert "YXNzZXJ0" not in html
    assert "outputs of the cells below are not shown" in html


def test_sealed_values_and_test_tracebacks_are_not_shown():
    sealed = nbformat.v4.new_output(
        "display_data",
        data={"application/vnd.cultivate.sealed+json": {"name": "spread", "value": 1.5}},
    )
    error = nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="", traceback=["_cv_eq_deadbeef(scale(x))"]
    )

    html = feedback_for({}, {"test_spread": [sealed], "test_scale": [error]})

    assert "vnd.cultivate.sealed" not in html
    assert "_cv_eq_" not in html
