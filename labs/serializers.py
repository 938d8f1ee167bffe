from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.markdown import render_markdown
from labs import ratings, selectors
from labs.models import (
    GradeAdjustment,
    GradingRun,
    Lab,
    LabProblemReport,
    LabRating,
    Submission,
    SubmissionReview,
)


class LabSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()
    description_html = serializers.SerializerMethodField()

    class Meta:
        model = Lab
        fields = ["slug", "title", "description", "description_html", "skills", "version",
                  "max_score"]  # fmt: skip

    def get_version(self, lab: Lab) -> int | None:
        return lab.current_version.number if lab.current_version else None

    def get_max_score(self, lab: Lab) -> float | None:
        return lab.current_version.get_spec().max_score if lab.current_version else None

    def get_description_html(self, lab: Lab) -> str:
        return render_markdown(lab.description)


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class SubmissionUploadSerializer(serializers.Serializer):
    notebook = serializers.FileField(help_text="The .ipynb file, downloaded from this lab.")


class TestResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="The test's grade id.")
    title = serializers.CharField(
        help_text="The test's docstring or first comment, else its grade id in words."
    )
    passed = serializers.BooleanField(
        allow_null=True, help_text="Null for an answer a person grades by hand."
    )
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    hidden = serializers.BooleanField(default=False)
    message = serializers.CharField()
    manual = serializers.BooleanField(default=False, help_text="An answer graded by hand.")
    pending = serializers.BooleanField(
        default=False, help_text="Graded by hand, and no one has graded it yet."
    )
    adjusted = serializers.BooleanField(
        default=False, help_text="A person gave or changed these points (see the history)."
    )


class LabAttemptsSerializer(serializers.Serializer):
    used = serializers.IntegerField(
        help_text="Attempts at the lab; one that failed to grade does not count."
    )
    limit = serializers.IntegerField(help_text="The lab's limit; 0 when it has none.")
    left = serializers.IntegerField(allow_null=True, help_text="Null when there is no limit.")


class SubmissionSerializer(serializers.ModelSerializer):
    """Reads submissions from `selectors.submission_list`/`submission_get` (annotated)."""

    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    results = TestResultSerializer(source="result_rows", many=True, read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    percent = serializers.FloatField(read_only=True, allow_null=True)
    passing_score = serializers.SerializerMethodField(
        help_text="The percent of the points the lab asks for, in the version that graded it."
    )
    passed = serializers.SerializerMethodField(
        help_text="Whether the grade reaches the passing score; null until the grade is final "
        "(queued, running, needs_review, failed)."
    )
    verdict = serializers.SerializerMethodField(
        help_text="The grade against the passing score, in words."
    )
    attempts = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        source="version.number", read_only=True, help_text="The version submitted to."
    )
    graded_version = serializers.IntegerField(
        source="graded_version.number",
        read_only=True,
        allow_null=True,
        help_text="The version whose tests gave the current grade (a regrade's, or the one "
        "submitted to); null until graded.",
    )

    class Meta:
        model = Submission
        fields = ["id", "lab", "status", "score", "max_score", "percent", "passing_score",
                  "passed", "verdict", "results", "flags", "attempt", "attempts", "version",
                  "graded_version", "created_at", "graded_at"]  # fmt: skip

    def get_passing_score(self, submission: Submission) -> float:
        return selectors.submission_passing_score(submission)

    def get_passed(self, submission: Submission) -> bool | None:
        return selectors.submission_passed(submission)

    def get_verdict(self, submission: Submission) -> str:
        return selectors.submission_verdict(submission)

    @extend_schema_field(LabAttemptsSerializer)
    def get_attempts(self, submission: Submission) -> dict:
        attempts = selectors.submission_attempts(submission)
        return {"used": attempts.used, "limit": attempts.limit, "left": attempts.left}


class ReviewCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Markdown. Required to send an attempt back: the learner reads it.",
    )


class ReviewQueueSerializer(SubmissionSerializer):
    """A submission waiting for a sign-off, as the review queue lists it."""

    learner = serializers.SerializerMethodField()
    flag_words = serializers.SerializerMethodField(help_text="The flags, in words.")
    waiting_since = serializers.DateTimeField(source="graded_at", read_only=True)

    class Meta(SubmissionSerializer.Meta):
        # No status: every row waits for a sign-off (needs_review).
        fields = ["id", "lab", "learner", "score", "max_score", "percent", "flags", "flag_words",
                  "attempt", "waiting_since"]  # fmt: skip

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        }
    )
    def get_learner(self, submission: Submission) -> dict:
        return {"id": submission.person_id, "name": submission.person.display_name}

    def get_flag_words(self, submission: Submission) -> list[str]:
        return selectors.flag_words(submission.flags)


class GradebookLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    team = serializers.CharField(source="team.slug", default=None, allow_null=True)
    career_stage = serializers.CharField()


