"""Hackathon pages. Reads through `hackathons.selectors` (404 for what you may not see), writes
through `hackathons.services`; a broken rule is shown on the form or as a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.notebooks import NOTEBOOK_CSP
from core.selectors import person_of
from core.shortcuts import own_person, show_error_messages, show_form_errors
from core.skills.models import Skill
from hackathons import selectors, services
from hackathons.forms import (
    AnswerForm,
    AwardForm,
    AwardFormSet,
    CommentForm,
    CriterionFormSet,
    EventCreateForm,
    EventForm,
    ExtendForm,
    IdeaForm,
    InviteForm,
    MergeForm,
    MoveForm,
    PeopleForm,
    ScoreForm,
    SubmissionForm,
    TeamCreateForm,
)
from hackathons.models import Award, Event, Idea, Phase, Submission
from hackathons.uploads import check_upload


def _not_found(error: PermissionDenied) -> Http404:
    return Http404(str(error) or "Not found.")


# --- Overview, ideas ------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    return render(
        request,
        "hackathons/index.html",
        {
            **selectors.events_by_phase(user=request.user),
            "invitations": selectors.invitations_for(person=person),
            "backlog": selectors.idea_list_visible(user=request.user, backlog=True)[:5],
            "may_create_event": selectors.may_create_event(user=request.user),
        },
    )


@require_safe
def ideas(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hackathons/ideas.html",
        {
            "backlog": selectors.idea_list_visible(user=request.user, backlog=True),
            "event_ideas": selectors.idea_list_visible(user=request.user).filter(
                event__isnull=False
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    initial = {"event": Event.objects.filter(slug=request.GET.get("event", "")).first()}
    form = IdeaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_create(proposer=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Your idea is proposed.")
            return redirect(idea)
    status = 400 if request.method == "POST" else 200
    return render(request, "hackathons/idea_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_get_visible(user=request.user, pk=pk)
    if idea.merged_into_id:
        messages.info(request, f"“{idea.title}” was merged into this idea.")
        return redirect(idea.merged_into)
    person = person_of(request.user)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.idea_comment(idea=idea, author=own_person(request), body=form.cleaned_data["body"])
        return redirect(f"{idea.get_absolute_url()}#comments")
    context = {
        "idea": idea,
        "votes": idea.votes.count(),
        "voted": selectors.has_voted(idea=idea, person=person),
        "comments": idea.comments.select_related("author__user"),
        "similar": selectors.similar_to_idea(idea=idea),
        "teams": idea.teams.select_related("event"),
        "form": form,
        "may_merge": selectors.may_merge(person=person, ideas=[idea]),
        "open_events": [
            e for e in Event.objects.all() if e.phase in (Phase.UPCOMING, Phase.IDEAS, Phase.TEAMS)
        ]
        if idea.event_id is None
        else [],
        "is_proposer": person is not None and idea.proposer_id == person.pk,
    }
    return render(request, "hackathons/idea.html", context, status=400 if form.errors else 200)


@require_POST
def idea_vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_get_visible(user=request.user, pk=pk)
    try:
        _, created = services.idea_vote(idea=idea, person=own_person(request))
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        messages.success(request, "Vote counted." if created else "You had voted already.")
    return redirect(idea.merged_into or idea)


@require_POST
def idea_merge(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_get_visible(user=request.user, pk=pk)
    person = own_person(request)
    if not selectors.may_merge(person=person, ideas=[idea]):
        raise Http404("No such idea.")
    form = MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = Idea.objects.visible_to(request.user).filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        messages.error(request, "Choose an existing idea to merge into.")
        return redirect(idea)
    try:
        kept = services.idea_merge(idea=idea, into=into, by=person)
    except PermissionDenied as error:
        raise _not_found(error) from error
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect(idea)
    messages.success(request, f"Merged: votes and comments are now on “{kept.title}”.")
    return redirect(kept)


@require_POST
def idea_move(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_get_visible(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return redirect(idea)
    event = selectors.event_get_visible(user=request.user, slug=form.cleaned_data["event"])
    try:
        services.idea_move(idea=idea, event=event, by=own_person(request))
    except PermissionDenied as error:
        raise _not_found(error) from error
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        messages.success(request, f"The idea is now part of {event.title}.")
    return redirect(idea)


# --- Events ---------------------------------------------------------------------------------


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_visible(user=request.user, slug=slug)
    person = person_of(request.user)
    my_team = selectors.team_of(person=person, event=event)
    teams = selectors.team_list_visible(user=request.user, event=event)
    return render(
        request,
        "hackathons/event.html",
        {
            "event": event,
            "phase": event.phase,
            "ideas": selectors.idea_list_visible(user=request.user, event=event),
            "teams": teams,
            "my_team": my_team,
            "may_organise": selectors.may_organise(person=person, event=event),
            "is_judge": selectors.is_judge(person=person, event=event),
            "may_form_team": my_team is None and event.phase in services.TEAM_PHASES,
            "may_propose": event.phase in services.IDEA_PHASES,
            "criteria": event.criteria.all(),
            "awards": event.awards.select_related("submission__team"),
            "extensions": event.extensions.select_related("extended_by__user"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    person = own_person(request)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, by=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "The event is saved.")
            return redirect(event)
    return render(
        request,
        "hackathons/event_form.html",
        {"event": event, "form": form, "extend_form": ExtendForm()},
        status=400 if form.errors else 200,
    )


@require_POST
def event_extend(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_extend(event=event, by=own_person(request), **form.cleaned_data)
        except ValidationError as error:
            show_error_messages(request, error)
        else:
            messages.success(request, "The submission deadline is extended.")
    else:
        messages.error(request, "Give the new deadline as a date and time.")
    return redirect("hackathons:event-edit", slug=event.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    """Staff create an event; its criteria and awards come next, on the organise page."""
    if not selectors.may_create_event(user=request.user):
        raise Http404("No such page.")
    person = own_person(request)
    data = request.POST if request.method == "POST" else None
    form = EventCreateForm(data, initial={"organisers": [person]})
    if data is not None and form.is_valid():
        fields = dict(form.cleaned_data)
        people = {name: list(fields.pop(name)) for name in ("organisers", "judges")}
        try:
            event = services.event_create(by=person, **people, **fields)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(
                request,
                f"{event.title} is created. Its judges score one criterion, “Overall”, until "
                "you name others here.",
            )
            return redirect("hackathons:event-organise", slug=event.slug)
    return render(
        request, "hackathons/event_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _criteria_formset(event: Event, data=None) -> CriterionFormSet:
    last = event.criteria.aggregate(last=Max("position"))["last"]
    next_position = 0 if last is None else last + 1
    return CriterionFormSet(
        data,
        queryset=event.criteria.all(),
        prefix="criteria",
        initial=[{"position": next_position}],
    )


def _awards_formset(event: Event, data=None) -> AwardFormSet:
    return AwardFormSet(data, queryset=event.awards.select_related("submission"), prefix="awards")


def _kept_forms(formset):
    """The rows the organiser keeps: every existing row not marked for removal, and the new
    ones they filled in."""
    deleted = formset.deleted_forms
    for form in formset.forms:
        if form in deleted or (form.instance.pk is None and not form.has_changed()):
            continue
        yield form


def _organise_page(request: HttpRequest, event: Event, status: int = 200, **bound) -> HttpResponse:
    """The organise page; `bound` holds the form of a section posted with errors, and the
    errors its service gave (`criteria_errors`, `awards_errors`)."""
    context = {
        "event": event,
        "people_form": PeopleForm(event=event),
        "criteria_formset": _criteria_formset(event),
        "awards_formset": _awards_formset(event),
        "criteria_errors": [],
        "awards_errors": [],
        "organisers": event.organisers.select_related("user", "team"),
        "judges": event.judges.select_related("user", "team"),
        "criteria": event.criteria.all(),
        "scoring_started": selectors.scoring_started(event=event),
        "scoring_started_text": services.SCORING_STARTED,
        **bound,
    }
    return render(request, "hackathons/organise.html", context, status=status)


def _organise_section(event: Event, section: str) -> str:
    return f"{reverse('hackathons:event-organise', kwargs={'slug': event.slug})}#{section}"


@require_safe
def event_organise(request: HttpRequest, slug: str) -> HttpResponse:
    """Organisers: who organises and judges, the judging criteria and the awards."""
    event = selectors.event_get_organised(user=request.user, slug=slug)
    return _organise_page(request, event)


@require_POST
def event_people(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    person = own_person(request)
    form = PeopleForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.event_people_set(
                event=event,
                by=person,
                organisers=list(form.cleaned_data["organisers"]),
                judges=list(form.cleaned_data["judges"]),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Organisers and judges are saved.")
            if not selectors.may_organise(person=person, event=event):
                return redirect(event)  # they stepped down: the organise page is no longer theirs
            return redirect(_organise_section(event, "people"))
    return _organise_page(request, event, status=400, people_form=form)


@require_POST
def event_criteria(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    return _save_section(
        request,
        event,
        section="criteria",
        formset=_criteria_formset(event, request.POST),
        to_input=lambda form: services.CriterionInput(
            id=form.instance.pk,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            weight=form.cleaned_data["weight"],
            position=form.cleaned_data["position"],
        ),
        save=lambda by, items: services.event_criteria_set(event=event, by=by, criteria=items),
        saved="The judging criteria are saved.",
    )


@require_POST
def event_awards(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    return _save_section(
        request,
        event,
        section="awards",
        formset=_awards_formset(event, request.POST),
        to_input=lambda form: services.AwardInput(
            id=form.instance.pk, name=form.cleaned_data["name"]
        ),
        save=lambda by, items: services.event_awards_set(event=event, by=by, awards=items),
        saved="The awards are saved.",
    )


def _save_section(request, event, *, section, formset, to_input, save, saved) -> HttpResponse:
    """One formset section of the organise page: its rows through `save` (a service), then
    back to the section, or the page again with the formset's or the service's errors."""
    errors = []
    if formset.is_valid():
        try:
            save(own_person(request), [to_input(form) for form in _kept_forms(formset)])
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, saved)
            return redirect(_organise_section(event, section))
    context = {f"{section}_formset": formset, f"{section}_errors": errors}
    return _organise_page(request, event, status=400, **context)


# --- Teams ----------------------------------------------------------------------------------


@require_POST
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_visible(user=request.user, slug=slug)
    form = TeamCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the idea your team forms around.")
        return redirect(event)
    idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=form.cleaned_data["idea"])
    try:
        team = services.team_create(
            event=event, idea=idea, lead=own_person(request), name=form.cleaned_data["name"]
        )
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect(event)
    messages.success(request, "Your team is formed: invite people or wait for requests.")
    return redirect(team)


@require_safe
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get_visible(user=request.user, pk=pk)
    person = person_of(request.user)
    member = selectors.is_member(team=team, person=person)
    submission = Submission.objects.visible_to(request.user).filter(team=team).first()
    return render(
        request,
        "hackathons/team.html",
        {
            "team": team,
            "event": team.event,
            "overview": selectors.team_overview(team=team),
            "is_member": member,
            "pending": selectors.pending_for_team(team=team) if member else [],
            "my_invitation": selectors.invitations_for(person=person).filter(team=team).first(),
            "may_join": (
                not member
                and person is not None
                and selectors.team_of(person=person, event=team.event) is None
                and team.event.phase in services.TEAM_PHASES
            ),
            "invite_form": InviteForm() if member else None,
            "submission": submission,
        },
    )


@require_POST
def team_join(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get_visible(user=request.user, pk=pk)
    try:
        services.join_request_create(
            team=team, person=own_person(request), message=request.POST.get("message", "")[:300]
        )
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        messages.success(request, "Asked: the team's members will answer.")
    return redirect(team)


@require_POST
def team_invite(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get_visible(user=request.user, pk=pk)
    person = own_person(request)
    if not selectors.is_member(team=team, person=person):
        raise Http404("No such team of yours.")
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whom to invite.")
        return redirect(team)
    try:
        services.invitation_create(team=team, by=person, **form.cleaned_data)
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        messages.success(request, f"{form.cleaned_data['person'].display_name} is invited.")
    return redirect(team)


@require_POST
def join_answer(request: HttpRequest, pk: int) -> HttpResponse:
    join = selectors.join_request_get_answerable(user=request.user, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.join_request_answer(
                join_request=join,
                by=own_person(request),
                accept=form.cleaned_data["answer"] == "accept",
            )
        except ValidationError as error:
            show_error_messages(request, error)
    return redirect(join.team)


# --- Submissions ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get_visible(user=request.user, pk=pk)
    person = own_person(request)
    if not selectors.is_member(team=team, person=person):
        raise Http404("No such team of yours.")
    submission = Submission.objects.filter(team=team).first()
    initial = {"title": team.idea.title, "skills": list(team.idea.skills.all())}
    if submission:
        initial = {
            "title": submission.title,
            "summary": submission.summary,
            "repository_url": submission.repository_url,
            "demo_url": submission.demo_url,
            "skills": list(submission.skills.all()),
        }
    form = SubmissionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _submission_save(request, form, team=team, person=person)
        if saved is not None:
            return redirect(saved)
    return render(
        request,
        "hackathons/submission_form.html",
        {"team": team, "event": team.event, "form": form, "submission": submission},
        status=400 if form.errors else 200,
    )


def _submission_save(request, form, *, team, person) -> Submission | None:
    data = dict(form.cleaned_data)
    upload = data.pop("attachment", None)
    try:
        checked = check_upload(upload) if upload else None  # before anything is stored
        submission = services.submission_save(
            team=team, by=person, submit="submit" in request.POST, **data
        )
        if checked:
            services.attachment_add(submission=submission, by=person, upload=checked)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            form.add_error("attachment", error.error_dict["file"])
        else:
            show_form_errors(form, error)
        return None
    messages.success(
        request, "Submitted: everyone can see it." if submission.submitted_at else "Draft saved."
    )
    return submission


@require_safe
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get_visible(user=request.user, pk=pk)
    person = person_of(request.user)
    team = submission.team
    return render(
        request,
        "hackathons/submission.html",
        {
            "submission": submission,
            "team": team,
            "event": team.event,
            "members": team.memberships.select_related("person__user", "person__team"),
            "is_member": selectors.is_member(team=team, person=person),
            "awards": submission.awards.all() if team.event.results_published_at else [],
        },
    )


@require_safe
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_visible(user=request.user, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def attachment_notebook(request: HttpRequest, pk: int) -> HttpResponse:
    """A notebook rendered and sanitised at upload, in a sandboxed document."""
    attachment = selectors.attachment_get_visible(user=request.user, pk=pk)
    if not attachment.notebook_html:
        raise Http404("This attachment is not a notebook.")
    response = HttpResponse(attachment.notebook_html)
    response["Content-Security-Policy"] = NOTEBOOK_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


# --- Judging and results --------------------------------------------------------------------


@require_safe
def judging(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_judged(user=request.user, slug=slug)
    judge = own_person(request)
    scored = selectors.scores_by(event=event, judge=judge)
    criteria = list(event.criteria.all())
    rows = [
        (s, sum(1 for c in criteria if (s.pk, c.pk) in scored))
        for s in selectors.submissions_to_judge(event=event, judge=judge)
    ]
    return render(
        request,
        "hackathons/judging.html",
        {
            "event": event,
            "rows": rows,
            "criteria_count": len(criteria),
            "progress": selectors.judging_progress(event=event),
            "open": event.phase == Phase.JUDGING,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def judge_score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.event_get_judged(user=request.user, slug=slug)
    judge = own_person(request)
    submission = selectors.submission_get_judgeable(event=event, judge=judge, pk=pk)
    criteria = list(event.criteria.all())
    given = {c: s for (sid, c), s in selectors.scores_by(event=event, judge=judge).items()
             if sid == submission.pk}  # fmt: skip
    form = ScoreForm(request.POST or None, criteria=criteria, initial_scores=given)
    if request.method == "POST" and form.is_valid():
        try:
            for criterion in criteria:
                services.score_save(
                    judge=judge,
                    submission=submission,
                    criterion=criterion,
                    value=form.cleaned_data[f"value_{criterion.pk}"],
                    comment=form.cleaned_data[f"comment_{criterion.pk}"],
                )
        except PermissionDenied as error:
            raise _not_found(error) from error
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, f"Scores for {submission.title} are saved.")
            return redirect("hackathons:judging", slug=event.slug)
    return render(
        request,
        "hackathons/score_form.html",
        {"event": event, "submission": submission, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """Organisers: who has scored what, the ranking so far, awards, and publishing."""
    event = selectors.event_get_organised(user=request.user, slug=slug)
    ranking = selectors.event_ranking(event=event)
    return render(
        request,
        "hackathons/progress.html",
        {
            "event": event,
            "progress": selectors.judging_progress(event=event),
            "ranking": ranking,
            "criteria": event.criteria.all(),
            "awards": event.awards.select_related("submission"),
            "may_publish": event.phase == Phase.JUDGING,
        },
    )


@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    try:
        services.results_publish(event=event, by=own_person(request))
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect("hackathons:progress", slug=event.slug)
    messages.success(request, "The results are published.")
    return redirect("hackathons:results", slug=event.slug)


@require_POST
def award_give(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.event_get_organised(user=request.user, slug=slug)
    award = get_object_or_404(Award, event=event, pk=pk)
    form = AwardForm(request.POST)
    submission = None
    if form.is_valid() and form.cleaned_data["submission"]:
        submission = get_object_or_404(
            Submission.objects.submitted().filter(team__event=event),
            pk=form.cleaned_data["submission"],
        )
    try:
        services.award_give(award=award, by=own_person(request), submission=submission)
    except ValidationError as error:
        show_error_messages(request, error)
    return redirect("hackathons:progress", slug=event.slug)


@require_safe
def results(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_published(user=request.user, slug=slug)
    return render(
        request,
        "hackathons/results.html",
        {
            "event": event,
            "ranking": selectors.event_ranking(event=event),
            "criteria": event.criteria.all(),
            "awards": event.awards.select_related("submission__team"),
        },
    )


@require_safe
def showcase(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    skill = request.GET.get("skill", "")[:60]
    return render(
        request,
        "hackathons/showcase.html",
        {
            "projects": selectors.showcase(user=request.user, text=text, skill=skill),
            "q": text,
            "skill": skill,
            "skills": Skill.objects.active(),
        },
    )
