"""`GET /api/audit/`: the audit log for staff (404 for anyone else), filters as the page."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.audit import selectors
from core.audit.forms import AuditFilterForm
from core.audit.models import AuditAction
from core.audit.serializers import AuditEventSerializer
from core.shortcuts import staff_only

WHO = "A person's id, or part of the name or username they had then."


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit log, newest first, for staff."""

    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet:
        staff_only(self.request.user)
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        return selectors.audit_events(user=self.request.user, filters=form.filters())

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, enum=AuditAction.values, required=False),
            OpenApiParameter("actor", str, required=False, description=WHO),
            OpenApiParameter("subject", str, required=False, description=WHO),
            OpenApiParameter("since", OpenApiTypes.DATE, required=False),
            OpenApiParameter("until", OpenApiTypes.DATE, required=False),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)
