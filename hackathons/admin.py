"""Admin for hackathons. Events, criteria and awards are edited here or on the organisers'
pages; votes, memberships and scores are written by the app's services, so they are listed
read-only here (a vote or a score typed in by hand would skip the rules)."""

from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin, StrictModelAdmin
from hackathons.models import (
    Attachment,
    Award,
    Comment,
    Criterion,
    DeadlineExtension,
    Event,
    Idea,
    JoinRequest,
    Membership,
    Score,
    Submission,
    Team,
    Vote,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    raw_id_fields = ["submission"]


@admin.register(Event)
class EventAdmin(StrictModelAdmin):
    list_display = ["title", "slug", "submission_deadline", "results_published_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers", "judges"]
    inlines = [CriterionInline, AwardInline]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyModelAdmin):
    list_display = ["event", "previous_deadline", "new_deadline", "extended_by", "created_at"]


@admin.register(Criterion)
class CriterionAdmin(StrictModelAdmin):
    list_display = ["name", "event", "weight", "position"]
    list_filter = ["event"]


@admin.register(Award)
class AwardAdmin(StrictModelAdmin):
    list_display = ["name", "event", "submission"]
    list_filter = ["event"]
    raw_id_fields = ["submission"]


@admin.register(Idea)
class IdeaAdmin(StrictModelAdmin):
    list_display = ["title", "proposer", "event", "merged_into", "created_at"]
    list_filter = ["event"]
    search_fields = ["title"]
    raw_id_fields = ["proposer", "merged_into"]
    filter_horizontal = ["skills"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyModelAdmin):
    list_display = ["idea", "person", "created_at"]


@admin.register(Comment)
class CommentAdmin(StrictModelAdmin):
    list_display = ["idea", "author", "created_at"]
    raw_id_fields = ["idea", "author"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["person", "joined_at"]
    readonly_fields = ["person", "joined_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(StrictModelAdmin):
    list_display = ["name", "event", "idea", "lead"]
    list_filter = ["event"]
    search_fields = ["name"]
    raw_id_fields = ["idea", "lead"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyModelAdmin):
    list_display = ["person", "team", "event", "joined_at"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["team", "person", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "content_type", "size"]
    readonly_fields = ["name", "content_type", "size"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(StrictModelAdmin):
    list_display = ["title", "team", "submitted_at", "updated_at"]
    search_fields = ["title"]
    raw_id_fields = ["team"]
    filter_horizontal = ["skills"]
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "submission", "content_type", "size", "created_at"]
    exclude = ["notebook_html"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyModelAdmin):
    list_display = ["submission", "judge", "criterion", "value", "updated_at"]
