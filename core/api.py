import threading

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import selectors
from core.models import Person
from core.serializers import (
    PersonSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


class TokenView(APIView):
    """Exchange a username and password (and a TOTP code, if set up) for an API token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, auth=[])
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams of the organisation: every member may see them."""

    serializer_class = TeamSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet:
        return selectors.team_list().order_by("name")


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People whose profile you may see: yourself, your reports, everyone for staff."""

    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list_visible(user=self.request.user)

    @action(detail=False)
    def me(self, request: Request) -> Response:
        person = selectors.person_of(request.user)
        if person is None:
            return Response({"detail": "This account has no profile."}, status=404)
        return Response(self.get_serializer(person).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process and kept.

    drf-spectacular's generator keeps state in module-level objects (its warning and error
    counters among them) and is not safe to run in two threads at once: several requests to a
    freshly started server could answer 500. Here one thread generates while the others wait,
    and every later request is served the same document (it is public: the same for every
    caller, `SERVE_PUBLIC`)."""

    _lock = threading.Lock()
    _schemas: dict = {}

    @extend_schema(exclude=True)
    def get(self, request: Request, *args, **kwargs) -> Response:
        version = self.api_version or request.version
        with self._lock:
            if version not in self._schemas:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                self._schemas[version] = generator.get_schema(
                    request=request, public=self.serve_public
                )
        return Response(self._schemas[version])
