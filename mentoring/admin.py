"""Admin for mentoring. Private session notes and feedback bodies are not shown here: who reads
them is what their author chose (only the author; the visibility level), and staff are not an
exception to that."""

from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin, StrictModelAdmin
from mentoring.models import (
    ActionItem,
    Answer,
    FeedbackNote,
    FeedbackRequest,
    LearningEntry,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)


@admin.register(MentorProfile)
class MentorProfileAdmin(StrictModelAdmin):
    list_display = ["person", "open_to_mentoring", "capacity"]
    list_filter = ["open_to_mentoring"]
    filter_horizontal = ["skills_offered"]


@admin.register(Mentorship)
class MentorshipAdmin(StrictModelAdmin):
    list_display = ["mentor", "mentee", "status", "cadence", "start_date", "end_date"]
    list_filter = ["status", "cadence"]
    raw_id_fields = ["mentor", "mentee", "proposed_by"]
    filter_horizontal = ["goal_skills"]


@admin.register(Session)
class SessionAdmin(ReadOnlyModelAdmin):
    """When a pair met, never what they wrote: the shared agenda and notes are for the mentor
    and the mentee only, as on the pages and in the API."""

    list_display = ["__str__", "date"]
    fields = ["mentorship", "date", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyModelAdmin):
    """Which action items are open, never what they say (the pair's, like the session)."""

    list_display = ["pk", "mentorship", "session", "done_at"]
    fields = ["mentorship", "session", "done_at", "done_in"]
    readonly_fields = fields


@admin.register(PrivateNote)
class PrivateNoteAdmin(ReadOnlyModelAdmin):
    """Which sessions have private notes, never what they say."""

    list_display = ["pk", "session", "updated_at"]
    fields = ["session", "updated_at"]
    readonly_fields = fields


@admin.register(FeedbackNote)
class FeedbackNoteAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "author", "recipient", "category", "kind", "visibility", "created_at"]
    list_filter = ["category", "kind", "visibility"]
    fields = ["author", "recipient", "category", "kind", "visibility", "acknowledged_at"]
    readonly_fields = fields


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(StrictModelAdmin):
    list_display = ["requester", "asked", "about", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["requester", "asked"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyModelAdmin):
    """Never shows, filters or searches by the author: the asker of an anonymous question is
    hidden from staff as from everyone (and a named one is on the question's page). Only the
    asker edits a question, on its page; staff may delete one."""

    list_display = ["title", "anonymous", "created_at", "reraised_at"]
    list_filter = ["anonymous"]
    search_fields = ["title"]
    fields = [
        "title",
        "body",
        "skills",
        "anonymous",
        "accepted_answer",
        "created_at",
        "reraised_at",
    ]
    readonly_fields = fields


@admin.register(Answer)
class AnswerAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "question", "author", "created_at"]
    raw_id_fields = ["question", "author"]


@admin.register(LearningEntry)
class LearningEntryAdmin(StrictModelAdmin):
    list_display = ["person", "date", "minutes", "what", "skill", "lab"]
    list_filter = ["date"]
    raw_id_fields = ["person", "skill", "lab"]
