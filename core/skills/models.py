"""The skill catalog and the skill matrix (DESIGN.md: these belong to `core`).

Skills and their targets are edited by staff and retired, never deleted. Assessments, evidence
and review requests are append-only rows written by `core.skills.services`; the current level
of a skill is derived from them (`core.skills.selectors`), never stored.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import CareerStage
from core.skills.querysets import AssessmentQuerySet, SkillQuerySet

__all__ = [
    "Assessment",
    "AssessorRole",
    "Evidence",
    "EvidenceKind",
    "Level",
    "ReviewRequest",
    "Skill",
    "SkillGroup",
    "SkillTarget",
]

LEVEL_VALIDATORS = [MinValueValidator(0), MaxValueValidator(4)]


class Level(models.IntegerChoices):
    NOT_YET = 0, "Not yet"
    LEARNING = 1, "Learning"
    INDEPENDENT = 2, "Independent"
    EXPERT = 3, "Expert"
    LEADING = 4, "Leading"


class SkillGroup(models.TextChoices):
    FOUNDATIONS = "foundations", "Engineering foundations"
    PRODUCTION_ML = "production_ml", "Production ML"
    GROWING_OTHERS = "growing_others", "Growing others"


def validate_evidence_url(value: str) -> None:
    """A web address or a path on this site; never javascript:, data: or the like."""
    if value.startswith("/") and not value.startswith("//"):
        return
    if not value.lower().startswith(("https://", "http://")):
        raise ValidationError("Give a web address starting with https:// (or a path on this site).")


class Skill(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=24, help_text="Label on the radar chart.")
    group = models.CharField(max_length=20, choices=SkillGroup.choices)
    description = models.TextField(help_text="Markdown.")
    rubric_0 = models.CharField("level 0 · not yet", max_length=300)
    rubric_1 = models.CharField("level 1 · learning", max_length=300)
    rubric_2 = models.CharField("level 2 · independent", max_length=300)
    rubric_3 = models.CharField("level 3 · expert", max_length=300)
    rubric_4 = models.CharField("level 4 · leading", max_length=300)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the catalog.")
    retired = models.BooleanField(
        default=False,
        help_text="Retired skills leave the matrix and the forms; their history is kept.",
    )

    objects = SkillQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("skills:skill", kwargs={"slug": self.slug})

    def rubric(self) -> list[tuple[int, str, str]]:
        """(level, level name, observable behaviour) for levels 0–4."""
        return [(level, label, self.rubric_for(level)) for level, label in Level.choices]

    def rubric_for(self, level: int) -> str:
        return getattr(self, f"rubric_{level}")


class SkillTarget(models.Model):
    """The level a career stage expects in a skill: the progression framework."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="targets")
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)

    class Meta:
        app_label = "core"
        ordering = ["skill__position", "career_stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "career_stage"],
                name="skill_target_one_per_stage",
                violation_error_message="This skill already has a target for this career stage.",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=4), name="skill_target_level_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.get_career_stage_display()} → {self.level}"


class AssessorRole(models.TextChoices):
    SELF = "self", "Self"
    MENTOR = "mentor", "Mentor"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"


class Assessment(models.Model):
    """One rating of one skill of one person, by themself or a reviewer. Never changed."""

    subject = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="skill_assessments"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        "core.Person",
        null=True,
        on_delete=models.SET_NULL,
        related_name="skill_assessments_given",
        help_text="Empty once the assessor's account is removed; the rating stays.",
    )
    assessor_role = models.CharField(max_length=10, choices=AssessorRole.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)
    note = models.TextField(blank=True, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["subject", "skill", "-created_at"], name="assessment_subject_skill"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=4), name="assessment_level_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.skill}: {self.level} ({self.get_assessor_role_display()})"


class EvidenceKind(models.TextChoices):
    LAB_RESULT = "lab_result", "Lab result"
    HACKATHON_PROJECT = "hackathon_project", "Hackathon project"
    FEEDBACK_NOTE = "feedback_note", "Feedback note"
    ANSWERED_QUESTION = "answered_question", "Answered question"
    EXTERNAL_LINK = "external_link", "External link"


class Evidence(models.Model):
    """Something that shows a person's level in a skill. Written by people or by other apps."""

    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="evidence")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    url = models.CharField(
        "link", max_length=500, validators=[validate_evidence_url], help_text="https://… or /path"
    )
    note = models.TextField(blank=True, help_text="Markdown.")
    created_by = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_recorded",
        help_text="Empty when the system recorded it (a graded lab, a hackathon result…).",
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="What recorded it, e.g. labs.submission:42; recording it again changes nothing.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "core"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "skill", "source"],
                condition=~Q(source=""),
                name="evidence_once_per_source",
                violation_error_message="This evidence is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.skill}: {self.title}"


class ReviewRequest(models.Model):
    """A person asks a reviewer (their manager or mentor) to assess one skill."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    requester = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="review_requests_sent"
    )
    reviewer = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="review_requests_received"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="review_requests")
    message = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_requests",
        help_text="The assessment that answered this request.",
    )

    class Meta:
        app_label = "core"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "reviewer", "skill"],
                condition=Q(status="open"),
                name="review_request_one_open",
                violation_error_message=(
                    "You have already asked them to review this skill; that request is open."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} asks {self.reviewer} to review {self.skill}"

    def clean(self) -> None:
        if self.requester_id is not None and self.requester_id == self.reviewer_id:
            raise ValidationError({"reviewer": "Ask someone else: you rate yourself directly."})
