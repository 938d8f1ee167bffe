from rest_framework import serializers

from core.notifications.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "link", "created_at", "read_at"]
        fields += ["unread"]
        read_only_fields = fields


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesUpdateSerializer(serializers.Serializer):
    """Kinds left out keep what they had."""

    preferences = PreferenceSerializer(many=True)

    def validate_preferences(self, value: list[dict]) -> list[dict]:
        kinds = [row["kind"] for row in value]
        if len(kinds) != len(set(kinds)):
            raise serializers.ValidationError("Give each kind once.")
        return value
