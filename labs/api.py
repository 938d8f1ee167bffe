from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.people_filters import people_filters
from core.shortcuts import api_person, call_service, validated
from labs import gradebook, selectors
from labs.notebooks import notebook_bytes
from labs.serializers import (
    GradebookRowSerializer,
    LabSerializer,
    ReviewCommentSerializer,
    ReviewQueueSerializer,
    SubmissionCreatedSerializer,
    SubmissionSerializer,
    SubmissionUploadSerializer,
)
from labs.services import submission_approve, submission_create, submission_reject
from labs.uploads import UploadError


class LabViewSet(viewsets.ReadOnlyModelViewSet):
    """Released labs; download the learner notebook; submit an answered notebook."""

    serializer_class = LabSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.lab_list(user=self.request.user)

    def get_object(self):
        return selectors.lab_get(slug=self.kwargs["slug"])

    @extend_schema(responses={(200, "application/x-ipynb+json"): bytes})
    @action(detail=True)
    def notebook(self, request: Request, slug: str) -> HttpResponse:
        lab = self.get_object()
        response = HttpResponse(notebook_bytes(lab), content_type="application/x-ipynb+json")
        response["Content-Disposition"] = f'attachment; filename="{lab.slug}.ipynb"'
        return response

    @extend_schema(
        request={"multipart/form-data": SubmissionUploadSerializer},
        responses={201: SubmissionCreatedSerializer, 200: SubmissionSerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def submissions(self, request: Request, slug: str) -> Response:
        lab = self.get_object()
        if request.method == "GET":
            mine = selectors.submission_list(user=request.user, lab=lab)
            return Response(SubmissionSerializer(mine, many=True).data)
        return _submit(request, lab)

    @extend_schema(
        parameters=[
            OpenApiParameter(f.key, str, required=False, description=f"{f.label} (a value).")
            for f in people_filters()
        ],
        responses={200: GradebookRowSerializer(many=True)},
    )
    @action(detail=True)
    def gradebook(self, request: Request, slug: str) -> Response:
        """Each learner's standing in the lab, for their managers and staff (404 for anyone
        else), by name, a page at a time (as every list); filters as the gradebook page."""
        lab = self.get_object()
        filters = gradebook.GradebookFilterForm(request.query_params).values()
        learners = gradebook.lab_learners(user=request.user, lab=lab, filters=filters)
        page = self.paginate_queryset(learners)
        rows = gradebook.lab_gradebook_rows(lab=lab, people=page)
        return self.get_paginated_response(GradebookRowSerializer(rows, many=True).data)


def _submit(request: Request, lab) -> Response:
    person = api_person(request)
    if _declared_length(request) > settings.LABS_MAX_UPLOAD_BYTES + 64 * 1024:
        limit_mb = settings.LABS_MAX_UPLOAD_BYTES // (1024 * 1024)
        reason = f"The file is larger than the limit of {limit_mb} MB."
        return Response({"notebook": [reason]}, status=413)
    attach = "Attach the notebook as the multipart field `notebook`."
    try:
        upload = request.FILES.get("notebook")
    except ParseError:  # its text is the parser's ("Multipart form parse error - …"), not ours
        reason = f"The request is not a well-formed multipart form. {attach}"
        return Response({"notebook": [reason]}, status=status.HTTP_400_BAD_REQUEST)
    if upload is None:
        return Response({"notebook": [attach]}, status=status.HTTP_400_BAD_REQUEST)
    try:
        submission = submission_create(lab=lab, person=person, data=_read_capped(upload))
    except UploadError as error:
        return Response({"notebook": [error.reason]}, status=error.status)
    return Response({"id": submission.pk, "status": submission.status}, status=201)


def _declared_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _read_capped(upload) -> bytes:
    # Read one byte past the cap: enough to know the file is too big, never more.
    return upload.read(settings.LABS_MAX_UPLOAD_BYTES + 1)


class SubmissionViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your submissions (and, for managers and staff, those of the people you may see)."""

    serializer_class = SubmissionSerializer

    def get_queryset(self):
        mine_only = self.action == "list" and self.request.query_params.get("all") != "1"
        return selectors.submission_list(user=self.request.user, mine_only=mine_only)

    @extend_schema(request=ReviewCommentSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Sign a grade off (reviewers of the learner and staff; 404 for anyone else)."""
        return _sign_off(request, pk, submission_approve)

    @extend_schema(request=ReviewCommentSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Send an attempt back with a comment; it does not count as an attempt."""
        return _sign_off(request, pk, submission_reject)


def _sign_off(request: Request, pk: int, service) -> Response:
    submission = selectors.submission_to_review(user=request.user, pk=pk)
    comment = validated(ReviewCommentSerializer, request)["comment"]
    call_service(service, submission=submission, by=api_person(request), comment=comment)
    decided = selectors.submission_get(user=request.user, pk=submission.pk)
    return Response(SubmissionSerializer(decided).data)


class ReviewQueueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Grades waiting for your sign-off (staff: all of them), the longest waiting first."""

    serializer_class = ReviewQueueSerializer

    def get_queryset(self):
        return selectors.review_queue(user=self.request.user)
