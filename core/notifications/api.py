"""The notifications API: your own notifications only (anyone else's answers 404), marking them
read, and where each kind goes."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.notifications import selectors, services
from core.notifications.serializers import (
    MarkedSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    PreferencesUpdateSerializer,
)
from core.shortcuts import api_person, call_service, validated


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first; `?unread=1` for the unread ones only."""

    serializer_class = NotificationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet:
        unread_only = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notification_list(user=self.request.user, unread_only=unread_only)

    @extend_schema(parameters=[OpenApiParameter("unread", bool, required=False)])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = selectors.notification_get(user=request.user, pk=pk)
        services.notification_mark_read(notification=notification, person=api_person(request))
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(person=api_person(request))})


class PreferencesView(APIView):
    """Where each kind of notification goes for you: in the app, by e-mail, both or neither."""

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.preferences_of(person=api_person(request))
        return Response(PreferenceSerializer(rows, many=True).data)

    @extend_schema(request=PreferencesUpdateSerializer, responses=PreferenceSerializer(many=True))
    def put(self, request: Request) -> Response:
        person = api_person(request)
        data = validated(PreferencesUpdateSerializer, request)
        rows = call_service(
            services.notification_preferences_update,
            person=person,
            preferences={row["kind"]: (row["in_app"], row["email"]) for row in data["preferences"]},
        )
        return Response(PreferenceSerializer(rows, many=True).data)
