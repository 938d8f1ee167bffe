"""The skill matrix's part of a person's data (core.privacy): assessments of them and by them,
their evidence, review requests they sent or were asked."""

from django.db.models import Q

from core.models import Person
from core.privacy import Scrubber, export_rows
from core.skills.models import Assessment, Evidence, ReviewRequest


def export_skills(person: Person) -> dict:
    return {
        "assessments_of_you": export_rows(
            Assessment.objects.filter(subject=person).order_by("created_at"),
            "created_at",
            "skill__slug",
            "level",
            "assessor_role",
            "note",
        ),
        "assessments_you_gave": export_rows(
            Assessment.objects.filter(assessor=person).exclude(subject=person).order_by("pk"),
            "created_at",
            "subject_id",
            "skill__slug",
            "level",
            "assessor_role",
            "note",
        ),
        "evidence": export_rows(
            Evidence.objects.filter(person=person).order_by("created_at"),
            "created_at",
            "skill__slug",
            "kind",
            "title",
            "url",
            "note",
        ),
        "review_requests": export_rows(
            ReviewRequest.objects.filter(Q(requester=person) | Q(reviewer=person)).order_by("pk"),
            "created_at",
            "requester_id",
            "reviewer_id",
            "skill__slug",
            "message",
            "status",
            "closed_at",
        ),
    }


def erase_skills(person: Person, scrub: Scrubber) -> None:
    """Open review requests they sent go (nobody needs them now); ratings and evidence stay,
    as the matrices and team charts count them, with their names scrubbed from the texts."""
    ReviewRequest.objects.filter(requester=person, status=ReviewRequest.Status.OPEN).delete()
    scrub.rows(ReviewRequest.objects.filter(Q(requester=person) | Q(reviewer=person)), "message")
    scrub.rows(Assessment.objects.filter(Q(subject=person) | Q(assessor=person)), "note")
    scrub.rows(
        Evidence.objects.filter(Q(person=person) | Q(created_by=person)), "title", "url", "note"
    )
