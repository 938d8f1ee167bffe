"""Writes for the audit log: one insert per sensitive action, in the action's transaction.

An audit event is not a notification: it is written by the request (or service) that does the
action, right there, so that it exists exactly when the action does (a rolled-back action leaves
no event; a committed one always has its event)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.http import HttpRequest

from core.audit.models import AuditEvent
from core.models import Person

LABEL_LENGTH = AuditEvent._meta.get_field("actor_label").max_length


def audit_record(
    *,
    actor: Person | AbstractBaseUser | None,
    action: str,
    subject: Person | None = None,
    obj: models.Model | None = None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record that `actor` (a person, or an account without one; None: Cultivate itself) did
    `action` about `subject`, on `obj`. `detail` holds a few facts (ids, a decision, points),
    never the private text itself."""
    actor_person, actor_label = _who(actor)
    event = AuditEvent(
        actor=actor_person,
        actor_label=actor_label,
        action=action,
        subject=subject,
        subject_label=_who(subject)[1],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=_ip(request),
    )
    event.full_clean(exclude=["actor", "subject"])  # given as rows: no query to check them
    event.save()
    return event


def audit_read(
    *,
    user: AbstractBaseUser,
    action: str,
    subject: Person,
    obj: models.Model | None = None,
    owner_ids: tuple = (),
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """Record that `user` read `subject`'s data, unless it is their own: the subject's, or one
    whose author (`owner_ids`, person ids) is the reader."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is not None and (person.pk == subject.pk or person.pk in owner_ids):
        return None
    return audit_record(actor=user, action=action, subject=subject, obj=obj, request=request)


def _who(someone: Person | AbstractBaseUser | None) -> tuple[Person | None, str]:
    """(the person, the label frozen in the row) for a person, an account or nobody."""
    if someone is None:
        return None, ""
    if isinstance(someone, Person):
        person, user = someone, someone.user
    else:
        user = someone
        person = getattr(user, "person", None) if user.is_authenticated else None
    if not user.is_authenticated:
        return None, ""
    full_name = user.get_full_name()
    label = f"{full_name} ({user.get_username()})" if full_name else user.get_username()
    return person, label[:LABEL_LENGTH]


def _ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: a proxy's X-Forwarded-For is whatever the client wrote, unless the
    # proxy sets REMOTE_ADDR itself.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None
