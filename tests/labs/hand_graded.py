"""A lab with an answer graded by hand, and submissions graded without running them: shared by
the hand-grading and regrade tests and the permission matrix's cast."""

import dataclasses

from django.utils import timezone

from labs.format import load_lab
from labs.judge import Verdict
from labs.models import Submission, SubmissionStatus
from labs.services import keep_run, lab_store, with_hand_graded
from labs.spec import SpecCell
from tests.labs.conftest import REFERENCE_LAB

ESSAY = SpecCell(
    index=900,
    cell_type="markdown",
    role="manual",
    source="Which test would you add, and why?",
    release_source="YOUR ANSWER HERE",
    grade_id="essay",
    points=2.0,
)
ANSWER = "I would test **empty lists**.<script>alert(1)</script>"


def lab_with_essay(*, passing_score=75.0, review_policy="none"):
    """The reference lab (4 test points) with a free-response answer worth 2 points."""
    spec = load_lab(REFERENCE_LAB)
    settings = dataclasses.replace(
        spec.settings, passing_score=passing_score, review_policy=review_policy
    )
    spec = dataclasses.replace(spec, cells=(*spec.cells, ESSAY), settings=settings)
    return lab_store(spec=spec, report={})


def graded(version, person, *, passed=("test_mean_of", "test_scale", "test_spread"), status=None):
    """A graded submission of `version` without running it: the named tests passed."""
    spec = version.get_spec()
    tests = [
        Verdict(
            id=cell.grade_id,
            title=cell.display_title,
            max_points=cell.points,
            points=cell.points if cell.grade_id in passed else 0.0,
            passed=cell.grade_id in passed,
            message="Passed." if cell.grade_id in passed else "Wrong value.",
        )
        for cell in spec.tests
    ]
    submission = Submission(
        lab=version.lab,
        version=version,
        graded_version=version,
        person=person,
        attempt=Submission.objects.filter(person=person).count() + 1,
        answers={"essay": {"cell_type": "markdown", "source": ANSWER}},
        status=status or SubmissionStatus.GRADED,
        max_score=spec.max_score,
        graded_at=timezone.now(),
    )
    submission.results = with_hand_graded(spec, tests, submission)
    submission.score = sum(r["points"] for r in submission.results)
    submission.save()
    keep_run(submission)
    return submission
