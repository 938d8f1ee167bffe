from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.people_filters import people_filters
from core.shortcuts import api_person, call_service, staff_only, validated
from labs import analytics, gradebook, ratings, regrades, selectors
from labs.models import LabProblemReport, Regrade
from labs.notebooks import notebook_bytes
from labs.regrades import regrade_start
from labs.serializers import (
    GradeAdjustmentInputSerializer,
    GradeAdjustmentSerializer,
    GradebookRowSerializer,
    GradingHealthSerializer,
    LabAnalyticsSerializer,
    LabRatingSerializer,
    LabSerializer,
    ProblemReportInputSerializer,
    ProblemReportPageSerializer,
    ProblemReportSerializer,
    ProblemResolveSerializer,
    RatingInputSerializer,
    RegradeRequestSerializer,
    RegradeSerializer,
    ReviewCommentSerializer,
    ReviewQueueSerializer,
    SubmissionCreatedSerializer,
    SubmissionHistorySerializer,
    SubmissionSerializer,
    SubmissionUploadSerializer,
)
from labs.services import (
    submission_adjust,
    submission_approve,
    submission_create,
    submission_reject,
)
from labs.throttles import SubmissionThrottle
from labs.uploads import UploadError


class LabViewSet(viewsets.ReadOnlyModelViewSet):
    """Released labs; download the learner notebook; submit an answered notebook."""

    serializer_class = LabSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.lab_list(user=self.request.user)

    def get_object(self):
        return selectors.lab_get(slug=self.kwargs["slug"])

    @extend_schema(methods=["GET"], request=None, responses={200: LabRatingSerializer})
    @extend_schema(
        methods=["POST"], request=RatingInputSerializer, responses={200: LabRatingSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def rating(self, request: Request, slug: str) -> Response:
        """Your rating of the lab (404 until you rate it); POST rates it, 1 to 5, once one of
        your attempts is graded: rating again replaces your rating."""
        return _rating(request, self.get_object())

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("open", bool, required=False, description="Open only.")],
        responses={200: ProblemReportPageSerializer},
    )
    @extend_schema(
        methods=["POST"],
        request=ProblemReportInputSerializer,
        responses={201: ProblemReportSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def problems(self, request: Request, slug: str) -> Response:
        """POST reports a problem with the lab to its authors (any member). GET lists the lab's
        reports, open ones first, a page at a time: for staff (404 for anyone else)."""
        return _problems(self, request, self.get_object())

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

    @extend_schema(responses={200: LabAnalyticsSerializer})
    @action(detail=True)
    def analytics(self, request: Request, slug: str) -> Response:
        """How the lab goes: pass rate per test, the score distribution, time to complete,
        common failures, runs that hit limits and flaky tests (staff; 404 for anyone else)."""
        staff_only(request.user)
        return Response(LabAnalyticsSerializer(analytics.lab_analytics(self.get_object())).data)

    @extend_schema(request=RegradeRequestSerializer, responses={202: RegradeSerializer})
    @action(detail=True, methods=["post"])
    def regrades(self, request: Request, slug: str) -> Response:
        """Regrade every earlier submission against a version of the lab, as a batch of
        tasks (staff; 404 for anyone else). Follow it at /api/regrades/{id}/."""
        staff_only(request.user)
        lab = self.get_object()
        number = validated(RegradeRequestSerializer, request).get("version")
        version = lab.current_version
        if number is not None:
            version = lab.versions.filter(number=number).first()
            if version is None:
                raise ValidationError({"version": [f"The lab has no version {number}."]})
        regrade = call_service(regrade_start, lab=lab, by=api_person(request), version=version)
        return Response(RegradeSerializer(regrades.regrade_progress(regrade)).data, status=202)


def _submit(request: Request, lab) -> Response:
    person = api_person(request)
    throttle = SubmissionThrottle()
    if not throttle.allow_request(request, None):
        return Response({"detail": throttle.refusal()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
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

    @extend_schema(responses={200: SubmissionHistorySerializer})
    @action(detail=True)
    def history(self, request: Request, pk: int) -> Response:
        """Every grading run, the points given or changed by hand and the sign-offs."""
        submission = selectors.submission_get(user=request.user, pk=pk)
        data = {
            "runs": regrades.submission_runs(submission),
            "adjustments": selectors.grade_adjustments(submission),
            "reviews": selectors.submission_reviews(submission),
        }
        return Response(SubmissionHistorySerializer(data).data)

    @extend_schema(
        request=GradeAdjustmentInputSerializer, responses={201: GradeAdjustmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def grade(self, request: Request, pk: int) -> Response:
        """Grade an answer by hand or override a test's points, with a reason (the learner's
        mentors and staff; 404 for anyone else)."""
        submission = selectors.submission_to_grade(user=request.user, pk=pk)
        data = validated(GradeAdjustmentInputSerializer, request)
        adjustment = call_service(
            submission_adjust, submission=submission, by=api_person(request), **data
        )
        return Response(GradeAdjustmentSerializer(adjustment).data, status=201)

    @extend_schema(request=None, responses={202: RegradeSerializer})
    @action(detail=True, methods=["post"])
    def regrade(self, request: Request, pk: int) -> Response:
        """Regrade this submission alone against the lab's current version (staff)."""
        staff_only(request.user)
        submission = selectors.submission_get(user=request.user, pk=pk)
        regrade = call_service(
            regrade_start, lab=submission.lab, by=api_person(request), submissions=[pk]
        )
        return Response(RegradeSerializer(regrades.regrade_progress(regrade)).data, status=202)


class RegradeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """How far a regrade is (staff; 404 for anyone else)."""

    serializer_class = RegradeSerializer
    queryset = Regrade.objects.select_related("lab", "version")

    def retrieve(self, request: Request, pk: int) -> Response:
        staff_only(request.user)
        regrade = self.get_object()
        return Response(RegradeSerializer(regrades.regrade_progress(regrade)).data)


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


# --- learners' feedback on labs (labs.ratings) ------------------------------------------------


def _rating(request: Request, lab) -> Response:
    person = api_person(request)
    if request.method == "POST":
        data = validated(RatingInputSerializer, request)
        call_service(ratings.lab_rate, lab=lab, person=person, **data)
    rating = ratings.my_rating(lab, person)
    if rating is None:
        raise NotFound("You have not rated this lab yet.")
    return Response(LabRatingSerializer(rating).data)


def _problems(view: viewsets.GenericViewSet, request: Request, lab) -> Response:
    if request.method == "GET":
        staff_only(request.user)
        open_only = request.query_params.get("open", "").lower() in ("1", "true")
        page = view.paginate_queryset(ratings.problem_reports(lab, open_only=open_only))
        return view.get_paginated_response(ProblemReportSerializer(page, many=True).data)
    person = api_person(request)
    data = validated(ProblemReportInputSerializer, request)
    submission = None
    if data["submission"] is not None:
        submission = lab.submissions.filter(person=person, pk=data["submission"]).first()
        if submission is None:  # another learner's, or none: nobody learns which
            raise NotFound("No such submission.")
    report = call_service(
        ratings.problem_report, lab=lab, person=person, text=data["text"], submission=submission
    )
    return Response(ProblemReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ProblemReportViewSet(viewsets.GenericViewSet):
    """Learners' reports of problems with labs, for the labs' authors (staff; 404 for anyone
    else). A lab's reports are listed at /api/labs/{slug}/problems/."""

    serializer_class = ProblemReportSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if not ratings.may_manage_feedback(self.request.user):
            return LabProblemReport.objects.none()
        return LabProblemReport.objects.all()

    @extend_schema(request=ProblemResolveSerializer, responses={200: ProblemReportSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int) -> Response:
        """Resolve a report, saying how: its reporter hears of it by e-mail."""
        report = ratings.problem_report_get(user=request.user, pk=pk)
        resolution = validated(ProblemResolveSerializer, request)["resolution"]
        call_service(
            ratings.problem_resolve, report=report, by=api_person(request), resolution=resolution
        )
        resolved = ratings.problem_report_get(user=request.user, pk=report.pk)
        return Response(ProblemReportSerializer(resolved).data)


class GradingHealthView(APIView):
    """The grading queue now and the last day's gradings by hour (staff; 404 for anyone else)."""

    @extend_schema(responses={200: GradingHealthSerializer})
    def get(self, request: Request) -> Response:
        staff_only(request.user)
        return Response(GradingHealthSerializer(analytics.grading_health()).data)
