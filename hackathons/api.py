"""The hackathons API. Every queryset comes from a `visible_to(user)` method or a selector, as
for the pages: rows you may not see answer 404; a rule broken answers 400 with the reason."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import NulRefusingJSONParser
from core.shortcuts import api_person, as_api_error, call_service, validated
from hackathons import selectors, services
from hackathons.models import Criterion, Idea, Submission, Team
from hackathons.serializers import (
    AttachmentSerializer,
    CommentSerializer,
    EventCreateSerializer,
    EventSerializer,
    EventUpdateSerializer,
    ExtendSerializer,
    HackathonTeamSerializer,
    IdeaCreateSerializer,
    IdeaDraftSerializer,
    IdeaSerializer,
    IdeaUpdateSerializer,
    InviteSerializer,
    JoinAnswerSerializer,
    JoinRequestSerializer,
    JoinSerializer,
    MergeSerializer,
    ProjectSubmissionSerializer,
    ResultSerializer,
    ScoreCreateSerializer,
    ScoreSerializer,
    SimilarSerializer,
    SubmissionSaveSerializer,
    TeamCreateSerializer,
    VoteResultSerializer,
)
from hackathons.uploads import check_upload


class IdeaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ideas in the backlog (`?backlog=1`) or of an event (`?event=<slug>`). POST proposes;
    PATCH edits your own; `vote` votes once; `similar` lists look-alikes; `merge` (organisers,
    staff) merges this idea into another."""

    serializer_class = IdeaSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        params = self.request.query_params
        if self.action != "list":  # merged ideas too: they answer with `merged_into`
            return Idea.objects.visible_to(self.request.user).select_related(
                "proposer__user", "event"
            )
        event = None
        if params.get("event"):
            event = selectors.event_get_visible(user=self.request.user, slug=params["event"])
        return selectors.idea_list_visible(
            user=self.request.user, event=event, backlog=params.get("backlog") == "1"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("event", str, required=False),
            OpenApiParameter("backlog", str, required=False),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=IdeaCreateSerializer, responses={201: IdeaSerializer})
    def create(self, request: Request) -> Response:
        data = validated(IdeaCreateSerializer, request)
        idea = call_service(
            services.idea_create,
            proposer=api_person(request),
            title=data["title"],
            problem=data["problem"],
            approach=data["approach"],
            skills=list(data["skills"]),
            event=data.get("event"),
        )
        return Response(IdeaSerializer(idea).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IdeaUpdateSerializer, responses=IdeaSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        data = validated(IdeaUpdateSerializer, request)
        if "skills" in data:
            data["skills"] = list(data["skills"])
        try:
            idea = services.idea_update(idea=idea, by=api_person(request), **data)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        except services.PermissionDenied as error:
            # Everyone may read the idea; only its proposer may change it.
            return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
        return Response(IdeaSerializer(idea).data)

    @extend_schema(request=None, responses=VoteResultSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        _, created = call_service(services.idea_vote, idea=idea, person=api_person(request))
        return Response({"voted": True, "changed": created, "votes": idea.votes.count()})

    @extend_schema(request=None, responses=SimilarSerializer(many=True))
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        return Response(SimilarSerializer(selectors.similar_to_idea(idea=idea), many=True).data)

    @extend_schema(request=IdeaDraftSerializer, responses=SimilarSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="similar", url_name="similar-draft")
    def similar_draft(self, request: Request) -> Response:
        """The ideas and projects most like a draft that is not saved yet."""
        data = validated(IdeaDraftSerializer, request)
        text = f"{data['title']}\n{data['problem']}\n{data['approach']}"
        return Response(SimilarSerializer(selectors.similar_for_text(text=text), many=True).data)

    @extend_schema(request=MergeSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        data = validated(MergeSerializer, request)
        into = Idea.objects.visible_to(request.user).filter(pk=data["into"]).first()
        if into is None:
            raise NotFound("No such idea to merge into.")
        kept = call_service(services.idea_merge, idea=idea, into=into, by=api_person(request))
        return Response(IdeaSerializer(kept).data)

    @extend_schema(request=CommentSerializer, responses=CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: int) -> Response:
        idea = self.get_object()
        if request.method == "GET":
            found = idea.comments.select_related("author__user")
            return Response(CommentSerializer(found, many=True).data)
        data = validated(CommentSerializer, request)
        comment = call_service(
            services.idea_comment, idea=idea, author=api_person(request), body=data["body"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hackathons by slug. POST creates one (staff); PATCH edits it (organisers), including
    `organisers` and `judges` as lists of person ids, as POST takes them. `teams`
    lists and forms teams; `scores` is for the event's judges; `results` exists once the
    organisers `publish`; `extend` moves the deadline (organisers)."""

    serializer_class = EventSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.event_list_visible(user=self.request.user).prefetch_related(
            "organisers__user", "judges__user", "criteria", "awards"
        )

    @extend_schema(request=EventCreateSerializer, responses={201: EventSerializer})
    def create(self, request: Request) -> Response:
        data = validated(EventCreateSerializer, request)
        criteria = [(c["name"], c["weight"]) for c in data.pop("criteria", [])] or None
        event = call_service(
            services.event_create, by=api_person(request), criteria=criteria, **data
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EventUpdateSerializer, responses=EventSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        event = selectors.event_get_organised(user=request.user, slug=slug)
        data = validated(EventUpdateSerializer, request)
        event = call_service(services.event_update, event=event, by=api_person(request), **data)
        return Response(EventSerializer(event).data)

    @extend_schema(request=ExtendSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, slug: str) -> Response:
        event = selectors.event_get_organised(user=request.user, slug=slug)
        data = validated(ExtendSerializer, request)
        event = call_service(services.deadline_extend, event=event, by=api_person(request), **data)
        return Response(EventSerializer(event).data)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str) -> Response:
        event = selectors.event_get_organised(user=request.user, slug=slug)
        event = call_service(services.results_publish, event=event, by=api_person(request))
        return Response(EventSerializer(event).data)

    @extend_schema(
        request=TeamCreateSerializer, responses={200: HackathonTeamSerializer(many=True)}
    )
    @action(detail=True, methods=["get", "post"])
    def teams(self, request: Request, slug: str) -> Response:
        event = self.get_object()
        if request.method == "GET":
            found = selectors.team_list_visible(user=request.user, event=event).select_related(
                "submission"
            )
            return Response(HackathonTeamSerializer(found, many=True).data)
        data = validated(TeamCreateSerializer, request)
        idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=data["idea"])
        team = call_service(
            services.team_create,
            event=event,
            idea=idea,
            lead=api_person(request),
            name=data["name"],
        )
        return Response(HackathonTeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScoreCreateSerializer, responses={200: ScoreSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def scores(self, request: Request, slug: str) -> Response:
        """Your own scores as a judge of this event (404 for anyone else). POST gives or
        changes one: a project of your own team does not exist for you (404)."""
        event = selectors.event_get_judged(user=request.user, slug=slug)
        judge = api_person(request)
        if request.method == "GET":
            found = selectors.scores_by(event=event, judge=judge).values()
            return Response(ScoreSerializer(list(found), many=True).data)
        data = validated(ScoreCreateSerializer, request)
        submission = selectors.submission_get_judgeable(
            event=event, judge=judge, pk=data["submission"]
        )
        criterion = Criterion.objects.filter(event=event, pk=data["criterion"]).first()
        if criterion is None:
            raise NotFound("No such criterion for this event.")
        score = call_service(
            services.score_save,
            judge=judge,
            submission=submission,
            criterion=criterion,
            value=data["value"],
            comment=data["comment"],
        )
        return Response(ScoreSerializer(score).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, slug: str) -> Response:
        event = selectors.event_get_published(user=request.user, slug=slug)
        names = {c.pk: c.name for c in event.criteria.all()}
        rows = []
        for row in selectors.event_ranking(event=event):
            row.by_criterion = {names[c]: v for c, v in row.by_criterion.items()}
            row.awards = [a.name for a in row.submission.awards.all()]
            rows.append(row)
        return Response(ResultSerializer(rows, many=True).data)


class HackathonTeamViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One hackathon team: `join` asks to join it, `invite` (members) invites someone."""

    serializer_class = HackathonTeamSerializer

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).prefetch_related(
            "memberships__person__user", "memberships__person__team"
        )

    @extend_schema(request=JoinSerializer, responses={201: JoinRequestSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: int) -> Response:
        team = self.get_object()
        data = validated(JoinSerializer, request)
        join = call_service(
            services.join_request_create, team=team, person=api_person(request), **data
        )
        return Response(JoinRequestSerializer(join).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InviteSerializer, responses={201: JoinRequestSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: int) -> Response:
        team = self.get_object()
        data = validated(InviteSerializer, request)
        join = call_service(services.invitation_create, team=team, by=api_person(request), **data)
        return Response(JoinRequestSerializer(join).data, status=status.HTTP_201_CREATED)


class JoinRequestAnswerView(APIView):
    """The invited person answers an invitation; a team member answers a join request."""

    @extend_schema(request=JoinAnswerSerializer, responses=JoinRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        join = selectors.join_request_get_answerable(user=request.user, pk=pk)
        data = validated(JoinAnswerSerializer, request)
        join = call_service(
            services.join_request_answer, join_request=join, by=api_person(request), **data
        )
        return Response(JoinRequestSerializer(join).data)


class TeamSubmissionView(APIView):
    """A team's project. GET: the submitted project, or the draft for its members. PUT (members,
    until the deadline): title, summary, links, skills, `submit`. A late change is a 400
    naming the deadline."""

    def _team(self, request: Request, pk: int):
        return selectors.team_get_visible(user=request.user, pk=pk)

    @extend_schema(responses=ProjectSubmissionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        team = self._team(request, pk)
        submission = Submission.objects.visible_to(request.user).filter(team=team).first()
        if submission is None:
            raise NotFound("No submission yet.")
        return Response(ProjectSubmissionSerializer(submission).data)

    @extend_schema(request=SubmissionSaveSerializer, responses=ProjectSubmissionSerializer)
    def put(self, request: Request, pk: int) -> Response:
        team = self._team(request, pk)
        person = api_person(request)
        if not selectors.is_member(team=team, person=person):
            raise NotFound("No such team of yours.")
        data = validated(SubmissionSaveSerializer, request)
        if "skills" in data:
            data["skills"] = list(data["skills"])
        submission = call_service(services.submission_save, team=team, by=person, **data)
        return Response(ProjectSubmissionSerializer(submission).data)


UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}},
}


class SubmissionAttachmentView(APIView):
    """POST a file (multipart field `file`) to your team's submission. Its type and size are
    checked, and a notebook validated and rendered, before anything is stored."""

    parser_classes = [MultiPartParser, FormParser, NulRefusingJSONParser]

    @extend_schema(
        request={"multipart/form-data": UPLOAD_SCHEMA}, responses={201: AttachmentSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        team = selectors.team_get_visible(user=request.user, pk=pk)
        person = api_person(request)
        submission = Submission.objects.filter(team=team).first()
        if submission is None or not selectors.is_member(team=team, person=person):
            raise NotFound("No submission of yours to attach to.")
        upload = request.FILES.get("file")
        if upload is None:
            raise as_api_error(DjangoValidationError({"file": "Attach a file."}))
        checked = call_service(check_upload, upload=upload)
        attachment = call_service(
            services.attachment_add, submission=submission, by=person, upload=checked
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
