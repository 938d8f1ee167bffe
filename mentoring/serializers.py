from rest_framework import serializers

from core.markdown import render_markdown
from core.models import Person
from core.skills.models import Skill
from mentoring.models import (
    MAX_CAPACITY,
    ActionItem,
    Cadence,
    FeedbackCategory,
    FeedbackKind,
    FeedbackNote,
    FeedbackRequest,
    FeedbackVisibility,
    Mentorship,
    Session,
)


class PersonRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name"]


class AvailabilitySerializer(serializers.Serializer):
    open_to_mentoring = serializers.BooleanField()
    capacity = serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY)
    skills_offered = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False
    )


class MentorshipSerializer(serializers.ModelSerializer):
    mentor = PersonRefSerializer(read_only=True)
    mentee = PersonRefSerializer(read_only=True)
    goal_skills = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "mentor",
            "mentee",
            "status",
            "cadence",
            "goals",
            "goal_skills",
            "match_breakdown",
            "mentor_accepted_at",
            "mentee_accepted_at",
            "start_date",
            "end_date",
            "end_reason",
            "created_at",
        ]


class MentorshipProposeSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    mentee = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    goal_skills = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False
    )


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class EndSerializer(serializers.Serializer):
    completed = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "text", "session", "done_at"]


class SessionSerializer(serializers.ModelSerializer):
    """Shared agenda and notes; `private_note` is the reader's own note, never anyone else's."""

    action_items = ActionItemSerializer(many=True, read_only=True)
    private_note = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "mentorship", "date", "agenda", "notes", "action_items", "private_note"]

    def get_private_note(self, session: Session) -> str | None:
        from mentoring.selectors import private_note_of

        note = private_note_of(user=self.context["request"].user, session=session)
        return note.body if note else None


class SessionCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    action_items = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )


class PrivateNoteSerializer(serializers.Serializer):
    body = serializers.CharField()


class FeedbackNoteSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True)
    recipient = PersonRefSerializer(read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackNote
        fields = [
            "id",
            "author",
            "recipient",
            "category",
            "kind",
            "visibility",
            "body",
            "body_html",
            "request",
            "acknowledged_at",
            "created_at",
        ]

    def get_body_html(self, note: FeedbackNote) -> str:
        return str(render_markdown(note.body))


class FeedbackNoteCreateSerializer(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    category = serializers.ChoiceField(choices=FeedbackCategory.choices)
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    visibility = serializers.ChoiceField(
        choices=FeedbackVisibility.choices, default=FeedbackVisibility.PRIVATE
    )
    body = serializers.CharField()
    request = serializers.PrimaryKeyRelatedField(
        queryset=FeedbackRequest.objects.all(), required=False, allow_null=True, default=None
    )


class FeedbackRequestSerializer(serializers.ModelSerializer):
    requester = PersonRefSerializer(read_only=True)
    asked = PersonRefSerializer(read_only=True)

    class Meta:
        model = FeedbackRequest
        fields = ["id", "requester", "asked", "about", "status", "created_at"]


class FeedbackRequestCreateSerializer(serializers.Serializer):
    asked = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    about = serializers.CharField(max_length=300)


class MatchSerializer(serializers.Serializer):
    mentee = serializers.SerializerMethodField()
    mentor = serializers.SerializerMethodField()
    score = serializers.FloatField()
    breakdown = serializers.DictField(child=serializers.FloatField())
    covered_skills = serializers.ListField(child=serializers.IntegerField(), source="covered")

    def get_mentee(self, match) -> dict:
        return {"id": match.mentee.pk, "name": match.mentee.name}

    def get_mentor(self, match) -> dict:
        return {"id": match.mentor.pk, "name": match.mentor.name}


class CadenceRowSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    days_since_feedback = serializers.IntegerField(allow_null=True)
    days_since_session = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
