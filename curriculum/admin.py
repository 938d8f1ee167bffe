"""Admin for curriculum. Paths, modules and steps come from the files under curriculum/paths/
(`load_curriculum`): they are shown here, not added or changed, so that the files stay the one
source. Enrolments may be added and removed by staff."""

from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin, ReadOnlyTabularInline, StrictModelAdmin
from curriculum.models import Enrolment, Module, Path, Step


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["position", "title"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Path)
class PathAdmin(ReadOnlyModelAdmin):
    """Read-only: edit the file under curriculum/paths/ and run load_curriculum."""

    list_display = ["title", "slug", "audience", "position", "source"]
    list_filter = ["audience"]
    fields = ["slug", "title", "audience", "position", "summary", "source"]
    inlines = [ModuleInline]


class StepInline(ReadOnlyTabularInline):
    model = Step
    fields = ["position", "kind", "title", "lab_slug", "skill", "evidence_kind", "activity"]
    can_delete = True  # with its module, when the file no longer has it


@admin.register(Module)
class ModuleAdmin(ReadOnlyModelAdmin):
    """Read-only: edit the file under curriculum/paths/ and run load_curriculum."""

    list_display = ["title", "path", "position"]
    list_filter = ["path"]
    fields = ["path", "position", "title", "reading", "skills"]
    inlines = [StepInline]


@admin.register(Enrolment)
class EnrolmentAdmin(StrictModelAdmin):
    list_display = ["person", "path", "enrolled_by", "created_at"]
    list_filter = ["path"]
    raw_id_fields = ["person", "enrolled_by"]
