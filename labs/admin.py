from django.contrib import admin

from core.admin_base import StrictModelAdmin
from labs.models import Lab, LabVersion, Submission, SubmissionReview


class LabVersionInline(admin.TabularInline):
    model = LabVersion
    fields = ["number", "content_hash", "source_format", "created_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Lab)
class LabAdmin(StrictModelAdmin):
    list_display = ["title", "slug", "current_version", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug"]
    readonly_fields = ["current_version", "created_at"]
    inlines = [LabVersionInline]


@admin.register(LabVersion)
class LabVersionAdmin(StrictModelAdmin):
    """Versions are immutable: imported with `manage.py import_lab`, read here."""

    list_display = ["__str__", "source_format", "created_at"]
    list_filter = ["lab"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class SubmissionReviewInline(admin.TabularInline):
    """The sign-off history, append-only: decisions are made on the review page."""

    model = SubmissionReview
    fields = ["decision", "reviewer", "comment", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(StrictModelAdmin):
    list_display = ["__str__", "person", "status", "score", "max_score", "created_at"]
    list_filter = ["status", "lab"]
    search_fields = ["person__user__username", "lab__slug"]
    list_select_related = ["lab", "person__user"]
    readonly_fields = ["version", "answers", "results", "telemetry", "claims", "times_graded"]
    inlines = [SubmissionReviewInline]
