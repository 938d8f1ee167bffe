"""Hackathons: events and their phases, ideas and votes, teams, submissions, judging.

Rows are written by `hackathons.services` and read through the `visible_to(user)` queryset
methods in `hackathons.querysets`. An event's phase is never stored: it follows from its dates
and the clock (`Event.phase_at`).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from hackathons.querysets import (
    EventQuerySet,
    IdeaQuerySet,
    ScoreQuerySet,
    SubmissionQuerySet,
    TeamQuerySet,
)

SCORE_MIN, SCORE_MAX = 1, 5


class Phase(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    IDEAS = "ideas", "Ideas"
    TEAMS = "teams", "Team formation"
    BUILDING = "building", "Building"
    JUDGING = "judging", "Judging"
    RESULTS = "results", "Results"


PHASE_ORDER = [p.value for p in Phase]


class Event(models.Model):
    """One hackathon. Phases: ideas from `ideas_open_at`, teams from `teams_open_at`, building
    from `building_starts_at` until the submission deadline, then judging until the organisers
    publish the results."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=160)
    theme = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    organisers = models.ManyToManyField(
        "core.Person", related_name="hackathons_organised", blank=True
    )
    judges = models.ManyToManyField("core.Person", related_name="hackathons_judged", blank=True)
    max_team_size = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    ideas_open_at = models.DateTimeField()
    teams_open_at = models.DateTimeField()
    building_starts_at = models.DateTimeField()
    submission_deadline = models.DateTimeField()
    deadline_extended_to = models.DateTimeField(
        null=True, blank=True, help_text="Set by extending the deadline (recorded)."
    )
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-building_starts_at", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hackathons:event", kwargs={"slug": self.slug})

    def clean(self) -> None:
        dates = [
            ("ideas_open_at", self.ideas_open_at),
            ("teams_open_at", self.teams_open_at),
            ("building_starts_at", self.building_starts_at),
            ("submission_deadline", self.submission_deadline),
        ]
        for (_, earlier), (name, later) in zip(dates, dates[1:], strict=False):
            if earlier and later and later < earlier:
                raise ValidationError({name: "The phases must follow one another in time."})

    @property
    def effective_deadline(self):
        return max(filter(None, [self.submission_deadline, self.deadline_extended_to]))

    def phase_at(self, now) -> str:
        if self.results_published_at is not None:
            return Phase.RESULTS
        if now < self.ideas_open_at:
            return Phase.UPCOMING
        if now < self.teams_open_at:
            return Phase.IDEAS
        if now < self.building_starts_at:
            return Phase.TEAMS
        if now < self.effective_deadline:
            return Phase.BUILDING
        return Phase.JUDGING

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    def get_phase_display(self) -> str:
        return Phase(self.phase).label

    def phase_is(self, *phases: str) -> bool:
        return self.phase in phases


class DeadlineExtension(models.Model):
    """The record of an organiser moving the submission deadline."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    extended_by = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_deadline = models.DateTimeField()
    new_deadline = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event}: deadline to {self.new_deadline:%Y-%m-%d %H:%M}"


class Criterion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="criterion_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


class Idea(models.Model):
    """Proposed in the standing backlog (`event` empty) or for one event."""

    title = models.CharField(max_length=160)
    problem = models.TextField(help_text="Markdown: what hurts, and whom.")
    approach = models.TextField(blank=True, help_text="Markdown: how you would try it.")
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="hackathon_ideas")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    proposer = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="hackathon_ideas"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hackathons:idea", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "An idea cannot be merged into itself."})

    @property
    def text(self) -> str:
        """What duplicate detection compares."""
        return f"{self.title}\n{self.problem}\n{self.approach}"


class Vote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "person"], name="vote_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} ▲ {self.idea}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.idea}"


class Team(models.Model):
    """Formed around one idea of the event; `lead` founded it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="teams")
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    lead = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="team_unique_name_per_event")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hackathons:team", kwargs={"pk": self.pk})


class Membership(models.Model):
    """`event` repeats the team's event so that the database itself keeps a person in at most
    one team per event."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="hackathon_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="membership_one_team_per_event",
                violation_error_message="This person is already in a team of this event.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class JoinRequest(models.Model):
    """A person asks to join (REQUEST: the team answers) or a member invites someone
    (INVITATION: that person answers)."""

    class Kind(models.TextChoices):
        REQUEST = "request", "Join request"
        INVITATION = "invitation", "Invitation"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="join_requests")
    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending",
                violation_error_message="There is already a pending request for this person.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} → {self.team} ({self.status})"


class Submission(models.Model):
    """A team's project. A draft (`submitted_at` empty) is seen by its team only."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="submission")
    title = models.CharField(max_length=160)
    summary = models.TextField(blank=True, help_text="Markdown.")
    repository_url = models.URLField(blank=True)
    demo_url = models.URLField(blank=True)
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="hackathon_projects")
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hackathons:submission", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


def _attachment_path(instance, filename: str) -> str:
    return f"hackathons/{instance.submission_id}/{filename}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    notebook_html = models.TextField(
        blank=True, help_text="A notebook rendered by nbconvert and sanitised."
    )
    uploaded_by = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_notebook(self) -> bool:
        return bool(self.notebook_html)


class Score(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "judge", "criterion"], name="score_one_per_judge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge} gave {self.submission} {self.value} for {self.criterion.name}"


class Award(models.Model):
    """Named per event (e.g. "Best use of telemetry"); given to one submission."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="awards")
    name = models.CharField(max_length=120)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="awards"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
