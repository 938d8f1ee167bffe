"""The skill matrix API. Scoping comes from the selectors, as for the pages: people whose matrix
you may not see answer 404, and so does assessing someone outside your scope."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Team
from core.selectors import person_get_visible, person_of
from core.shortcuts import as_api_error, validated
from core.skills import selectors, services
from core.skills.models import ReviewRequest, Skill
from core.skills.serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    HeatmapQuerySerializer,
    HeatmapSerializer,
    HeatmapSkillSerializer,
    HeatRowSerializer,
    MatrixSerializer,
    ReviewRequestCreateSerializer,
    ReviewRequestSerializer,
    SkillSerializer,
)


def _filter_by(queryset: QuerySet, request: Request, **params: str) -> QuerySet:
    """Apply ?name=value filters; `params` maps a query parameter to a queryset lookup."""
    for param, lookup in params.items():
        value = request.query_params.get(param)
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset


class SkillViewSet(viewsets.ReadOnlyModelViewSet):
    """The skill catalog with rubrics and targets per career stage. Lists active skills; a
    retired skill is still found by its slug."""

    serializer_class = SkillSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Skill]:
        skills = Skill.objects.prefetch_related("targets")
        return skills.active() if self.action == "list" else skills


class PersonMatrixView(APIView):
    """A person's skill matrix and growth plan: you, your reports, everyone for staff."""

    @extend_schema(responses=MatrixSerializer)
    def get(self, request: Request, pk: int) -> Response:
        person = person_get_visible(user=request.user, pk=pk)
        matrix = selectors.person_matrix(person=person)
        data = {
            "person": person,
            "rows": matrix.rows,
            "growth_plan": selectors.growth_plan(matrix=matrix),
        }
        return Response(MatrixSerializer(data).data)


class HeatmapPagination(PageNumberPagination):
    page_size = selectors.HEATMAP_PAGE_SIZE


class HeatmapView(GenericAPIView):
    """People you may see × active skills: current level, target and gap in every cell.
    A fixed number of database queries, whatever the number of people."""

    pagination_class = HeatmapPagination
    serializer_class = HeatRowSerializer

    @extend_schema(parameters=[HeatmapQuerySerializer], responses=HeatmapSerializer)
    def get(self, request: Request) -> Response:
        query = HeatmapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        team = None
        if slug := query.validated_data.get("team"):
            team = Team.objects.filter(slug=slug).first()
            if team is None:
                raise serializers.ValidationError({"team": f"No team has the slug {slug!r}."})
        people = selectors.heatmap_people(
            user=request.user,
            team=team,
            career_stage=query.validated_data.get("career_stage", ""),
        )
        page = self.paginate_queryset(people)
        heatmap = selectors.heatmap_for(people=page)
        response = self.get_paginated_response(HeatRowSerializer(heatmap.rows, many=True).data)
        response.data["skills"] = HeatmapSkillSerializer(heatmap.skills, many=True).data
        return response


class AssessmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Assessments of people whose matrix you may see (filter with ?subject=<id>&skill=<slug>).
    Notes are null unless you are the subject, the assessor, a manager of the subject or staff.
    POST rates yourself (role self) or someone you may assess; others answer 404."""

    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet:
        assessments = selectors.assessment_list_visible(user=self.request.user)
        return _filter_by(assessments, self.request, subject="subject_id", skill="skill__slug")

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = validated(AssessmentCreateSerializer, request)
        subject, _role = selectors.person_get_assessable(user=request.user, pk=data["subject"])
        try:
            assessment = services.assessment_create(
                subject=subject,
                skill=data["skill"],
                assessor=person_of(request.user),
                level=data["level"],
                note=data["note"],
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        assessment.note_visible = True  # the assessor reads their own note
        return Response(AssessmentSerializer(assessment).data, status=201)


class EvidenceViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Evidence for people whose matrix you may see (filter with ?person=<id>&skill=<slug>).
    POST adds evidence for yourself or someone you may assess."""

    serializer_class = EvidenceSerializer

    def get_queryset(self) -> QuerySet:
        evidence = selectors.evidence_list_visible(user=self.request.user)
        return _filter_by(evidence, self.request, person="person_id", skill="skill__slug")

    @extend_schema(request=EvidenceCreateSerializer, responses={201: EvidenceSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = validated(EvidenceCreateSerializer, request)
        person, _role = selectors.person_get_assessable(user=request.user, pk=data["person"])
        try:
            evidence = services.evidence_record(
                person=person,
                skill=data["skill"],
                kind=data["kind"],
                title=data["title"],
                url=data["url"],
                note=data["note"],
                created_by=person_of(request.user),
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(EvidenceSerializer(evidence).data, status=201)


class ReviewRequestViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Review requests you sent or received (?status=open|done). POST asks your manager or a
    mentor to review one skill; it closes when they assess it."""

    serializer_class = ReviewRequestSerializer

    def get_queryset(self) -> QuerySet:
        person = person_of(self.request.user)
        if person is None:
            return ReviewRequest.objects.none()
        requests = selectors.review_requests_of(person=person)
        return _filter_by(requests, self.request, status="status")

    @extend_schema(request=ReviewRequestCreateSerializer, responses={201: ReviewRequestSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = validated(ReviewRequestCreateSerializer, request)
        requester = person_of(request.user)
        reviewer = None
        if requester is not None:
            candidates = selectors.reviewer_candidates(person=requester)
            reviewer = candidates.filter(pk=data["reviewer"]).first()
        if reviewer is None:
            raise serializers.ValidationError(
                {"reviewer": "You can ask your manager (or their managers) or a mentor."}
            )
        try:
            review_request = services.review_request_create(
                requester=requester,
                reviewer=reviewer,
                skill=data["skill"],
                message=data["message"],
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(ReviewRequestSerializer(review_request).data, status=201)
