from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin
from core.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only, for good: no adding, changing or deleting here (the model refuses too)."""

    list_display = ["created_at", "action", "actor_label", "subject_label", "object_type"]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "actor",
        "actor_label",
        "subject",
        "subject_label",
        "object_type",
        "object_id",
        "detail",
        "ip",
    ]
    readonly_fields = fields
    actions = None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
