from django.conf import settings
from django.db import models
from django.urls import reverse

from labs.querysets import SubmissionQuerySet
from labs.spec import LabSpec, readable_id


class Lab(models.Model):
    """A hands-on lab; what it contains lives in its versions (the current one is released)."""

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    skills = models.JSONField(default=list, blank=True, help_text="Skill slugs.")
    current_version = models.ForeignKey(
        "LabVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("labs:detail", kwargs={"slug": self.slug})


class LabVersion(models.Model):
    """One import of a lab: immutable; submissions pin the version they were made against."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    source_format = models.CharField(max_length=20)
    spec = models.JSONField(help_text="The parsed lab, hidden tests and expected values included.")
    release = models.JSONField(help_text="The learner notebook.")
    validation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["lab", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "number"], name="lab_version_number_unique"),
            models.UniqueConstraint(fields=["lab", "content_hash"], name="lab_version_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lab.slug} v{self.number} ({self.content_hash[:12]})"

    def get_spec(self) -> LabSpec:
        return LabSpec.from_dict(self.spec)


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    GRADED = "graded", "Graded"
    NEEDS_REVIEW = "needs_review", "Needs review"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Sent back by a reviewer"


class Submission(models.Model):
    """A learner's notebook for one lab version; the row is the source of truth for grading."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="submissions")
    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="lab_submissions"
    )
    attempt = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED
    )
    answers = models.JSONField(help_text="grade_id → the learner's cell; nothing else is kept.")
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    results = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    feedback_html = models.TextField(blank=True)
    telemetry = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Grading bookkeeping: who holds the row, until when, and how often it was claimed/graded.
    claimed_by = models.CharField(max_length=255, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claims = models.PositiveIntegerField(default=0)
    times_graded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "person", "attempt"], name="submission_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab.slug} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("labs:submission", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (
            SubmissionStatus.GRADED,
            SubmissionStatus.NEEDS_REVIEW,
            SubmissionStatus.FAILED,
            SubmissionStatus.REJECTED,
        )

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score, 1)

    @property
    def result_rows(self) -> list[dict]:
        """The per-test results, each titled for people: results stored before tests had
        readable titles carry their grade id as the title."""
        return [
            {**result, "title": readable_id(result.get("id"))}
            if result.get("title") in (None, "", result.get("id"))
            else result
            for result in self.results
        ]


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Sent back"


class SubmissionReview(models.Model):
    """A reviewer's sign-off on a grade that waited for one: append-only history."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    # Kept when the reviewer leaves: the decision stays part of the submission's history.
    reviewer = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="lab_reviews"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True, help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: submission #{self.submission_id}"
