"""Labs' part of a person's data (core.privacy): their attempts with grades and feedback (the
notebook as name, size and hash, not its bytes), sign-offs and grade changes on them, their
ratings and problem reports; reviews and grade changes they made for others."""

import json

from django.db.models import Q

from core.models import Person
from core.privacy import Scrubber, export_rows
from labs.models import (
    GradeAdjustment,
    LabProblemReport,
    LabRating,
    Submission,
    SubmissionReview,
)

RESULT_KEYS = ("id", "title", "passed", "points", "max_points", "message", "manual", "adjusted")


def export_labs(person: Person) -> dict:
    submissions = Submission.objects.filter(person=person).select_related("lab")
    return {
        "submissions": [_submission(s) for s in submissions.order_by("created_at")],
        "sign_offs_on_your_attempts": export_rows(
            SubmissionReview.objects.filter(submission__person=person).order_by("pk"),
            "submission_id",
            "decision",
            "comment",
            "created_at",
        ),
        "grade_changes_on_your_attempts": export_rows(
            GradeAdjustment.objects.filter(submission__person=person).order_by("pk"),
            "submission_id",
            "item",
            "title",
            "old_points",
            "new_points",
            "max_points",
            "comment",
            "created_at",
        ),
        "sign_offs_you_gave": export_rows(
            SubmissionReview.objects.filter(reviewer=person).order_by("pk"),
            "submission_id",
            "decision",
            "comment",
            "created_at",
        ),
        "grade_changes_you_made": export_rows(
            GradeAdjustment.objects.filter(by=person).order_by("pk"),
            "submission_id",
            "item",
            "old_points",
            "new_points",
            "comment",
            "created_at",
        ),
        "ratings": export_rows(
            LabRating.objects.filter(person=person).order_by("pk"),
            "lab__slug",
            "stars",
            "comment",
            "updated_at",
        ),
        "problem_reports": export_rows(
            LabProblemReport.objects.filter(person=person).order_by("pk"),
            "lab__slug",
            "text",
            "created_at",
            "resolved_at",
            "resolution",
        ),
    }


def _submission(submission: Submission) -> dict:
    answers = json.dumps(submission.answers or {}, sort_keys=True).encode()
    return {
        "id": submission.pk,
        "lab": submission.lab.slug,
        "attempt": submission.attempt,
        "status": submission.status,
        "score": submission.score,
        "max_score": submission.max_score,
        "created_at": submission.created_at,
        "graded_at": submission.graded_at,
        "notebook": {
            "name": f"{submission.lab.slug}-attempt-{submission.attempt}.ipynb",
            "size": len(answers),
            "sha256": submission.answers_digest,
        },
        "results": [
            {key: row.get(key) for key in RESULT_KEYS if key in row}
            for row in submission.results or []
        ],
    }


def erase_labs(person: Person, scrub: Scrubber) -> None:
    """Attempts, grades and ratings stay (gradebooks and lab analytics count them); their
    names are scrubbed from the texts about them or by them."""
    scrub.rows(LabRating.objects.filter(person=person), "comment")
    scrub.rows(
        Submission.objects.filter(person=person),
        "answers",
        "results",
        "feedback_notebook",
        "feedback_html",
        "error",
    )
    scrub.rows(
        SubmissionReview.objects.filter(Q(reviewer=person) | Q(submission__person=person)),
        "comment",
    )
    scrub.rows(
        GradeAdjustment.objects.filter(Q(by=person) | Q(submission__person=person)), "comment"
    )
    scrub.rows(
        LabProblemReport.objects.filter(Q(person=person) | Q(resolved_by=person)),
        "text",
        "resolution",
    )
