from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.markdown import render_markdown
from labs import selectors
from labs.models import Lab, Submission


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
    passed = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    hidden = serializers.BooleanField()
    message = serializers.CharField()


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

    class Meta:
        model = Submission
        fields = ["id", "lab", "status", "score", "max_score", "percent", "passing_score",
                  "passed", "verdict", "results", "flags", "attempt", "attempts", "created_at",
                  "graded_at"]  # fmt: skip

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
