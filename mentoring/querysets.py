"""Who may see which mentoring rows: one queryset method per model, used by every page and API.

Outsiders find nothing, so pages and the API answer 404 (never 403).
"""

from django.db import models
from django.db.models import Q


def _person_of(user):
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "person", None)


def _reports_of(person):
    from core.models import Person

    return Person.objects.reports_of(person).values("pk")


class MentorshipQuerySet(models.QuerySet):
    def active(self) -> "MentorshipQuerySet":
        return self.filter(status="active")

    def open(self) -> "MentorshipQuerySet":
        """Proposed or active: the pairs that hold a place (one per mentor and mentee)."""
        return self.filter(status__in=["proposed", "active"])

    def visible_to(self, user) -> "MentorshipQuerySet":
        """The two people, whoever proposed it, the mentee's managers and staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(
            Q(mentor=person)
            | Q(mentee=person)
            | Q(proposed_by=person)
            | Q(mentee__in=_reports_of(person))
        )


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SessionQuerySet":
        """Agenda, shared notes and action items are for the mentor and the mentee only."""
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(Q(mentorship__mentor=person) | Q(mentorship__mentee=person))


class PrivateNoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PrivateNoteQuerySet":
        """Only the author, ever: not the other party, not managers, not staff."""
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(author=person)


class FeedbackNoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FeedbackNoteQuerySet":
        """The author always; the recipient unless it is for managers only; the recipient's
        managers (transitively) unless it is between recipient and author. Staff are no
        exception: a note's visibility is what its author chose."""
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(
            Q(author=person)
            | (Q(recipient=person) & ~Q(visibility="managers_only"))
            | (Q(recipient__in=_reports_of(person)) & ~Q(visibility="private"))
        )


class FeedbackRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FeedbackRequestQuerySet":
        person = _person_of(user)
        if person is None:
            return self.none()
        return self.filter(Q(requester=person) | Q(asked=person))


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "QuestionQuerySet":
        """The board is open to every signed-in member; who asked an anonymous question is
        never part of what anyone reads (see `Question.shown_author`)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()

    def unanswered(self) -> "QuestionQuerySet":
        return self.filter(answers__isnull=True)


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AnswerQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class LearningEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LearningEntryQuerySet":
        """Your own entries, and those of the people who report to you (transitively) whom
        you may see at all (`Person.objects.visible_to`)."""
        person = _person_of(user)
        if person is None:
            return self.none()
        from core.models import Person

        team = Person.objects.visible_to(user).filter(pk__in=_reports_of(person))
        return self.filter(Q(person=person) | Q(person__in=team.values("pk")))
