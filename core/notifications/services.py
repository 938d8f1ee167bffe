"""Writes for notifications. Keyword-only, typed, validated with full_clean().

`notification_create` is called from Celery tasks only (each app's thin task, after the commit
of the change it tells about), so no e-mail is ever sent inside a request.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from core.models import Person
from core.notifications import selectors
from core.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
)
from core.services import mail_safely, site_link

TITLE_LENGTH = Notification._meta.get_field("title").max_length


def notification_create(
    *,
    recipient: Person,
    kind: str,
    title: str,
    body: str = "",
    link: str,
    dedupe_key: str,
    actor: Person | None = None,
) -> Notification | None:
    """Tell `recipient` about something, in the app and by e-mail as their preferences for
    `kind` say; `actor` is who did it, if a person did. The same `dedupe_key` twice (a task
    delivered again) adds nothing and sends nothing. Returns the new notification, or None when
    nothing new was delivered."""
    if not recipient.user.is_active:
        return None
    in_app, email = selectors.channels_for(person=recipient, kind=kind)
    if not (in_app or email):
        return None
    if Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
        return None
    notification = Notification(
        recipient=recipient,
        kind=kind,
        actor=actor,
        # One line: titles are e-mail subjects too, and names in them come from people.
        title=Truncator(" ".join(title.split())).chars(TITLE_LENGTH),
        body=body.strip(),
        link=link,
        dedupe_key=dedupe_key,
        shown=in_app,
    )
    notification.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None  # the same delivery, running at the same moment elsewhere, got there first
    if email and _mail(notification):
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return notification


def _mail(notification: Notification) -> bool:
    body = f"{notification.body}\n\n" if notification.body else ""
    preferences = site_link(reverse("notifications:preferences"))
    return mail_safely(
        to=[notification.recipient.user.email],
        subject=notification.title,
        body=(
            f"{body}{site_link(notification.link)}\n\n"
            f"-- \nChoose what Cultivate tells you, and how: {preferences}\n"
        ),
        what=(
            f"{notification.get_kind_display().lower()} to person "
            f"{notification.recipient_id} ({notification.dedupe_key})"
        ),
    )


def notification_mark_read(*, notification: Notification, person: Person) -> Notification:
    if notification.recipient_id != person.pk:
        raise PermissionDenied("Only the recipient marks a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, person: Person) -> int:
    """Mark every unread notification of `person` read; returns how many there were."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_update(
    *, person: Person, preferences: dict[str, tuple[bool, bool]]
) -> list[selectors.Preference]:
    """Set (in the app, by e-mail) per kind; kinds left out keep what they had."""
    unknown = sorted(set(preferences) - set(NotificationKind.values))
    if unknown:
        raise ValidationError({"kind": f"Unknown kinds of notification: {', '.join(unknown)}."})
    for kind, (in_app, email) in preferences.items():
        NotificationPreference.objects.update_or_create(
            person=person, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
    return selectors.preferences_of(person=person)
