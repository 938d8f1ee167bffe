from rest_framework import serializers

from core.markdown import render_markdown
from core.models import Person
from core.serializers import PersonRefSerializer
from curriculum.models import Module, Path, Step


class StepSerializer(serializers.ModelSerializer):
    lab = serializers.CharField(source="lab_slug", read_only=True)
    skill = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Step
        fields = ["id", "position", "kind", "title", "lab", "skill", "evidence_kind", "activity"]


class ModuleSerializer(serializers.ModelSerializer):
    skills = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    reading_html = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "position", "title", "skills", "reading", "reading_html", "steps"]

    def get_reading_html(self, module: Module) -> str:
        return render_markdown(module.reading)


class LearningPathSerializer(serializers.ModelSerializer):
    summary_html = serializers.SerializerMethodField()
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Path
        fields = ["slug", "title", "audience", "summary", "summary_html", "modules"]

    def get_summary_html(self, path: Path) -> str:
        return render_markdown(path.summary)


class StepProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="step.pk")
    kind = serializers.CharField(source="step.kind")
    title = serializers.CharField()
    url = serializers.CharField(help_text="Where to do it; empty when there is nowhere yet.")
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)


class ModuleProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="module.pk")
    position = serializers.IntegerField(source="module.position")
    title = serializers.CharField(source="module.title")
    done = serializers.BooleanField()
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    steps = StepProgressSerializer(many=True)


class PathProgressSerializer(serializers.Serializer):
    path = serializers.CharField(source="path.slug")
    title = serializers.CharField(source="path.title")
    person = PersonRefSerializer()
    enrolled = serializers.BooleanField()
    enrolled_at = serializers.DateTimeField(source="enrolment.created_at", allow_null=True)
    enrolled_by = PersonRefSerializer(source="enrolment.enrolled_by", allow_null=True)
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    modules_done = serializers.IntegerField()
    modules_total = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Steps done, in per cent of all steps.")
    finished = serializers.BooleanField()
    modules = ModuleProgressSerializer(many=True)


class EnrolmentCreateSerializer(serializers.Serializer):
    path = serializers.SlugRelatedField(slug_field="slug", queryset=Path.objects.all())
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        required=False,
        help_text="Someone who reports to you; leave out to enrol yourself.",
    )
