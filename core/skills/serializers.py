from rest_framework import serializers

from core.markdown import render_markdown
from core.models import CareerStage
from core.skills.models import (
    Assessment,
    Evidence,
    EvidenceKind,
    ReviewRequest,
    Skill,
    validate_evidence_url,
)

LEVEL_ERRORS = {
    "min_value": "Level must be between 0 and 4 (0 = not yet … 4 = leading).",
    "max_value": "Level must be between 0 and 4 (0 = not yet … 4 = leading).",
    "invalid": "Level must be a whole number between 0 and 4.",
}


def _markdown_or_none(text: str | None) -> str | None:
    return None if text is None else render_markdown(text)


class RubricLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()


class SkillSerializer(serializers.ModelSerializer):
    description_html = serializers.SerializerMethodField()
    rubric = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Skill
        fields = [
            "slug",
            "name",
            "short_name",
            "group",
            "description",
            "description_html",
            "rubric",
            "targets",
            "retired",
        ]

    def get_description_html(self, skill: Skill) -> str:
        return render_markdown(skill.description)

    @staticmethod
    def get_rubric(skill: Skill) -> list[dict]:
        return [
            {"level": level, "name": name, "description": text}
            for level, name, text in skill.rubric()
        ]

    @staticmethod
    def get_targets(skill: Skill) -> dict[str, int]:
        """Expected level per career stage, e.g. {"early_career": 1, "senior": 2, …}."""
        return {target.career_stage: target.level for target in skill.targets.all()}


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment; `note` and `note_html` are null where the note is not for you."""

    skill = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assessor_name = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    note_html = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "subject",
            "skill",
            "assessor",
            "assessor_name",
            "assessor_role",
            "level",
            "note",
            "note_html",
            "created_at",
        ]

    def get_assessor_name(self, assessment: Assessment) -> str | None:
        return assessment.assessor.display_name if assessment.assessor else None

    def get_note(self, assessment: Assessment) -> str | None:
        return assessment.note if getattr(assessment, "note_visible", False) else None

    def get_note_html(self, assessment: Assessment) -> str | None:
        return _markdown_or_none(self.get_note(assessment))


class AssessmentCreateSerializer(serializers.Serializer):
    subject = serializers.IntegerField(help_text="The id of the person you assess (yourself too).")
    skill = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.active())
    level = serializers.IntegerField(min_value=0, max_value=4, error_messages=LEVEL_ERRORS)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceSerializer(serializers.ModelSerializer):
    skill = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    note_html = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "person",
            "skill",
            "kind",
            "title",
            "url",
            "note",
            "note_html",
            "created_by",
            "created_at",
        ]

    def get_note_html(self, evidence: Evidence) -> str:
        return render_markdown(evidence.note)


class EvidenceCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The id of the person the evidence is about.")
    skill = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.active())
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500, validators=[validate_evidence_url])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewRequestSerializer(serializers.ModelSerializer):
    skill = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requester_name = serializers.CharField(source="requester.display_name", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.display_name", read_only=True)
    message_html = serializers.SerializerMethodField()

    class Meta:
        model = ReviewRequest
        fields = [
            "id",
            "requester",
            "requester_name",
            "reviewer",
            "reviewer_name",
            "skill",
            "message",
            "message_html",
            "status",
            "created_at",
            "closed_at",
            "assessment",
        ]

    def get_message_html(self, review_request: ReviewRequest) -> str:
        return render_markdown(review_request.message)


class ReviewRequestCreateSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(help_text="The id of your manager or mentor.")
    skill = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.active())
    message = serializers.CharField(required=False, allow_blank=True, default="")


class MatrixRowSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    group = serializers.CharField(source="skill.group")
    current = serializers.IntegerField(allow_null=True, help_text="Latest reviewer level.")
    current_role = serializers.CharField(
        help_text="Who gave the current level: manager, mentor or staff ('' if nobody yet)."
    )
    self_level = serializers.IntegerField(allow_null=True)
    self_difference = serializers.IntegerField(allow_null=True, help_text="Self − current.")
    target = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField(allow_null=True, help_text="Target − current (0 if unrated).")
    trend = serializers.IntegerField(allow_null=True, help_text="Change since the last review.")
    history = serializers.ListField(child=serializers.IntegerField(), help_text="Oldest first.")
    evidence_count = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField()
    source = serializers.CharField()


class GrowthItemSerializer(serializers.Serializer):
    skill = serializers.CharField(source="row.skill.slug")
    gap = serializers.IntegerField(source="row.gap")
    next_step = serializers.CharField()
    suggestions = SuggestionSerializer(many=True)


class MatrixPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    career_stage = serializers.ChoiceField(choices=CareerStage.choices)


class MatrixSerializer(serializers.Serializer):
    person = MatrixPersonSerializer()
    skills = MatrixRowSerializer(many=True, source="rows")
    growth_plan = GrowthItemSerializer(many=True)


class HeatmapSkillSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class HeatCellSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    level = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField(allow_null=True)


class HeatRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person.id")
    name = serializers.CharField(source="person.display_name")
    team = serializers.SerializerMethodField()
    career_stage = serializers.CharField(source="person.career_stage")
    cells = HeatCellSerializer(many=True)

    def get_team(self, row) -> str | None:
        """The person's team, by slug."""
        return row.person.team.slug if row.person.team else None


class HeatmapSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    skills = HeatmapSkillSerializer(many=True)
    results = HeatRowSerializer(many=True)


class HeatmapQuerySerializer(serializers.Serializer):
    team = serializers.CharField(required=False, help_text="A team's slug; nested teams count.")
    career_stage = serializers.ChoiceField(choices=CareerStage.choices, required=False)
    page = serializers.IntegerField(required=False, min_value=1)
