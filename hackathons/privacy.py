"""Hackathons' part of a person's data (core.privacy): ideas they proposed, votes, comments,
teams and their projects, join requests, scores they gave as a judge."""

from django.db.models import Q

from core.models import Person
from core.privacy import Scrubber, export_rows
from hackathons.models import (
    Attachment,
    Comment,
    DeadlineExtension,
    Idea,
    JoinRequest,
    Membership,
    Score,
    Submission,
    Team,
    Vote,
)


def _their_teams(person: Person):
    return Team.objects.filter(Q(lead=person) | Q(memberships__person=person)).distinct()


def export_hackathons(person: Person) -> dict:
    teams = _their_teams(person)
    return {
        "ideas": export_rows(
            Idea.objects.filter(proposer=person).order_by("created_at"),
            "id",
            "created_at",
            "event__slug",
            "title",
            "problem",
            "approach",
            "merged_into_id",
        ),
        "votes": export_rows(
            Vote.objects.filter(person=person).order_by("created_at"), "idea_id", "created_at"
        ),
        "comments": export_rows(
            Comment.objects.filter(author=person).order_by("pk"), "idea_id", "body"
        ),
        "teams": export_rows(
            teams.order_by("pk"), "id", "event__slug", "name", "idea_id", "lead_id"
        ),
        "memberships": export_rows(
            Membership.objects.filter(person=person).order_by("joined_at"),
            "team_id",
            "event__slug",
            "joined_at",
        ),
        "projects": export_rows(
            Submission.objects.filter(team__in=teams).order_by("pk"),
            "team_id",
            "title",
            "summary",
            "repository_url",
            "demo_url",
            "submitted_at",
        ),
        "attachments_you_uploaded": export_rows(
            Attachment.objects.filter(uploaded_by=person).order_by("pk"),
            "submission_id",
            "name",
            "content_type",
            "size",
            "created_at",
        ),
        "join_requests": export_rows(
            JoinRequest.objects.filter(Q(person=person) | Q(created_by=person)).order_by("pk"),
            "team_id",
            "kind",
            "status",
            "message",
            "created_at",
            "answered_at",
        ),
        "scores_you_gave": export_rows(
            Score.objects.filter(judge=person).order_by("pk"),
            "submission_id",
            "criterion__name",
            "value",
            "comment",
        ),
    }


def erase_hackathons(person: Person, scrub: Scrubber) -> None:
    """Pending join requests and invitations go; ideas, votes, comments, teams, projects and
    scores stay (events and rankings need them), without their name."""
    JoinRequest.objects.filter(
        Q(person=person) | Q(created_by=person), status=JoinRequest.Status.PENDING
    ).delete()
    teams = _their_teams(person)
    scrub.rows(Idea.objects.filter(proposer=person), "title", "problem", "approach")
    scrub.rows(Comment.objects.filter(Q(author=person) | Q(idea__proposer=person)), "body")
    scrub.rows(Team.objects.filter(pk__in=teams.values("pk")), "name")
    scrub.rows(Submission.objects.filter(team__in=teams.values("pk")), "title", "summary")
    scrub.rows(
        Attachment.objects.filter(
            Q(uploaded_by=person) | Q(submission__team__in=teams.values("pk"))
        ),
        "name",
        "notebook_html",
    )
    scrub.rows(JoinRequest.objects.filter(Q(person=person) | Q(created_by=person)), "message")
    scrub.rows(Score.objects.filter(judge=person), "comment")
    scrub.rows(DeadlineExtension.objects.filter(extended_by=person), "reason")