class GradebookRowSerializer(serializers.Serializer):
    """A learner's standing in the lab (`labs.gradebook.GradebookRow`)."""

    learner = GradebookLearnerSerializer(source="person")
    attempts = LabAttemptsSerializer()
    latest_status = serializers.CharField(help_text="The latest attempt's status; empty: none.")
    latest_score = serializers.FloatField(allow_null=True)
    latest_max_score = serializers.FloatField()
    best_score = serializers.FloatField(
        allow_null=True, help_text="The highest share of the points in any graded attempt."
    )
    best_max_score = serializers.FloatField()
    max_score = serializers.FloatField(help_text="The current version's maximum.")
    passing_score = serializers.FloatField(help_text="Percent, in the current version.")
    passed = serializers.BooleanField(
        help_text="A final grade reached the passing score of the version that graded it."
    )
    state = serializers.ChoiceField(choices=list(selectors.LAB_STATES))
    state_label = serializers.CharField()
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    passed_at = serializers.DateTimeField(allow_null=True, help_text="The first passing grade.")
    time_to_complete = serializers.CharField(
        help_text="From the first submission to the first passing grade, in words; empty: not "
        "passed."
    )


class GradeAdjustmentSerializer(serializers.ModelSerializer):
    by = serializers.CharField(
        source="by.display_name", read_only=True, allow_null=True, help_text="Who; null: gone."
    )

    class Meta:
        model = GradeAdjustment
        fields = ["id", "item", "title", "manual", "old_points", "new_points", "max_points",
                  "comment", "by", "created_at"]  # fmt: skip


class GradeAdjustmentInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100, help_text="The grade id of the cell.")
    points = serializers.FloatField(min_value=0)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000,
        help_text="Markdown: why. Required when the points change a grade.",
    )  # fmt: skip


class GradingRunSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    results = TestResultSerializer(many=True, read_only=True)

    class Meta:
        model = GradingRun
        fields = ["id", "version", "regrade", "status", "score", "max_score", "results", "flags",
                  "error", "created_at"]  # fmt: skip


class SubmissionReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(
        source="reviewer.display_name", read_only=True, allow_null=True, help_text="null: gone."
    )

    class Meta:
        model = SubmissionReview
        fields = ["id", "decision", "comment", "reviewer", "created_at"]


class SubmissionHistorySerializer(serializers.Serializer):
    runs = GradingRunSerializer(many=True, help_text="Every grading, oldest first.")
    adjustments = GradeAdjustmentSerializer(many=True, help_text="Points given by hand.")
    reviews = SubmissionReviewSerializer(many=True, help_text="Sign-offs, oldest first.")


class RegradeRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version number; the current one if left out."
    )


class RegradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lab = serializers.CharField()
    version = serializers.IntegerField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    finished_at = serializers.DateTimeField(allow_null=True)
    words = serializers.CharField()


# --- learners' feedback on labs (labs.ratings) ------------------------------------------------


class RatingInputSerializer(serializers.Serializer):
    stars = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text="1 (poor) to 5 (excellent).",
        error_messages={
            "required": ratings.STARS_RANGE,
            "invalid": ratings.STARS_RANGE,
            "min_value": ratings.STARS_RANGE,
            "max_value": ratings.STARS_RANGE,
        },
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"What helped, what did not; at most {ratings.COMMENT_MAX:,} characters.",
    )


class LabRatingSerializer(serializers.ModelSerializer):
    """A learner's rating of a lab: their latest (rating again replaces it)."""

    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(
        source="version.number", read_only=True, help_text="The version last submitted to."
    )

    class Meta:
        model = LabRating
        fields = ["lab", "version", "stars", "comment", "updated_at"]


class FeedbackPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class ProblemReportInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True,
        help_text=f"Markdown: what is wrong; at most {ratings.REPORT_MAX:,} characters.",
        error_messages={"required": ratings.REPORT_EMPTY},
    )
    submission = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your attempts at this lab that the report is about (its id).",
    )


class ProblemReportSerializer(serializers.ModelSerializer):
    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    submission = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reporter = FeedbackPersonSerializer(source="person", allow_null=True, read_only=True)
    text_html = serializers.SerializerMethodField(help_text="The text as sanitised HTML.")
    open = serializers.SerializerMethodField()
    resolved_by = FeedbackPersonSerializer(allow_null=True, read_only=True)

    class Meta:
        model = LabProblemReport
        fields = ["id", "lab", "version", "submission", "reporter", "text", "text_html",
                  "created_at", "open", "resolved_at", "resolved_by", "resolution"]  # fmt: skip

    def get_text_html(self, report: LabProblemReport) -> str:
        return render_markdown(report.text)

    def get_open(self, report: LabProblemReport) -> bool:
        return report.resolved_at is None


