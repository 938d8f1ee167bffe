from decimal import Decimal

from rest_framework import serializers

from core.models import Person
from core.serializers import PersonRefSerializer
from core.skills.models import Skill
from hackathons.models import (
    SCORE_MAX,
    SCORE_MIN,
    Attachment,
    Comment,
    Event,
    Idea,
    JoinRequest,
    Score,
    Submission,
    Team,
)


def skill_slugs(**kwargs):
    if kwargs.get("read_only"):
        return serializers.SlugRelatedField(slug_field="slug", many=True, **kwargs)
    return serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), **kwargs
    )


# --- Events ---------------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))


class EventSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(read_only=True)
    effective_deadline = serializers.DateTimeField(read_only=True)
    organisers = PersonRefSerializer(many=True, read_only=True)
    judges = PersonRefSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    awards = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug", "title", "theme", "description", "phase", "max_team_size",
            "ideas_open_at", "teams_open_at", "building_starts_at", "submission_deadline",
            "effective_deadline", "results_published_at", "organisers", "judges", "criteria",
            "awards",
        ]  # fmt: skip


class EventCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    title = serializers.CharField(max_length=160)
    theme = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    max_team_size = serializers.IntegerField(min_value=1, max_value=20, default=5)
    ideas_open_at = serializers.DateTimeField()
    teams_open_at = serializers.DateTimeField()
    building_starts_at = serializers.DateTimeField()
    submission_deadline = serializers.DateTimeField()
    organisers = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    judges = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    criteria = CriterionSerializer(many=True, required=False)
    awards = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )


class EventUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False)
    theme = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    max_team_size = serializers.IntegerField(min_value=1, max_value=20, required=False)
    ideas_open_at = serializers.DateTimeField(required=False)
    teams_open_at = serializers.DateTimeField(required=False)
    building_starts_at = serializers.DateTimeField(required=False)
    submission_deadline = serializers.DateTimeField(required=False)
    organisers = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text="Person ids; the list replaces the organisers (at least one).",
    )
    judges = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text="Person ids; the list replaces the judges (new ones get an e-mail).",
    )


class ExtendSerializer(serializers.Serializer):
    new_deadline = serializers.DateTimeField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --- Ideas ----------------------------------------------------------------------------------


class IdeaSerializer(serializers.ModelSerializer):
    proposer = PersonRefSerializer(read_only=True)
    skills = skill_slugs(read_only=True)
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    votes = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id", "title", "problem", "approach", "skills", "event", "proposer", "votes",
            "merged_into", "created_at", "url",
        ]  # fmt: skip

    def get_votes(self, idea: Idea) -> int:
        counted = getattr(idea, "vote_count", None)
        return counted if counted is not None else idea.votes.count()


class IdeaCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    problem = serializers.CharField()
    approach = serializers.CharField(required=False, allow_blank=True, default="")
    skills = skill_slugs(required=False, default=list)
    event = serializers.SlugRelatedField(
        slug_field="slug", queryset=Event.objects.all(), required=False, allow_null=True
    )


class IdeaUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False)
    problem = serializers.CharField(required=False)
    approach = serializers.CharField(required=False, allow_blank=True)
    skills = skill_slugs(required=False)


class IdeaDraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    problem = serializers.CharField(required=False, allow_blank=True, default="")
    approach = serializers.CharField(required=False, allow_blank=True, default="")


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()
    kind = serializers.ChoiceField(choices=["idea", "project"])
    url = serializers.CharField()


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField()


class VoteResultSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    changed = serializers.BooleanField()
    votes = serializers.IntegerField()


class CommentSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


# --- Teams and submissions ------------------------------------------------------------------


class HackathonTeamSerializer(serializers.ModelSerializer):
    idea = serializers.PrimaryKeyRelatedField(read_only=True)
    lead = PersonRefSerializer(read_only=True)
    members = serializers.SerializerMethodField()
    submission = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "idea", "lead", "members", "submission"]

    def get_members(self, team: Team) -> list[dict]:
        people = [m.person for m in team.memberships.all()]
        return [
            {"id": p.pk, "name": p.display_name, "team": p.team.name if p.team else ""}
            for p in people
        ]

    def get_submission(self, team: Team) -> int | None:
        submission = getattr(team, "submission", None)
        return submission.pk if submission and submission.submitted_at else None


class TeamCreateSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class InviteSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class JoinSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class JoinRequestSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = JoinRequest
        fields = ["id", "team", "person", "kind", "status", "message", "created_at"]


class JoinAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "is_notebook"]


class ProjectSubmissionSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    skills = skill_slugs(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    draft = serializers.BooleanField(source="is_draft", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id", "team", "title", "summary", "repository_url", "demo_url", "skills", "draft",
            "submitted_at", "updated_at", "attachments",
        ]  # fmt: skip


class SubmissionSaveSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    repository_url = serializers.URLField(required=False, allow_blank=True, default="")
    demo_url = serializers.URLField(required=False, allow_blank=True, default="")
    skills = skill_slugs(required=False)
    submit = serializers.BooleanField(default=False)


# --- Judging --------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["id", "submission", "criterion", "value", "comment", "updated_at"]


class ScoreCreateSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    criterion = serializers.IntegerField()
    value = serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    tied = serializers.BooleanField()
    total = serializers.FloatField()
    judges = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission.pk")
    title = serializers.CharField(source="submission.title")
    team = serializers.CharField(source="submission.team.name")
    by_criterion = serializers.DictField(child=serializers.FloatField())
    awards = serializers.ListField(child=serializers.CharField())
