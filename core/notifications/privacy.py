"""Notifications' part of a person's data (core.privacy): theirs and their preferences."""

from core.models import Person
from core.notifications.models import Notification, NotificationPreference
from core.privacy import Scrubber, export_rows


def export_notifications(person: Person) -> dict:
    return {
        "notifications": export_rows(
            Notification.objects.filter(recipient=person).order_by("created_at"),
            "created_at",
            "kind",
            "title",
            "body",
            "link",
            "shown",
            "emailed_at",
            "read_at",
        ),
        "preferences": export_rows(
            NotificationPreference.objects.filter(person=person).order_by("kind"),
            "kind",
            "in_app",
            "email",
        ),
    }


def erase_notifications(person: Person, scrub: Scrubber) -> None:
    """Their notifications and preferences go; those telling others what they did stay (the
    others' history), without their name."""
    Notification.objects.filter(recipient=person).delete()
    NotificationPreference.objects.filter(person=person).delete()
    scrub.rows(Notification.objects.filter(actor=person), "title", "body")
