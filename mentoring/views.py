from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit.models import AuditAction
from core.audit.services import audit_read
from core.models import Person
from core.selectors import person_of
from core.shortcuts import own_person, redirect_back, show_error_messages, show_form_errors
from mentoring import selectors, services
from mentoring.forms import (
    AnswerForm,
    AvailabilityForm,
    EndForm,
    FeedbackNoteForm,
    FeedbackRequestForm,
    LearningEntryForm,
    MentorshipRequestForm,
    PrivateNoteForm,
    ProposeForm,
    QuestionForm,
    RespondForm,
    SessionForm,
)
from mentoring.models import ActionItem, Answer, FeedbackRequest, Mentorship

TEAM_REQUESTS = 20  # the newest proposals and requests of a manager's reports on the index

# --- Overview and availability --------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    mentorships = selectors.mentorships_of(person=person) if person else Mentorship.objects.none()
    profile = selectors.mentor_profile_of(person) if person else None
    return render(
        request,
        "mentoring/index.html",
        {
            "person": person,
            "profile": profile,
            "as_mentor": [m for m in mentorships if m.mentor_id == person.pk] if person else [],
            "as_mentee": [m for m in mentorships if m.mentee_id == person.pk] if person else [],
            "may_propose": selectors.may_propose(user=request.user),
            "team_requests": selectors.team_mentorship_requests(user=request.user)[:TEAM_REQUESTS],
            **selectors.questions_panel_counts(user=request.user),
            "learning_this_week": (
                selectors.learning_weeks(person=person, today=timezone.localdate(), weeks=1)[0]
                if person
                else None
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    profile = selectors.mentor_profile_of(person)
    offerable = selectors.offerable_skills(person=person)
    initial = {
        "open_to_mentoring": profile.open_to_mentoring,
        "capacity": profile.capacity,
        "skills_offered": list(profile.skills_offered.all()) if profile.pk else [],
    }
    form = AvailabilityForm(request.POST or None, offerable=offerable, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_profile_update(
                person=person,
                open_to_mentoring=form.cleaned_data["open_to_mentoring"],
                capacity=form.cleaned_data["capacity"],
                skills=list(form.cleaned_data["skills_offered"]),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Your mentoring availability is saved.")
            return redirect("mentoring:index")
    status = 400 if request.method == "POST" else 200
    return render(request, "mentoring/availability.html", {"form": form}, status=status)


# --- Matching and proposals -----------------------------------------------------------------


@require_safe
def match(request: HttpRequest) -> HttpResponse:
    """For managers (their reports) and staff (everyone): one mentee's suggestions, or the
    optimal assignment for everyone without a mentor."""
    if not selectors.may_propose(user=request.user):
        raise Http404("Only managers and staff match mentors.")
    mentees = selectors.matchable_mentees(user=request.user)
    mentee = None
    if request.GET.get("mentee"):
        mentee = get_object_or_404(mentees, pk=request.GET["mentee"])
        found = selectors.match_suggestions(mentee=mentee)
    else:
        found = selectors.cohort_matches(mentees=list(mentees))
    return render(
        request,
        "mentoring/match.html",
        {
            "mentees": mentees,
            "mentee": mentee,
            "matches": found,
            "person_urls": selectors.match_person_urls(user=request.user, matches=found),
        },
    )


@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a mentor and a mentee.")
        return redirect("mentoring:match")
    mentee = form.cleaned_data["mentee"]
    if not selectors.matchable_mentees(user=request.user).filter(pk=mentee.pk).exists():
        raise Http404("No such person.")
    try:
        mentorship = services.mentorship_propose(
            proposed_by=person,
            mentor=form.cleaned_data["mentor"],
            mentee=mentee,
            cadence=form.cleaned_data["cadence"],
            goals=form.cleaned_data["goals"],
            breakdown=selectors.match_breakdown_for(
                mentee=mentee, mentor=form.cleaned_data["mentor"]
            ),
        )
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect(f"{_match_url()}?mentee={mentee.pk}")
    messages.success(request, "Proposed: the mentor and the mentee are asked to accept.")
    return redirect(mentorship)


def _match_url() -> str:
    from django.urls import reverse

    return reverse("mentoring:match")


# --- Finding a mentor yourself --------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """An engineer's own best mentor suggestions, each explained, and a form to ask one of
    them (POST): asking is the engineer's acceptance; the mentor then accepts or declines."""
    person = own_person(request)
    posted = None
    if request.method == "POST":
        posted = MentorshipRequestForm(request.POST)
        if posted.is_valid():
            try:
                mentorship = services.mentorship_request(
                    mentee=person,
                    mentor=posted.cleaned_data["mentor"],
                    goals=posted.cleaned_data["goals"],
                    goal_skills=list(posted.cleaned_data["goal_skills"]),
                    cadence=posted.cleaned_data["cadence"],
                )
            except ValidationError as error:
                show_form_errors(posted, error)
            else:
                messages.success(
                    request,
                    f"Asked: {mentorship.mentor.display_name} is told and will accept or decline.",
                )
                return redirect(mentorship)
    suggestions = selectors.mentor_suggestions_for(mentee=person)
    waiting = selectors.open_request_count(mentee=person)
    return render(
        request,
        "mentoring/find.html",
        {
            "person": person,
            "suggestions": [(s, _request_form(s, posted)) for s in suggestions],
            "posted": posted,
            "open_mentorships": selectors.open_mentorships_as_mentee(mentee=person),
            "declined": selectors.declined_requests_of(mentee=person),
            "waiting": waiting,
            "max_waiting": services.MAX_OPEN_REQUESTS,
            "may_ask": waiting < services.MAX_OPEN_REQUESTS,
            "may_propose": selectors.may_propose(user=request.user),
        },
        status=400 if posted is not None else 200,
    )


def _request_form(suggestion, posted) -> MentorshipRequestForm:
    """The form under one suggestion: the posted one again (with its errors) for the mentor
    just asked, else an empty one with the gaps this mentor covers ticked."""
    from core.skills.models import Skill

    mentor = suggestion.mentor
    skills = Skill.objects.filter(pk__in=[skill.pk for skill in suggestion.skills])
    auto_id = f"ask-{mentor.pk}-%s"
    if posted is not None and posted.data.get("mentor") == str(mentor.pk):
        return MentorshipRequestForm(posted.data, skills=skills, auto_id=auto_id)
    initial = {"mentor": mentor.pk, "goal_skills": [s.pk for s in suggestion.covered_skills]}
    return MentorshipRequestForm(skills=skills, auto_id=auto_id, initial=initial)


# --- One mentorship -------------------------------------------------------------------------


@require_safe
def mentorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return mentorship_page(request, pk)


def mentorship_page(request: HttpRequest, pk: int, session_form=None) -> HttpResponse:
    """The mentorship's page; with `session_form`, as the answer to a refused session."""
    mentorship = selectors.mentorship_get_visible(user=request.user, pk=pk)
    person = person_of(request.user)
    party = mentorship.party(person)
    sessions = mentorship.sessions.all() if party else []
    context = {
        "mentorship": mentorship,
        "party": party,
        "sessions": sessions,
        "open_items": selectors.open_action_items(mentorship=mentorship) if party else [],
        "session_form": session_form or SessionForm(),
        "end_form": EndForm(),
        "awaiting_me": (
            mentorship.status == Mentorship.Status.PROPOSED
            and party
            and getattr(mentorship, f"{party}_accepted_at") is None
        ),
        "goal_skills": mentorship.goal_skills.all(),
        "asked_by_mentee": mentorship.proposed_by_id == mentorship.mentee_id,
        "respond_form": RespondForm(auto_id="respond-%s"),
    }
    return render(
        request, "mentoring/mentorship.html", context, status=400 if session_form else 200
    )


@require_POST
def mentorship_respond(request: HttpRequest, pk: int) -> HttpResponse:
    mentorship = selectors.mentorship_get_visible(user=request.user, pk=pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Accept or decline, with a reason of at most 1000 characters.")
        return redirect(mentorship)
    try:
        services.mentorship_respond(
            mentorship_id=mentorship.pk,
            person=own_person(request),
            accept=form.cleaned_data["answer"] == "accept",
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as error:
        raise Http404("No such mentorship.") from error
    except ValidationError as error:
        show_error_messages(request, error)
    return redirect(mentorship)


@require_POST
def mentorship_end(request: HttpRequest, pk: int) -> HttpResponse:
    mentorship = selectors.mentorship_get_visible(user=request.user, pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.mentorship_end(
                mentorship=mentorship,
                person=own_person(request),
                completed=form.cleaned_data["outcome"] == "completed",
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            raise Http404("No such mentorship.") from error
        except ValidationError as error:
            show_error_messages(request, error)
    return redirect(mentorship)


# --- Sessions -------------------------------------------------------------------------------


@require_POST
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    mentorship = selectors.mentorship_get_visible(user=request.user, pk=pk)
    person = own_person(request)
    if not mentorship.party(person):
        raise Http404("No such mentorship.")
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session = services.session_create(
                mentorship=mentorship,
                author=person,
                date=form.cleaned_data["date"],
                agenda=form.cleaned_data["agenda"],
                notes=form.cleaned_data["notes"],
                action_items=form.action_item_lines(),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Session logged.")
            return redirect(session)
    return mentorship_page(request, pk, session_form=form)


@require_http_methods(["GET", "HEAD", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The shared agenda and notes, the action items, and your own private note."""
    session = selectors.session_get_visible(user=request.user, pk=pk)
    note = selectors.private_note_of(user=request.user, session=session)
    form = PrivateNoteForm(request.POST or None, initial={"body": note.body if note else ""})
    if request.method == "POST" and form.is_valid():
        services.private_note_save(
            session=session, author=own_person(request), body=form.cleaned_data["body"]
        )
        messages.success(request, "Your private note is saved.")
        return redirect(session)
    return render(
        request,
        "mentoring/session.html",
        {
            "session": session,
            "mentorship": session.mentorship,
            "items": session.action_items.all(),
            "carried_over": selectors.carried_over_action_items(session=session),
            "private_note": note,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ActionItem.objects.filter(
            mentorship__in=selectors.mentorship_list_visible(user=request.user)
        ),
        pk=pk,
    )
    try:
        services.action_item_complete(item=item, person=own_person(request))
    except PermissionDenied as error:
        raise Http404("No such action item.") from error
    return redirect_back(request, item.mentorship.get_absolute_url())


# --- Feedback -------------------------------------------------------------------------------


def _feedback_people(request: HttpRequest):
    return Person.objects.in_directory(request.user).select_related("user")


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """Feedback you received, gave, or may read about your reports; and a form to write one."""
    person = own_person(request)
    answering = None
    if request.GET.get("request") or request.POST.get("request"):
        answering = get_object_or_404(
            FeedbackRequest.objects.filter(asked=person, status=FeedbackRequest.Status.OPEN),
            pk=request.GET.get("request") or request.POST.get("request"),
        )
    initial = {"recipient": answering.requester} if answering else {}
    form = FeedbackNoteForm(request.POST or None, people=_feedback_people(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.feedback_note_create(
                author=person, request=answering, **form.cleaned_data
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Feedback sent.")
            return redirect(note)
    notes = selectors.feedback_list_visible(user=request.user)
    return render(
        request,
        "mentoring/feedback.html",
        {
            "form": form,
            "answering": answering,
            "received": notes.filter(recipient=person),
            "given": notes.filter(author=person),
            "about_reports": notes.exclude(recipient=person).exclude(author=person),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_note(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.feedback_get_visible(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.feedback_note_acknowledge(note=note, person=own_person(request))
        except PermissionDenied as error:
            raise Http404("No such feedback note.") from error
        messages.success(request, "Acknowledged.")
        return redirect(note)
    person = person_of(request.user)
    audit_read(
        user=request.user,
        action=AuditAction.FEEDBACK_READ,
        subject=note.recipient,
        obj=note,
        owner_ids=(note.author_id,),
        request=request,
    )
    return render(
        request,
        "mentoring/feedback_note.html",
        {"note": note, "is_recipient": person is not None and note.recipient_id == person.pk},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_requests(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    form = FeedbackRequestForm(request.POST or None, people=_feedback_people(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_request_create(requester=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Asked.")
            return redirect("mentoring:feedback-requests")
    visible = selectors.feedback_requests_visible(user=request.user)
    return render(
        request,
        "mentoring/feedback_requests.html",
        {
            "form": form,
            "asked_of_me": visible.filter(asked=person),
            "sent": visible.filter(requester=person),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Cadence --------------------------------------------------------------------------------


@require_safe
def cadence(request: HttpRequest) -> HttpResponse:
    """For managers (their reports) and staff (everyone): days since feedback and sessions."""
    if not selectors.may_propose(user=request.user):
        raise Http404("Only managers and staff follow the cadence.")
    rows = selectors.cadence_for(
        people=selectors.cadence_people(user=request.user), now=timezone.now()
    )
    return render(
        request,
        "mentoring/cadence.html",
        {"rows": rows, "warning_days": settings.MENTORING_FEEDBACK_WARNING_DAYS},
    )


# --- Questions board ------------------------------------------------------------------------


@require_safe
def questions(request: HttpRequest) -> HttpResponse:
    """The board: every question, newest first; `?skill=<slug>` and `?unanswered=1` filter."""
    found = selectors.question_list_visible(user=request.user)
    if request.GET.get("skill"):
        found = found.filter(skills__slug=request.GET["skill"])
    if request.GET.get("unanswered"):
        found = found.filter(answer_count=0)
    return render(
        request,
        "mentoring/questions.html",
        {"questions": found, "person": person_of(request.user)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_ask(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(author=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Asked. Experts in its skills are told.")
            return redirect(question)
    return render(
        request,
        "mentoring/question_form.html",
        {"form": form, "question": None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the author (anonymous or not) edits a question; anyone else gets 404."""
    question = selectors.question_get_own(user=request.user, pk=pk)
    initial = {"title": question.title, "body": question.body, "skills": question.skills.all()}
    form = QuestionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                question=question, person=own_person(request), **form.cleaned_data
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Question saved.")
            return redirect(question)
    return render(
        request,
        "mentoring/question_form.html",
        {"form": form, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The question, its answers, and a form to answer (POST)."""
    question = selectors.question_get_visible(user=request.user, pk=pk)
    person = person_of(request.user)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_create(
                question=question, author=own_person(request), body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Answer posted.")
            return redirect(question)
    return render(
        request,
        "mentoring/question.html",
        {
            "question": question,
            "asked_by_me": question.is_asked_by(person),
            "answers": selectors.answers_of(question=question, user=request.user),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def question_accept(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_own(user=request.user, pk=pk)
    answer = get_object_or_404(
        Answer.objects.filter(question=question), pk=request.POST.get("answer") or 0
    )
    try:
        services.answer_accept(question=question, answer=answer, person=own_person(request))
    except PermissionDenied as error:
        raise Http404("No such question.") from error
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        messages.success(request, "Answer accepted.")
    return redirect(question)


# --- Learning time --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def learning(request: HttpRequest) -> HttpResponse:
    """Log time spent learning; your recent weeks against the goal."""
    person = own_person(request)
    form = LearningEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_entry_create(person=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Learning time logged.")
            return redirect("mentoring:learning")
    return render(
        request,
        "mentoring/learning.html",
        {
            "form": form,
            "weeks": selectors.learning_weeks(person=person, today=timezone.localdate()),
            "entries": selectors.learning_entries_visible(user=request.user).filter(person=person)[
                :20
            ],
            "goal": settings.MENTORING_LEARNING_GOAL_MINUTES,
            "has_team": selectors.learning_team_of(user=request.user).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def learning_team(request: HttpRequest) -> HttpResponse:
    """For managers: their reports' (transitive) learning time in recent weeks vs the goal."""
    team = selectors.learning_team_of(user=request.user)
    if not team.exists():
        raise Http404("Only managers see their team's learning time.")
    rows = selectors.team_learning(people=team, today=timezone.localdate())
    return render(
        request,
        "mentoring/learning_team.html",
        {
            "rows": rows,
            "starts": [week.start for week in rows[0][1]] if rows else [],
            "goal": settings.MENTORING_LEARNING_GOAL_MINUTES,
        },
    )
