"""Reads for notifications: every page and the API go through `Notification.objects.visible_to`,
so somebody else's notification is a 404."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from core.models import Person
from core.notifications.models import (
    KIND_DEFAULTS,
    KIND_DESCRIPTIONS,
    Notification,
    NotificationKind,
    NotificationPreference,
)


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    description: str
    in_app: bool
    email: bool


def notification_list(*, user: AbstractBaseUser, unread_only: bool = False) -> QuerySet:
    notifications = Notification.objects.visible_to(user).select_related("actor__user")
    return notifications.unread() if unread_only else notifications


def notification_get(*, user: AbstractBaseUser, pk: int) -> Notification:
    notification = Notification.objects.visible_to(user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def unread_count(*, person: Person | None) -> int:
    """The number in the navigation: one query on an index of unread rows."""
    if person is None:
        return 0
    return Notification.objects.filter(recipient=person, shown=True, read_at__isnull=True).count()


def preferences_of(*, person: Person) -> list[Preference]:
    """Every kind, in the order of `NotificationKind`, with the person's choice or the default."""
    chosen = {
        row.kind: (row.in_app, row.email)
        for row in NotificationPreference.objects.filter(person=person)
    }
    return [
        Preference(
            kind=kind.value,
            label=kind.label,
            description=KIND_DESCRIPTIONS[kind],
            in_app=chosen.get(kind.value, KIND_DEFAULTS[kind.value])[0],
            email=chosen.get(kind.value, KIND_DEFAULTS[kind.value])[1],
        )
        for kind in NotificationKind
    ]


def channels_for(*, person: Person, kind: str) -> tuple[bool, bool]:
    """(in the app, by e-mail) for one kind of notification to `person`."""
    row = NotificationPreference.objects.filter(person=person, kind=kind).first()
    return (row.in_app, row.email) if row else KIND_DEFAULTS[kind]
