"""Mentoring: mentor availability, mentorships and their sessions, feedback notes and requests.

Rows are written by `mentoring.services` and read through the `visible_to(user)` queryset
methods in `mentoring.querysets`.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentoring.querysets import (
    AnswerQuerySet,
    FeedbackNoteQuerySet,
    FeedbackRequestQuerySet,
    LearningEntryQuerySet,
    MentorshipQuerySet,
    PrivateNoteQuerySet,
    QuestionQuerySet,
    SessionQuerySet,
)

MAX_CAPACITY = 10


class MentorProfile(models.Model):
    """A person's availability as a mentor. A senior can be a mentor and a mentee at once."""

    person = models.OneToOneField(
        "core.Person", on_delete=models.CASCADE, related_name="mentor_profile"
    )
    open_to_mentoring = models.BooleanField(default=False)
    capacity = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_CAPACITY)],
        help_text="How many mentees at once.",
    )
    skills_offered = models.ManyToManyField(
        "core.Skill",
        blank=True,
        related_name="mentor_profiles",
        help_text="Only skills in which your current level is 3 or more.",
    )

    class Meta:
        ordering = ["person__user__first_name", "person__user__last_name"]

    def __str__(self) -> str:
        state = f"open, {self.capacity}" if self.open_to_mentoring else "closed"
        return f"{self.person} ({state})"

    def clean(self) -> None:
        if self.open_to_mentoring and self.capacity < 1:
            raise ValidationError(
                {"capacity": "Capacity must be at least 1 to be open to mentoring."}
            )


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14, Cadence.MONTHLY: 30}


class Mentorship(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ENDED = "ended", "Ended"
        DECLINED = "declined", "Declined"

    mentor = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
    proposed_by = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorships_proposed",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    goals = models.TextField(blank=True, help_text="Markdown.")
    goal_skills = models.ManyToManyField("core.Skill", blank=True, related_name="mentorships")
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    match_breakdown = models.JSONField(
        default=dict, blank=True, help_text="The matching score per criterion when proposed."
    )
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status__in=["proposed", "active"]),
                name="mentorship_one_open_pair",
                violation_error_message="These two already have a proposed or active mentorship.",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentorship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:mentorship", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.mentor_id is not None and self.mentor_id == self.mentee_id:
            raise ValidationError({"mentor": "Nobody can mentor themselves."})

    @property
    def cadence_days(self) -> int:
        return CADENCE_DAYS[self.cadence]

    def party(self, person) -> str:
        """ "mentor", "mentee" or "" for `person`."""
        if person is None:
            return ""
        if person.pk == self.mentor_id:
            return "mentor"
        if person.pk == self.mentee_id:
            return "mentee"
        return ""


class Session(models.Model):
    """A check-in: shared agenda and notes. Private notes hang off it, one per author."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    agenda = models.TextField(blank=True, help_text="Markdown, shared by both.")
    notes = models.TextField(blank=True, help_text="Markdown, shared by both.")
    created_by = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.mentorship.mentor} / {self.mentorship.mentee} on {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:session", kwargs={"pk": self.pk})


class ActionItem(models.Model):
    """Carries over from session to session until someone marks it done."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="action_items"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    done_in = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        # Not the text: it is the pair's, and the admin shows an object's name to staff.
        return f"Action item {self.pk} of {self.mentorship}"

    @property
    def done(self) -> bool:
        return self.done_at is not None


class PrivateNote(models.Model):
    """Only its author can ever read it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(help_text="Markdown; only you can read it.")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrivateNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="private_note_one_each")
        ]

    def __str__(self) -> str:
        return f"Private note #{self.pk}"


class FeedbackCategory(models.TextChoices):
    CODING = "coding", "Coding"
    COLLABORATION = "collaboration", "Collaboration"
    PRIORITISATION = "prioritisation", "Prioritisation"
    OTHER = "other", "Other"


class FeedbackKind(models.TextChoices):
    PRAISE = "praise", "Praise"
    CONSTRUCTIVE = "constructive", "Constructive"


class FeedbackVisibility(models.TextChoices):
    PRIVATE = "private", "Recipient and author"
    WITH_MANAGERS = "with_managers", "Recipient, author and the recipient's managers"
    MANAGERS_ONLY = "managers_only", "The recipient's managers only (not the recipient)"


class FeedbackRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"

    requester = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="feedback_requests_sent"
    )
    asked = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="feedback_requests_received"
    )
    about = models.CharField(max_length=300, help_text="What you would like feedback on.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FeedbackRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.requester} asks {self.asked}: {self.about}"

    def clean(self) -> None:
        if self.requester_id is not None and self.requester_id == self.asked_id:
            raise ValidationError({"asked": "Ask someone else for feedback."})


class FeedbackNote(models.Model):
    author = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="feedback_given"
    )
    recipient = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="feedback_received"
    )
    category = models.CharField(max_length=16, choices=FeedbackCategory.choices)
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    body = models.TextField(help_text="Markdown.")
    visibility = models.CharField(
        max_length=16, choices=FeedbackVisibility.choices, default=FeedbackVisibility.PRIVATE
    )
    request = models.OneToOneField(
        FeedbackRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answer",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = FeedbackNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(author=models.F("recipient")), name="feedback_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback #{self.pk} for {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:feedback-note", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.author_id is not None and self.author_id == self.recipient_id:
            raise ValidationError({"recipient": "Feedback is for someone else, not yourself."})


class Question(models.Model):
    """A question on the board, under the author's name or anonymously.

    `author` is kept so that the author alone can edit the question and accept an answer; for an
    anonymous question it is never shown to anyone (pages, API, admin, e-mails): read the asker
    through `shown_author`, which is None then."""

    author = models.ForeignKey(
        "core.Person", null=True, on_delete=models.SET_NULL, related_name="questions_asked"
    )
    anonymous = models.BooleanField(default=False, help_text="Nobody will see that you asked.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="questions")
    accepted_answer = models.ForeignKey(
        "Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reraised_at = models.DateTimeField(
        null=True, blank=True, help_text="When the experts were reminded (once, after 48 hours)."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mentoring:question", kwargs={"pk": self.pk})

    @property
    def shown_author(self):
        """The author as others may see them: None for an anonymous question."""
        return None if self.anonymous else self.author

    def is_asked_by(self, person) -> bool:
        return person is not None and self.author_id is not None and self.author_id == person.pk


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Answer #{self.pk} to {self.question}"

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"


MAX_LEARNING_MINUTES = 600


class LearningEntry(models.Model):
    """Time spent learning, counted against a weekly goal (MENTORING_LEARNING_GOAL_MINUTES)."""

    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="learning_entries"
    )
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEARNING_MINUTES)],
        help_text="1 to 600 minutes.",
    )
    what = models.CharField(max_length=200, help_text="What you learned or practised.")
    skill = models.ForeignKey(
        "core.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lab = models.ForeignKey(
        "labs.Lab", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LearningEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "learning entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_LEARNING_MINUTES),
                name="learning_minutes_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.minutes} min on {self.date}"
