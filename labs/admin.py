from django.contrib import admin

from core.admin_base import ReadOnlyTabularInline, StrictModelAdmin
from labs.models import (
    GradeAdjustment,
    GradingRun,
    Lab,
    LabVersion,
    Regrade,
    Submission,
    SubmissionReview,
)


class LabVersionInline(ReadOnlyTabularInline):
    model = LabVersion
    fields = ["number", "content_hash", "source_format", "created_at", "created_by"]
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


class SubmissionReviewInline(ReadOnlyTabularInline):
    """The sign-off history, append-only: decisions are made on the review page."""

    model = SubmissionReview
    fields = ["decision", "reviewer", "comment", "created_at"]


class GradeAdjustmentInline(ReadOnlyTabularInline):
    """Points given or changed by hand, append-only: they are given on the grading page."""

    model = GradeAdjustment
    fields = ["item", "old_points", "new_points", "max_points", "by", "comment", "created_at"]


class GradingRunInline(ReadOnlyTabularInline):
    """Every grading of the submission, as it was: read here, never changed."""

    model = GradingRun
    fields = ["created_at", "version", "regrade", "status", "score", "max_score", "error"]


@admin.register(Regrade)
class RegradeAdmin(StrictModelAdmin):
    """Regrades are started from the lab page (or the API) and run on the workers."""

    list_display = ["__str__", "total", "done", "failed", "created_at", "finished_at"]
    list_filter = ["lab"]
    list_select_related = ["lab", "version"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(StrictModelAdmin):
    list_display = ["__str__", "person", "status", "score", "max_score", "created_at"]
    list_filter = ["status", "lab"]
    search_fields = ["person__user__username", "lab__slug"]
    list_select_related = ["lab", "person__user"]
    readonly_fields = [
        "version",
        "graded_version",
        "answers",
        "answers_digest",
        "score",
        "max_score",
        "results",
        "telemetry",
        "claims",
        "times_graded",
    ]
    inlines = [SubmissionReviewInline, GradeAdjustmentInline, GradingRunInline]
