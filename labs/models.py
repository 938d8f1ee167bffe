from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from labs.format.release import answers_digest
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
    # What the learner's answers hash to: identical code shows which tests are flaky.
    answers_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # The version whose tests gave the current grade: the one submitted to, or a regrade's.
    graded_version = models.ForeignKey(
        LabVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    results = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    # What the learner may see of the run; rendered to `feedback_html` when first opened.
    feedback_notebook = models.JSONField(default=dict, blank=True)
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

    def save(self, *args, **kwargs):
        if not self.answers_digest:
            self.answers_digest = answers_digest(self.answers or {})
        super().save(*args, **kwargs)

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


class GradingRun(models.Model):
    """One grading of a submission, kept as it was: the first and every regrade (append-only).
    The submission row carries the current grade; these rows are its history."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="+")
    regrade = models.ForeignKey(
        "Regrade", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    status = models.CharField(max_length=20, choices=SubmissionStatus.choices)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    results = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    telemetry = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # A regrade task delivered twice adds one run.
            models.UniqueConstraint(
                fields=["regrade", "submission"],
                condition=models.Q(regrade__isnull=False),
                name="grading_run_once_per_regrade",
            )
        ]

    def __str__(self) -> str:
        return f"run of submission #{self.submission_id} against v{self.version_id}"


class Regrade(models.Model):
    """Staff re-run earlier submissions against a lab version: one Celery task each."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="regrades")
    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="regrades")
    requested_by = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_ids = models.JSONField(default=list, help_text="The submissions it regrades.")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"regrade of {self.lab.slug} against v{self.version.number}"

    def get_absolute_url(self) -> str:
        return reverse("labs:regrade", kwargs={"pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.done + self.failed >= self.total

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


class GradeAdjustment(models.Model):
    """A person's grade for one item of a submission: a free-response answer graded by hand, or
    a test's points overridden. Append-only: the latest row for an item is what counts."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="adjustments")
    item = models.CharField(max_length=100, help_text="The grade id of the cell.")
    title = models.CharField(max_length=200)
    manual = models.BooleanField(help_text="A free-response answer rather than a test.")
    old_points = models.FloatField(null=True, blank=True, help_text="Empty: not graded before.")
    new_points = models.FloatField()
    max_points = models.FloatField()
    comment = models.TextField(blank=True, help_text="Markdown: why.")
    by = models.ForeignKey("core.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.old_points} → {self.new_points} (#{self.submission_id})"


class LabRating(models.Model):
    """A learner's rating of a lab (1–5), once per lab; rating again replaces it."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="ratings")
    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "person"], name="lab_rating_once"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="lab_rating_stars_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}/5 for {self.lab.slug}"


class LabProblemReport(models.Model):
    """A learner's report of a problem with a lab (a wrong test, unclear text); authors close it."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="problem_reports")
    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=5000, help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"problem with {self.lab.slug} #{self.pk}"
