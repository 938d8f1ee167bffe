"""`AuditEvent`: one sensitive action, kept for good (see core/audit/__init__.py)."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = ["AuditAction", "AuditEvent"]

APPEND_ONLY = "The audit log is append-only: its rows cannot be changed or deleted."


class AuditAction(models.TextChoices):
    FEEDBACK_READ = "feedback_read", "Read feedback about someone else"
    PERSON_DATA_READ = "person_data_read", "Opened someone else's page"
    GRADE_OVERRIDE = "grade_override", "Changed a lab grade by hand"
    SIGN_OFF = "sign_off", "Signed off or sent back a lab grade"
    VISIBILITY_CHANGE = "visibility_change", "Changed who may see something"
    EXPORT = "export", "Exported data"
    ERASURE = "erasure", "Erased a person"
    ROLE_CHANGE = "role_change", "Changed a role or reporting line"


def erased_label(person_id: int) -> str:
    return f"erased person {person_id}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(APPEND_ONLY)

    def relabel_erased(self, *, person_id: int) -> int:
        """The one change the log allows: the names frozen in an erased person's rows become
        "erased person <id>" (core.privacy.person_erase)."""
        label = erased_label(person_id)
        as_actor = models.QuerySet.update(self.filter(actor_id=person_id), actor_label=label)
        as_subject = models.QuerySet.update(self.filter(subject_id=person_id), subject_label=label)
        return as_actor + as_subject

    def matching(
        self, *, action: str = "", actor: str = "", subject: str = "", since=None, until=None
    ) -> "AuditEventQuerySet":
        """The filters of the audit page and API. `actor` and `subject` are a person's id or
        part of the name or username they had then; `since` and `until` are dates, inclusive."""
        events = self
        if action:
            events = events.filter(action=action)
        if actor:
            events = events.filter(_who_q("actor", actor))
        if subject:
            events = events.filter(_who_q("subject", subject))
        if since is not None:
            events = events.filter(created_at__date__gte=since)
        if until is not None:
            events = events.filter(created_at__date__lte=until)
        return events


def _who_q(role: str, text: str) -> Q:
    text = text.strip()
    if text.isdigit():
        return Q(**{f"{role}_id": int(text)})
    return Q(**{f"{role}_label__icontains": text})


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, blank=True, help_text="Who did it, as they were named then."
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    subject = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_label = models.CharField(
        max_length=200, blank=True, help_text="Whom it was about, as they were named then."
    )
    object_type = models.CharField(max_length=100, blank=True, help_text="e.g. labs.submission")
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(
        default=dict, blank=True, help_text="A few facts about the action; never private text."
    )
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_by_action"),
            models.Index(fields=["subject", "-created_at"], name="audit_by_subject"),
            models.Index(fields=["actor", "-created_at"], name="audit_by_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label or 'Cultivate'}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)
