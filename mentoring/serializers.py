from rest_framework import serializers

from core.markdown import render_markdown
from core.models import Person
from core.serializers import PersonRefSerializer
from core.skills.models import Skill
from labs.models import Lab
from mentoring.models import (
    MAX_CAPACITY,
    MAX_LEARNING_MINUTES,
    ActionItem,
    Answer,
    Cadence,
    FeedbackCategory,
    FeedbackKind,
    FeedbackNote,
    FeedbackRequest,
    FeedbackVisibility,
    LearningEntry,
    Mentorship,
    Question,
    Session,
)


class AvailabilitySerializer(serializers.Serializer):
    open_to_mentoring = serializers.BooleanField()
    capacity = serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY)
    skills_offered = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False
    )


class MentorshipSerializer(serializers.ModelSerializer):
    """`proposed_by` is who asked: the mentee themselves for a request made on "Find a
    mentor", else a manager or staff. `goals_html` is `goals` rendered and sanitised."""

    mentor = PersonRefSerializer(read_only=True)
    mentee = PersonRefSerializer(read_only=True)
    proposed_by = PersonRefSerializer(read_only=True, allow_null=True)
    goal_skills = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    goals_html = serializers.SerializerMethodField()

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "mentor",
            "mentee",
            "proposed_by",
            "status",
            "cadence",
            "goals",
            "goals_html",
            "goal_skills",
            "match_breakdown",
            "mentor_accepted_at",
            "mentee_accepted_at",
            "start_date",
            "end_date",
            "end_reason",
            "created_at",
        ]

    def get_goals_html(self, mentorship: Mentorship) -> str:
        return str(render_markdown(mentorship.goals))


class MentorshipProposeSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    mentee = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    goal_skills = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False
    )


class MentorshipRequestSerializer(serializers.Serializer):
    """A mentee (the caller) asks a mentor directly; `goals` is their message (markdown)."""

    mentor = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(user__is_active=True)
    )
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    goal_skills = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False, default=list
    )
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)


class RespondSerializer(serializers.Serializer):
    """`reason` (optional) goes with a decline, shown to the other person."""

    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


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
    """One suggestion: `reasons` say why in words; `breakdown` holds the points behind them."""

    mentee = serializers.SerializerMethodField()
    mentor = serializers.SerializerMethodField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
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


# --- Questions board ------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True)
    body_html = serializers.SerializerMethodField()
    accepted = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["id", "question", "author", "body", "body_html", "accepted", "created_at"]

    def get_body_html(self, answer: Answer) -> str:
        return str(render_markdown(answer.body))

    def get_accepted(self, answer: Answer) -> bool:
        return answer.question.accepted_answer_id == answer.pk


class QuestionSerializer(serializers.ModelSerializer):
    """`author` is left out altogether for an anonymous question; `asked_by_you` tells the
    reader whether they asked it (true only for the author)."""

    author = PersonRefSerializer(read_only=True)
    skills = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    body_html = serializers.SerializerMethodField()
    asked_by_you = serializers.SerializerMethodField()
    answer_count = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "author",
            "anonymous",
            "asked_by_you",
            "title",
            "body",
            "body_html",
            "skills",
            "accepted_answer",
            "answer_count",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, question: Question) -> dict:
        data = super().to_representation(question)
        if question.anonymous or question.author_id is None:
            data.pop("author", None)
        return data

    def get_body_html(self, question: Question) -> str:
        return str(render_markdown(question.body))

    def get_asked_by_you(self, question: Question) -> bool:
        from core.selectors import person_of

        request = self.context.get("request")
        return bool(request) and question.is_asked_by(person_of(request.user))

    def get_answer_count(self, question: Question) -> int:
        count = getattr(question, "answer_count", None)
        return question.answers.count() if count is None else count


class QuestionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    skills = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False, default=list
    )
    anonymous = serializers.BooleanField(required=False, default=False)


class QuestionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    skills = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Skill.objects.active(), required=False, default=list
    )


class AnswerCreateSerializer(serializers.Serializer):
    body = serializers.CharField()


class AcceptSerializer(serializers.Serializer):
    answer = serializers.IntegerField()


# --- Learning time --------------------------------------------------------------------------


class LearningEntrySerializer(serializers.ModelSerializer):
    skill = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LearningEntry
        fields = ["id", "date", "minutes", "what", "skill", "lab", "created_at"]


class LearningEntryCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_LEARNING_MINUTES)
    what = serializers.CharField(max_length=200)
    skill = serializers.SlugRelatedField(
        slug_field="slug", queryset=Skill.objects.active(), required=False, allow_null=True
    )
    lab = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Lab.objects.filter(is_published=True),
        required=False,
        allow_null=True,
    )


class LearningWeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    minutes = serializers.IntegerField()
    goal = serializers.IntegerField()
    percent = serializers.IntegerField()
    met = serializers.BooleanField()


class TeamLearningRowSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    weeks = serializers.SerializerMethodField()

    def get_person(self, row) -> dict:
        return PersonRefSerializer(row[0]).data

    def get_weeks(self, row) -> list:
        return LearningWeekSerializer(row[1], many=True).data
