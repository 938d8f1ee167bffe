import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone as django_timezone
from django.utils.text import slugify

from core.querysets import PersonQuerySet


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).")


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subteams",
        help_text="The team this one belongs to, if any.",
    )
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("team-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A team cannot sit inside itself."})
            ancestor = ancestor.parent


class CareerStage(models.TextChoices):
    EARLY_CAREER = "early_career", "Early-career"
    SENIOR = "senior", "Senior"
    STAFF = "staff", "Staff"
    PRINCIPAL = "principal", "Principal"


class Person(models.Model):
    """One per user: where they sit in the organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        db_index=False,  # person_manager_chain below starts with it
    )
    career_stage = models.CharField(
        max_length=20, choices=CareerStage.choices, default=CareerStage.EARLY_CAREER
    )
    title = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    joined_on = models.DateField(default=django_timezone.localdate)
    bio = models.TextField(blank=True, help_text="Markdown.")
    onboarded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When they finished setting up after their first sign-in; empty until then.",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        verbose_name_plural = "people"
        indexes = [
            # `reports_of` walks the reporting lines one level at a time: (manager, id) answers
            # each step from the index alone, where an index on manager alone left PostgreSQL
            # scanning every person per level (bench/README.md, "Pages at 100, 1,000 and
            # 10,000 people").
            models.Index(fields=["manager", "id"], name="person_manager_chain"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("person-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.manager_id is None:
            return
        if self.manager_id == self.pk:
            raise ValidationError({"manager": "Nobody can be their own manager."})
        if self.pk and Person.objects.reports_of(self).filter(pk=self.manager_id).exists():
            raise ValidationError(
                {"manager": "That person reports to this one; the reporting line would loop."}
            )

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username


class WorkerHeartbeat(models.Model):
    """Written by a periodic Celery task: proof that a worker consumes from the broker."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


# The skill catalog and matrix live in their own sub-package but belong to the `core` app, as
# do the notifications and their preferences (core/notifications) and the audit log (core/audit).
from core.audit.models import *  # noqa: E402, F403
from core.notifications.models import *  # noqa: E402, F403
from core.skills.models import *  # noqa: E402, F403
