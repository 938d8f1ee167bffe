"""The mentoring API. Every queryset comes from a `visible_to(user)` method, as for the pages:
rows you may not see answer 404; a rule broken answers 400 naming the field."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit.models import AuditAction
from core.audit.services import audit_read
from core.selectors import person_of
from core.shortcuts import api_person, call_service, validated
from mentoring import selectors, services
from mentoring.serializers import (
    AcceptSerializer,
    AnswerCreateSerializer,
    AnswerSerializer,
    AvailabilitySerializer,
    CadenceRowSerializer,
    EndSerializer,
    FeedbackNoteCreateSerializer,
    FeedbackNoteSerializer,
    FeedbackRequestCreateSerializer,
    FeedbackRequestSerializer,
    LearningEntryCreateSerializer,
    LearningEntrySerializer,
    LearningWeekSerializer,
    MatchSerializer,
    MentorshipProposeSerializer,
    MentorshipRequestSerializer,
    MentorshipSerializer,
    PrivateNoteSerializer,
    QuestionCreateSerializer,
    QuestionSerializer,
    QuestionUpdateSerializer,
    RespondSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    TeamLearningRowSerializer,
)


class AvailabilityView(APIView):
    """Your own mentor availability: open to mentoring, capacity, skills offered (level >= 3)."""

    @extend_schema(responses=AvailabilitySerializer)
    def get(self, request: Request) -> Response:
        profile = selectors.mentor_profile_of(api_person(request))
        skills = profile.skills_offered.all() if profile.pk else []
        data = {
            "open_to_mentoring": profile.open_to_mentoring,
            "capacity": profile.capacity,
            "skills_offered": [s.slug for s in skills],
        }
        return Response(data)

    @extend_schema(request=AvailabilitySerializer, responses=AvailabilitySerializer)
    def put(self, request: Request) -> Response:
        data = validated(AvailabilitySerializer, request)
        profile = call_service(
            services.mentor_profile_update,
            person=api_person(request),
            open_to_mentoring=data["open_to_mentoring"],
            capacity=data["capacity"],
            skills=list(data.get("skills_offered", [])),
        )
        return Response(
            {
                "open_to_mentoring": profile.open_to_mentoring,
                "capacity": profile.capacity,
                "skills_offered": [s.slug for s in profile.skills_offered.all()],
            }
        )


class MatchView(APIView):
    """Mentor suggestions, each with its reasons in words and the per-criterion breakdown: for
    `?mentee=<id>`, every mentor they may be offered, best first; without it, the optimal
    assignment for your reports (staff: everyone) who have no mentor yet."""

    @extend_schema(
        parameters=[OpenApiParameter("mentee", int, required=False)],
        responses=MatchSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not selectors.may_propose(user=request.user):
            raise NotFound()
        mentees = selectors.matchable_mentees(user=request.user)
        mentee_id = request.query_params.get("mentee")
        if mentee_id:
            mentee = mentees.filter(pk=mentee_id).first() if mentee_id.isdigit() else None
            if mentee is None:
                raise NotFound()
            found = selectors.match_suggestions(mentee=mentee)
        else:
            found = selectors.cohort_matches(mentees=list(mentees))
        return Response(MatchSerializer(found, many=True).data)


class CadenceView(APIView):
    """Managers (their reports) and staff (everyone): days since the last feedback and the
    last mentoring session per person, with warnings."""

    @extend_schema(responses=CadenceRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not selectors.may_propose(user=request.user):
            raise NotFound()
        people = selectors.cadence_people(user=request.user)
        rows = selectors.cadence_for(people=people, now=timezone.now())
        return Response(CadenceRowSerializer(rows, many=True).data)


class MentorshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mentorships you are part of, proposed, or manage the mentee of. POST proposes one
    (managers of the mentee and staff); POST `request/` asks a mentor for yourself."""

    serializer_class = MentorshipSerializer

    def get_queryset(self):
        return selectors.mentorship_list_visible(user=self.request.user).prefetch_related(
            "goal_skills"
        )

    @extend_schema(request=MentorshipProposeSerializer, responses={201: MentorshipSerializer})
    def create(self, request: Request) -> Response:
        data = validated(MentorshipProposeSerializer, request)
        if not selectors.matchable_mentees(user=request.user).filter(pk=data["mentee"].pk).exists():
            raise NotFound("No such person.")
        mentorship = call_service(
            services.mentorship_propose,
            proposed_by=api_person(request),
            mentor=data["mentor"],
            mentee=data["mentee"],
            cadence=data["cadence"],
            goals=data["goals"],
            goal_skills=list(data.get("goal_skills", [])),
            breakdown=selectors.match_breakdown_for(mentee=data["mentee"], mentor=data["mentor"]),
        )
        return Response(MentorshipSerializer(mentorship).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask a mentor to mentor you",
        description="You (the mentee) ask a mentor directly; asking counts as your acceptance, "
        "so the mentorship starts once the mentor accepts. The mentor must be open to "
        "mentoring with a place left and outside your reporting line; one request or "
        f"mentorship per pair, and at most {services.MAX_OPEN_REQUESTS} requests waiting for "
        "an answer. A rule broken answers 400 naming `mentor`.",
        request=MentorshipRequestSerializer,
        responses={201: MentorshipSerializer},
    )
    @action(detail=False, methods=["post"], url_path="request", url_name="request")
    def ask(self, request: Request) -> Response:
        data = validated(MentorshipRequestSerializer, request)
        mentorship = call_service(
            services.mentorship_request,
            mentee=api_person(request),
            mentor=data["mentor"],
            goals=data["goals"],
            goal_skills=list(data["goal_skills"]),
            cadence=data["cadence"],
        )
        return Response(MentorshipSerializer(mentorship).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses=MentorshipSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: int) -> Response:
        mentorship = self.get_object()
        data = validated(RespondSerializer, request)
        mentorship = call_service(
            services.mentorship_respond,
            mentorship_id=mentorship.pk,
            person=api_person(request),
            accept=data["accept"],
            reason=data["reason"],
        )
        return Response(MentorshipSerializer(mentorship).data)

    @extend_schema(request=EndSerializer, responses=MentorshipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: int) -> Response:
        mentorship = self.get_object()
        data = validated(EndSerializer, request)
        mentorship = call_service(
            services.mentorship_end, mentorship=mentorship, person=api_person(request), **data
        )
        return Response(MentorshipSerializer(mentorship).data)

    @extend_schema(
        request=SessionCreateSerializer,
        responses={200: SessionSerializer(many=True), 201: SessionSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def sessions(self, request: Request, pk: int) -> Response:
        mentorship = self.get_object()
        if not mentorship.party(person_of(request.user)):
            raise NotFound()
        if request.method == "GET":
            sessions = mentorship.sessions.prefetch_related("action_items")
            return Response(
                SessionSerializer(sessions, many=True, context={"request": request}).data
            )
        data = validated(SessionCreateSerializer, request)
        session = call_service(
            services.session_create, mentorship=mentorship, author=api_person(request), **data
        )
        return Response(
            SessionSerializer(session, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Sessions of your mentorships (mentor and mentee only). `private-note` is yours alone."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        from mentoring.models import Session

        return Session.objects.visible_to(self.request.user).prefetch_related("action_items")

    @extend_schema(request=PrivateNoteSerializer, responses=PrivateNoteSerializer)
    @action(detail=True, methods=["get", "put"], url_path="private-note")
    def private_note(self, request: Request, pk: int) -> Response:
        session = self.get_object()
        if request.method == "GET":
            note = selectors.private_note_of(user=request.user, session=session)
            if note is None:
                raise NotFound()
            return Response({"body": note.body})
        data = validated(PrivateNoteSerializer, request)
        note = call_service(
            services.private_note_save, session=session, author=api_person(request), **data
        )
        return Response({"body": note.body})


class FeedbackNoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Feedback notes you may read (`FeedbackNote.objects.visible_to`). POST writes one."""

    serializer_class = FeedbackNoteSerializer

    def get_queryset(self):
        return selectors.feedback_list_visible(user=self.request.user)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        note = self.get_object()
        audit_read(
            user=request.user,
            action=AuditAction.FEEDBACK_READ,
            subject=note.recipient,
            obj=note,
            owner_ids=(note.author_id,),
            request=request,
        )
        return Response(self.get_serializer(note).data)

    @extend_schema(request=FeedbackNoteCreateSerializer, responses={201: FeedbackNoteSerializer})
    def create(self, request: Request) -> Response:
        data = validated(FeedbackNoteCreateSerializer, request)
        note = call_service(services.feedback_note_create, author=api_person(request), **data)
        return Response(FeedbackNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FeedbackNoteSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        note = call_service(
            services.feedback_note_acknowledge, note=self.get_object(), person=api_person(request)
        )
        return Response(FeedbackNoteSerializer(note).data)


class FeedbackRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Requests you sent or were asked; answer one by writing a note with `request`."""

    serializer_class = FeedbackRequestSerializer

    def get_queryset(self):
        return selectors.feedback_requests_visible(user=self.request.user)

    @extend_schema(
        request=FeedbackRequestCreateSerializer, responses={201: FeedbackRequestSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(FeedbackRequestCreateSerializer, request)
        created = call_service(
            services.feedback_request_create, requester=api_person(request), **data
        )
        return Response(FeedbackRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The questions board. POST asks (`anonymous` hides you from everyone); PATCH edits your
    own question; `answers` lists and posts answers; `accept` (the asker) accepts one. An
    anonymous question's JSON has no `author` at all."""

    serializer_class = QuestionSerializer

    def get_queryset(self):
        return selectors.question_list_visible(user=self.request.user)

    @extend_schema(request=QuestionCreateSerializer, responses={201: QuestionSerializer})
    def create(self, request: Request) -> Response:
        data = validated(QuestionCreateSerializer, request)
        question = call_service(
            services.question_create,
            author=api_person(request),
            title=data["title"],
            body=data["body"],
            skills=list(data["skills"]),
            anonymous=data["anonymous"],
        )
        return Response(
            QuestionSerializer(question, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=QuestionUpdateSerializer, responses=QuestionSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        question = self.get_object()
        if not question.is_asked_by(person_of(request.user)):
            raise NotFound()
        data = validated(QuestionUpdateSerializer, request)
        question = call_service(
            services.question_update,
            question=question,
            person=api_person(request),
            title=data["title"],
            body=data["body"],
            skills=list(data["skills"]),
        )
        return Response(QuestionSerializer(question, context={"request": request}).data)

    @extend_schema(
        request=AnswerCreateSerializer,
        responses={200: AnswerSerializer(many=True), 201: AnswerSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request: Request, pk: int) -> Response:
        question = self.get_object()
        if request.method == "GET":
            found = selectors.answers_of(question=question, user=request.user)
            return Response(AnswerSerializer(found, many=True).data)
        data = validated(AnswerCreateSerializer, request)
        answer = call_service(
            services.answer_create, question=question, author=api_person(request), body=data["body"]
        )
        return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AcceptSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        question = self.get_object()
        if not question.is_asked_by(person_of(request.user)):
            raise NotFound()
        data = validated(AcceptSerializer, request)
        answer = question.answers.filter(pk=data["answer"]).first()
        if answer is None:
            raise serializers.ValidationError({"answer": "No such answer to this question."})
        question = call_service(
            services.answer_accept, question=question, answer=answer, person=api_person(request)
        )
        return Response(QuestionSerializer(question, context={"request": request}).data)


class LearningEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own learning time entries; POST logs one (minutes 1-600, date not in the future)."""

    serializer_class = LearningEntrySerializer

    def get_queryset(self):
        person = person_of(self.request.user)
        return selectors.learning_entries_visible(user=self.request.user).filter(person=person)

    @extend_schema(request=LearningEntryCreateSerializer, responses={201: LearningEntrySerializer})
    def create(self, request: Request) -> Response:
        data = validated(LearningEntryCreateSerializer, request)
        entry = call_service(services.learning_entry_create, person=api_person(request), **data)
        return Response(LearningEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class LearningWeeksView(APIView):
    """Your recent weeks (this week first): minutes against MENTORING_LEARNING_GOAL_MINUTES."""

    @extend_schema(responses=LearningWeekSerializer(many=True))
    def get(self, request: Request) -> Response:
        weeks = selectors.learning_weeks(person=api_person(request), today=timezone.localdate())
        return Response(LearningWeekSerializer(weeks, many=True).data)


class TeamLearningView(APIView):
    """Managers: each report's (transitive) minutes in recent weeks against the goal."""

    @extend_schema(responses=TeamLearningRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        team = selectors.learning_team_of(user=request.user)
        if not team.exists():
            raise NotFound()
        rows = selectors.team_learning(people=team, today=timezone.localdate())
        return Response(
            {
                "goal": settings.MENTORING_LEARNING_GOAL_MINUTES,
                "people": TeamLearningRowSerializer(rows, many=True).data,
            }
        )