class ProblemReportPageSerializer(serializers.Serializer):
    """A page of a lab's problem reports, open ones first."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProblemReportSerializer(many=True)


class ProblemResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        allow_blank=True,
        help_text="How the problem was resolved: the learner who reported it reads it.",
        error_messages={"required": ratings.RESOLUTION_EMPTY},
    )


# --- Analytics and grading health (labs.analytics) --------------------------------------------


class AnalyticsLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class AnalyticsSubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    attempt = serializers.IntegerField()
    status = serializers.CharField()
    learner = AnalyticsLearnerSerializer(source="person")
    created_at = serializers.DateTimeField()


class TestStatsSerializer(serializers.Serializer):
    grade_id = serializers.CharField()
    title = serializers.CharField()
    points = serializers.FloatField()
    hidden = serializers.BooleanField()
    attempts = serializers.IntegerField(
        help_text="Graded submissions (graded or waiting for a sign-off, any version) that ran "
        "this test."
    )
    passed = serializers.IntegerField(help_text="Those in which it passed.")
    pass_rate = serializers.FloatField(allow_null=True, help_text="Percent; null: not run yet.")


class ScoreBinSerializer(serializers.Serializer):
    low = serializers.IntegerField(help_text="Percent of the points, inclusive.")
    high = serializers.IntegerField(help_text="Exclusive, but for the last bin (100 included).")
    count = serializers.IntegerField(help_text="Graded submissions scoring in this bin.")


class FailureMessageSerializer(serializers.Serializer):
    grade_id = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()
    count = serializers.IntegerField(help_text="Failed results with this message.")


class LimitHitSerializer(serializers.Serializer):
    submission = AnalyticsSubmissionSerializer()
    limits = serializers.ListField(
        child=serializers.CharField(),
        help_text="cell_timeout, deadline, output, sealed_output.",
    )
    ended = serializers.CharField(
        help_text="How the kernel ended: finished, died, timed_out, not_started; empty: not "
        "recorded."
    )
    words = serializers.CharField()


class FlakyTestSerializer(serializers.Serializer):
    grade_id = serializers.CharField()
    title = serializers.CharField()
    groups = serializers.IntegerField(
        help_text="Groups of identical code against one version whose gradings disagreed on it."
    )
    compared = serializers.IntegerField(
        help_text="Groups of identical code against one version graded at least twice with it."
    )
    examples = AnalyticsSubmissionSerializer(many=True)


class LimitCountSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="A limit, or how the kernel ended, in words.")
    submissions = serializers.IntegerField()


class LabAnalyticsSerializer(serializers.Serializer):
    """A lab's figures (`labs.analytics.LabAnalytics`)."""

    lab = serializers.CharField(source="lab.slug")
    submissions = serializers.IntegerField(help_text="Every submission, whatever its status.")
    graded = serializers.IntegerField(help_text="Graded or waiting for a sign-off.")
    learners = serializers.IntegerField(help_text="People who submitted at least once.")
    learners_passed = serializers.IntegerField()
    pass_share = serializers.FloatField(allow_null=True, help_text="Percent of the learners.")
    median_time_to_complete = serializers.SerializerMethodField(
        help_text="Seconds from a learner's first submission to their first passing grade, the "
        "median over those who passed; null: nobody has."
    )
    median_queue_seconds = serializers.FloatField(allow_null=True)
    median_seconds = serializers.FloatField(
        allow_null=True, help_text="Execution time; both medians over first gradings."
    )
    timed = serializers.IntegerField(help_text="First gradings with a recorded duration.")
    tests = TestStatsSerializer(many=True)
    histogram = ScoreBinSerializer(many=True)
    common_failures = FailureMessageSerializer(many=True)
    limit_hit_count = serializers.IntegerField(
        help_text="Submissions whose latest grading hit a limit or did not finish normally."
    )
    limit_counts = LimitCountSerializer(many=True)
    limit_hits = LimitHitSerializer(many=True, help_text="The most recent first.")
    groups_compared = serializers.IntegerField(
        help_text="Groups of identical code against one version graded at least twice."
    )
    flaky = FlakyTestSerializer(many=True)

    def get_median_time_to_complete(self, figures) -> float | None:
        duration = figures.median_time_to_complete
        return None if duration is None else duration.total_seconds()


class HealthHourSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    graded = serializers.IntegerField()
    failed = serializers.IntegerField(
        help_text="Gradings that gave no grade: the grader gave up or the kernel did not start."
    )
    failure_rate = serializers.FloatField(allow_null=True, help_text="Percent; null: none.")
    median_queue_seconds = serializers.FloatField(allow_null=True, help_text="First gradings only.")


class GradingHealthSerializer(serializers.Serializer):
    """Grading health (`labs.analytics.GradingHealth`)."""

    now = serializers.DateTimeField()
    since = serializers.DateTimeField(help_text="The start of the first hour.")
    queued = serializers.IntegerField(help_text="Submissions waiting for a worker now.")
    running = serializers.IntegerField(help_text="Submissions being graded now.")
    depth = serializers.IntegerField(help_text="queued + running.")
    oldest_queued_at = serializers.DateTimeField(allow_null=True)
    graded = serializers.IntegerField()
    failed = serializers.IntegerField()
    failure_rate = serializers.FloatField(allow_null=True)
    median_queue_seconds = serializers.FloatField(allow_null=True)
    hours = HealthHourSerializer(many=True, help_text="The oldest first; the last one so far.")
