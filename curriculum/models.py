"""Learning paths: a path is ordered modules, a module ordered steps; people enrol in paths.

Paths, modules and steps are loaded from the files under `curriculum/paths/` (`load_curriculum`)
and are not edited here. Progress is never stored: a step is done when what it asks for happened
(a lab passed, evidence recorded, an activity done), see `curriculum.selectors`.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.skills.models import EvidenceKind
from curriculum.querysets import EnrolmentQuerySet


class Audience(models.TextChoices):
    EARLY_CAREER = "early_career", "Early-career engineers"
    SENIOR = "senior", "Senior engineers"
    MANAGER = "manager", "Managers"


class Path(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    summary = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")
    source = models.CharField(max_length=200, blank=True, help_text="The file it was loaded from.")

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curriculum:path", kwargs={"slug": self.slug})


class Module(models.Model):
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    reading = models.TextField(blank=True, help_text="Markdown.")
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="path_modules")

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="module_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.path.title} · {self.position}. {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.path.get_absolute_url()}#module-{self.position}"


class StepKind(models.TextChoices):
    LAB = "lab", "Pass a lab"
    EVIDENCE = "evidence", "Evidence of a skill"
    ACTIVITY = "activity", "An activity"


class Step(models.Model):
    """One thing to do. Which fields matter depends on the kind: `lab_slug` for a lab (a slug,
    so a path loads before its labs are imported), `skill` (and optionally `evidence_kind`) for
    evidence, `activity` (a key of `core.activities`) for an activity."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    title = models.CharField(max_length=200, blank=True, help_text="Empty: said from the kind.")
    lab_slug = models.SlugField("lab", max_length=50, blank=True)
    skill = models.ForeignKey(
        "core.Skill", null=True, blank=True, on_delete=models.PROTECT, related_name="path_steps"
    )
    evidence_kind = models.CharField(
        max_length=20, choices=EvidenceKind.choices, blank=True, help_text="Empty: any kind."
    )
    activity = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind="lab", skill__isnull=True, activity="") & ~Q(lab_slug="")
                    | Q(kind="evidence", skill__isnull=False, lab_slug="", activity="")
                    | Q(kind="activity", skill__isnull=True, lab_slug="") & ~Q(activity="")
                ),
                name="step_fields_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} · step {self.position}"


class Enrolment(models.Model):
    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="path_enrolments"
    )
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_by = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="path_enrolments_made",
        help_text="The person themself, or their manager.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["path__position", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "path"],
                name="enrolment_once_per_path",
                violation_error_message="Already enrolled in this path.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.path}"
