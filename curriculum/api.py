"""The curriculum API: paths and their modules, your enrolments with progress, a person's
progress (visible as their profile is: themself, their managers, their mentors, staff; others
get 404) and enrolling yourself or someone who reports to you."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Person
from core.selectors import person_get_visible
from core.shortcuts import api_person, call_service, validated
from curriculum import selectors, services
from curriculum.serializers import (
    EnrolmentCreateSerializer,
    LearningPathSerializer,
    PathProgressSerializer,
)


class LearningPathViewSet(viewsets.ReadOnlyModelViewSet):
    """Learning paths with their modules (markdown reading, skills) and steps."""

    serializer_class = LearningPathSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return selectors.path_queryset()


class EnrolmentView(APIView):
    """GET: the paths you are enrolled in, with your progress. POST enrols you (or, with
    `person`, someone who reports to you) in a path."""

    @extend_schema(responses=PathProgressSerializer(many=True))
    def get(self, request: Request) -> Response:
        progress = selectors.enrolled_progress(person=api_person(request))
        return Response(PathProgressSerializer(progress, many=True).data)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: PathProgressSerializer})
    def post(self, request: Request) -> Response:
        me = api_person(request)
        data = validated(EnrolmentCreateSerializer, request)
        person = data.get("person") or me
        if not Person.objects.visible_to(request.user).filter(pk=person.pk).exists():
            raise NotFound("No such person.")
        call_service(services.enrolment_create, person=person, path=data["path"], enrolled_by=me)
        progress = selectors.path_progress(
            person=person, path=selectors.path_get(slug=data["path"].slug)
        )
        return Response(PathProgressSerializer(progress).data, status=status.HTTP_201_CREATED)


class PersonProgressView(APIView):
    """A person's progress in the paths they are enrolled in."""

    @extend_schema(responses=PathProgressSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        person = person_get_visible(user=request.user, pk=pk)  # Http404 answers 404
        progress = selectors.enrolled_progress(person=person)
        return Response(PathProgressSerializer(progress, many=True).data)
