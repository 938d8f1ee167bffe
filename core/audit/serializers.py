from rest_framework import serializers

from core.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "action",
            "actor",
            "actor_label",
            "subject",
            "subject_label",
            "object_type",
            "object_id",
            "detail",
            "ip",
        ]
        read_only_fields = fields
