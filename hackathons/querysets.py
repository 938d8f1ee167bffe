"""Who may see which hackathon rows: one queryset method per model, used by every page and API.

Everything about an event is open to every signed-in member except: a submission's draft (its
team only) and scores (the judge who gave them and the organisers; the team once the results
are published). Outsiders find nothing, so pages and the API answer 404 (never 403).
"""

from django.db import models
from django.db.models import Q


def _person_of(user):
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "person", None)


def _members(user) -> bool:
    return user.is_authenticated and user.is_active


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EventQuerySet":
        return self.all() if _members(user) else self.none()

    def organised_by(self, user) -> "EventQuerySet":
        """Events `user` may edit: theirs as an organiser; every event for staff."""
        if not _members(user):
            return self.none()
        if user.is_staff:
            return self.all()
        person = _person_of(user)
        return self.filter(organisers=person) if person else self.none()

    def judged_by(self, user) -> "EventQuerySet":
        person = _person_of(user)
        return self.filter(judges=person) if person else self.none()


class IdeaQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IdeaQuerySet":
        return self.all() if _members(user) else self.none()

    def live(self) -> "IdeaQuerySet":
        """Not merged into another idea."""
        return self.filter(merged_into__isnull=True)


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        return self.all() if _members(user) else self.none()


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        """Submitted projects for every member; a draft for its own team only."""
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(Q(submitted_at__isnull=False) | Q(team__memberships__person=person))

    def submitted(self) -> "SubmissionQuerySet":
        return self.filter(submitted_at__isnull=False)


class ScoreQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ScoreQuerySet":
        """The judge who gave it and the event's organisers (and staff) always; the team once
        the results are published. Nobody else, ever before the results."""
        person = _person_of(user)
        if person is None:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Q(judge=person)
            | Q(submission__team__event__organisers=person)
            | (
                Q(submission__team__event__results_published_at__isnull=False)
                & Q(submission__team__memberships__person=person)
            )
        ).distinct()
