from rest_framework import serializers

from core.markdown import render_markdown
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
    id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    passed = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    hidden = serializers.BooleanField()
    message = serializers.CharField()


class SubmissionSerializer(serializers.ModelSerializer):
    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    results = TestResultSerializer(many=True, read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "lab", "status", "score", "max_score", "results", "flags", "attempt",
                  "created_at", "graded_at"]  # fmt: skip
