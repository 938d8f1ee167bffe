"""Staff edit the catalog and the targets; skills are retired, never deleted. Assessments,
evidence and review requests are append-only records: the admin shows them, read-only."""

from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin, StrictModelAdmin
from core.skills.models import Assessment, Evidence, ReviewRequest, Skill, SkillTarget


class SkillTargetInline(admin.TabularInline):
    model = SkillTarget
    extra = 0
    max_num = 4
    can_delete = False


@admin.register(Skill)
class SkillAdmin(StrictModelAdmin):
    list_display = ["name", "short_name", "group", "position", "retired"]
    list_filter = ["group", "retired"]
    list_editable = ["position", "retired"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillTargetInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "short_name", "group", "position", "retired"]}),
        ("Description", {"fields": ["description"]}),
        (
            "Rubric: one sentence of observable behaviour per level",
            {"fields": ["rubric_0", "rubric_1", "rubric_2", "rubric_3", "rubric_4"]},
        ),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire instead: assessments and evidence keep pointing at the skill


@admin.register(SkillTarget)
class SkillTargetAdmin(StrictModelAdmin):
    """The progression framework at a glance: every target, editable in the list."""

    list_display = ["skill", "career_stage", "level"]
    list_editable = ["level"]
    list_filter = ["career_stage", "skill__group"]
    list_select_related = ["skill"]
    search_fields = ["skill__name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """Append-only records: written by the app's services, never edited or deleted here."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["subject", "skill", "level", "assessor", "assessor_role", "created_at"]
    list_filter = ["assessor_role", "level", "skill"]
    search_fields = ["subject__user__username", "subject__user__last_name", "skill__name"]
    list_select_related = ["subject__user", "skill", "assessor__user"]
    date_hierarchy = "created_at"


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "skill", "kind", "title", "created_by", "created_at"]
    list_filter = ["kind", "skill"]
    search_fields = ["person__user__username", "title", "source"]
    list_select_related = ["person__user", "skill", "created_by__user"]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdmin):
    list_display = ["requester", "reviewer", "skill", "status", "created_at", "closed_at"]
    list_filter = ["status", "skill"]
    list_select_related = ["requester__user", "reviewer__user", "skill"]
