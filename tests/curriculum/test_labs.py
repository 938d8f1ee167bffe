"""Acceptance 1 of the curriculum: every shipped lab passes the engine's import validation."""

import json

import pytest

from core.skills.catalog import SKILLS
from labs.services import grading_run
from labs.spec import LabSpec
from tests.curriculum.conftest import LABS, lab, reference_answers

CATALOG = {row[0] for row in SKILLS}


@pytest.mark.parametrize("slug", sorted(LABS))
def test_every_shipped_lab_passes_import_validation(slug):
    spec, report = lab(slug)  # validated(): asserts report["ok"]

    assert report["reference_scores"] == [spec.auto_max_score] * 3
    assert report["release_score"] == 0
    assert not report["flaky"]
    assert spec.settings.slug == slug
    assert set(spec.settings.skills) <= CATALOG, f"{slug} names skills the catalog lacks"
    assert any(check for test in spec.tests for check in test.sealed), f"{slug} has no sealed check"
    hidden = [test for test in spec.tests if test.has_hidden_part or test.hidden]
    assert hidden, f"{slug} has no hidden tests"


@pytest.mark.parametrize("slug", ["data-pipelines", "drift-over-time", "human-in-the-loop"])
def test_a_lab_stored_and_read_back_gives_its_reference_full_marks(slug):
    """As a worker grades: the spec as the database keeps it (JSON), not as validation left it.
    These labs seal dicts, which an exact check once compared by type with what came back from
    the kernel (an nbformat NotebookNode) and failed for every learner."""
    spec, _ = lab(slug)
    stored = LabSpec.from_dict(json.loads(json.dumps(spec.to_dict())))

    grade = grading_run(spec=stored, answers=reference_answers(stored)).grade

    assert grade.score == stored.auto_max_score, [r for r in grade.results if not r.passed]
