"""Mentoring's part of a person's data (core.privacy): feedback they wrote and may read,
requests, mentorships and the sessions they were part of, their private notes, questions (the
anonymous ones too: they asked them), answers and learning time.

Registered from `MentoringConfig.ready()`:
    register_personal_data("mentoring", privacy.export_mentoring, privacy.erase_mentoring)
"""

from django.db.models import Q

from core.models import Person
from core.privacy import Scrubber, export_rows
from mentoring.models import (
    ActionItem,
    Answer,
    FeedbackNote,
    FeedbackRequest,
    FeedbackVisibility,
    LearningEntry,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)

NOTE_FIELDS = ("created_at", "category", "kind", "body", "visibility", "acknowledged_at")


def export_mentoring(person: Person) -> dict:
    """Only what the person may read: feedback "for managers only" about them is not theirs
    (FeedbackNote.objects.visible_to), and nobody else's private notes ever are."""
    mentorships = Mentorship.objects.filter(Q(mentor=person) | Q(mentee=person))
    sessions = Session.objects.filter(mentorship__in=mentorships)
    return {
        "mentor_profile": export_rows(
            MentorProfile.objects.filter(person=person), "open_to_mentoring", "capacity"
        ),
        "feedback_you_wrote": export_rows(
            FeedbackNote.objects.filter(author=person).order_by("created_at"),
            "recipient_id",
            *NOTE_FIELDS,
        ),
        "feedback_for_you": export_rows(
            FeedbackNote.objects.filter(recipient=person)
            .exclude(visibility=FeedbackVisibility.MANAGERS_ONLY)
            .order_by("created_at"),
            "author_id",
            *NOTE_FIELDS,
        ),
        "feedback_requests": export_rows(
            FeedbackRequest.objects.filter(Q(requester=person) | Q(asked=person)).order_by("pk"),
            "created_at",
            "requester_id",
            "asked_id",
            "about",
            "status",
        ),
        "mentorships": export_rows(
            mentorships.order_by("created_at"),
            "created_at",
            "mentor_id",
            "mentee_id",
            "status",
            "goals",
            "cadence",
            "start_date",
            "end_date",
            "end_reason",
        ),
        "sessions": export_rows(
            sessions.order_by("date", "pk"), "id", "mentorship_id", "date", "agenda", "notes"
        ),
        "action_items": export_rows(
            ActionItem.objects.filter(mentorship__in=mentorships).order_by("pk"),
            "session_id",
            "text",
            "done_at",
        ),
        "your_private_notes": export_rows(
            PrivateNote.objects.filter(author=person).order_by("updated_at"),
            "session_id",
            "body",
            "updated_at",
        ),
        "questions_you_asked": export_rows(
            Question.objects.filter(author=person).order_by("created_at"),
            "id",
            "created_at",
            "title",
            "body",
            "anonymous",
        ),
        "your_answers": export_rows(
            Answer.objects.filter(author=person).order_by("created_at"),
            "question_id",
            "created_at",
            "body",
        ),
        "learning_time": export_rows(
            LearningEntry.objects.filter(person=person).order_by("date", "pk"),
            "date",
            "minutes",
            "what",
            "skill__slug",
            "lab__slug",
        ),
    }


def erase_mentoring(person: Person, scrub: Scrubber) -> None:
    """Their private notes, open requests and mentor profile go; feedback, mentorships, shared
    session notes, questions and answers stay for the others, without their name."""
    PrivateNote.objects.filter(author=person).delete()
    FeedbackRequest.objects.filter(requester=person, status=FeedbackRequest.Status.OPEN).delete()
    MentorProfile.objects.filter(person=person).delete()
    mentorships = Mentorship.objects.filter(Q(mentor=person) | Q(mentee=person))
    Mentorship.objects.filter(
        Q(mentor=person) | Q(mentee=person), status=Mentorship.Status.PROPOSED
    ).delete()
    scrub.rows(FeedbackNote.objects.filter(Q(author=person) | Q(recipient=person)), "body")
    scrub.rows(FeedbackRequest.objects.filter(Q(requester=person) | Q(asked=person)), "about")
    scrub.rows(mentorships, "goals", "end_reason", "match_breakdown")
    scrub.rows(Session.objects.filter(mentorship__in=mentorships), "agenda", "notes")
    # The other party's private notes on their shared sessions stay theirs, without the name.
    scrub.rows(PrivateNote.objects.filter(session__mentorship__in=mentorships), "body")
    scrub.rows(ActionItem.objects.filter(mentorship__in=mentorships), "text")
    scrub.rows(Question.objects.filter(author=person), "title", "body")
    scrub.rows(Answer.objects.filter(Q(author=person) | Q(question__author=person)), "body")
    scrub.rows(LearningEntry.objects.filter(person=person), "what")
