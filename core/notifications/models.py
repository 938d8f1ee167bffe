"""Notifications and the preferences that decide where they go (DESIGN.md: `core`).

A notification is written once per recipient and `dedupe_key` (the database says so), so a task
delivered twice shows one notification and sends one e-mail. Preferences are per person and
kind; a kind without a row uses the defaults in `KIND_DEFAULTS`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

__all__ = ["Notification", "NotificationKind", "NotificationPreference"]


class NotificationKind(models.TextChoices):
    FEEDBACK_RECEIVED = "feedback_received", "Feedback for you"
    MENTORSHIP_PROPOSED = "mentorship_proposed", "Mentorship proposed"
    MENTORSHIP_ACCEPTED = "mentorship_accepted", "Mentorship accepted"
    # "Review request" also names the kind in the log when an e-mail cannot be sent.
    REVIEW_REQUESTED = "review_requested", "Review request for a skill"
    SUBMISSION_GRADED = "submission_graded", "Lab attempt graded"
    SUBMISSION_WAITING_SIGNOFF = "submission_waiting_signoff", "Lab grade waiting for sign-off"
    QUESTION_ANSWERED = "question_answered", "Answer to your question"
    TEAM_INVITATION = "team_invitation", "Hackathon team invitation"
    RESULTS_PUBLISHED = "results_published", "Hackathon results published"


# What each kind is about, in words for the preferences page.
KIND_DESCRIPTIONS = {
    NotificationKind.FEEDBACK_RECEIVED: "Someone wrote you a feedback note you may read.",
    NotificationKind.MENTORSHIP_PROPOSED: "A mentorship with you as mentor or mentee waits "
    "for your answer.",
    NotificationKind.MENTORSHIP_ACCEPTED: "A mentorship you are part of or proposed starts.",
    NotificationKind.REVIEW_REQUESTED: "Someone asks you to review their level in a skill.",
    NotificationKind.SUBMISSION_GRADED: "Your lab attempt is graded, signed off or sent back.",
    NotificationKind.SUBMISSION_WAITING_SIGNOFF: "A grade of someone you manage or mentor "
    "waits for your sign-off.",
    NotificationKind.QUESTION_ANSWERED: "Someone answered a question you asked (anonymous "
    "ones too; nobody learns that you asked).",
    NotificationKind.TEAM_INVITATION: "A hackathon team invites you to join.",
    NotificationKind.RESULTS_PUBLISHED: "The results of a hackathon you took part in are out.",
}

# (in the app, by e-mail) for a kind the person has not set: every kind listed in issue 14
# matters enough for an e-mail; anyone can switch each one off.
KIND_DEFAULTS: dict[str, tuple[bool, bool]] = dict.fromkeys(NotificationKind.values, (True, True))


def validate_site_path(value: str) -> None:
    """A path on this site ("/labs/…"): never another site, javascript: or the like."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        raise ValidationError("Give a path on this site, starting with a single /.")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """Your own notifications, nobody else's: not your manager's, not staff's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        person = getattr(user, "person", None)
        if person is None:
            return self.none()
        return self.filter(recipient=person, shown=True)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did what this is about, if a person did (never an anonymous asker).",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Plain text.")
    link = models.CharField(
        max_length=500, validators=[validate_site_path], help_text="A path on this site."
    )
    dedupe_key = models.CharField(
        max_length=200, help_text="What this is about; one notification per recipient and key."
    )
    shown = models.BooleanField(
        default=True,
        help_text="False when the recipient switched this kind off in the app: the row only "
        "remembers that the e-mail went out, so that it goes once.",
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            # The unread count in the navigation, on every page: only unread rows are indexed.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, shown=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", kwargs={"pk": self.pk})

    @property
    def unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """Where one kind of notification goes for one person. No row: `KIND_DEFAULTS`."""

    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], name="notification_preference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"
