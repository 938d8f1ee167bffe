"""Reads for the audit log: staff only (anyone else gets a 404, core.shortcuts.staff_only)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.audit.models import AuditEvent
from core.shortcuts import staff_only


def audit_events(*, user: AbstractBaseUser, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """The audit log, newest first, narrowed by `filters` (AuditFilterForm.filters)."""
    staff_only(user)
    return (
        AuditEvent.objects.matching(**(filters or {}))
        .select_related("actor__user", "subject__user")
        .order_by("-created_at", "-pk")
    )
