from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from core import collaboration, dashboard, health, onboarding, person_sections, selectors
from core.forms import (
    DirectorySearchForm,
    ManagerSearchForm,
    OnboardingPlacementForm,
    ProfileForm,
)
from core.models import Team
from core.services import person_onboard, person_onboarding_finish, person_update_profile
from core.shortcuts import own_person, show_form_errors
from core.skills import selectors as skill_selectors
from core.skills.forms import AssessmentForm
from core.skills.services import assessment_create

PAGE_SIZE = 25


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The panels the apps registered, grouped by the role whose question each answers."""
    return render(request, "core/home.html", {"sections": dashboard.sections_for(request)})


@require_safe
def people_directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    query, team = "", None
    if form.is_valid():
        query, team = form.cleaned_data["q"], form.cleaned_data["team"]
    people = selectors.directory_search(user=request.user, query=query, team=team)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    visible_ids = set(
        selectors.person_list_visible(user=request.user)
        .filter(pk__in=[p.pk for p in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "core/people_directory.html",
        {"form": form, "page": page, "visible_ids": visible_ids},
    )


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One place about a person, for those who may see them (404 for anyone else): their
    profile, and a section from each app (core.person_sections)."""
    person = selectors.person_get_visible(user=request.user, pk=pk)
    audit_read(
        user=request.user, action=AuditAction.PERSON_DATA_READ, subject=person, request=request
    )
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "direct_reports": person.reports.select_related("user", "team"),
            "sections": person_sections.sections_for(viewer=request.user, person=person),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    if person is None:
        raise Http404("This account has no profile in the organisation.")
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        person_update_profile(
            person=person,
            title=form.cleaned_data["title"],
            timezone_name=form.cleaned_data["timezone"],
            bio=form.cleaned_data["bio"],
        )
        messages.success(request, "Your profile is saved.")
        return redirect(person)
    return render(request, "core/profile_edit.html", {"form": form, "person": person})


@require_safe
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/team_list.html", {"teams": selectors.team_list()})


@require_safe
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("parent"), slug=slug)
    return render(
        request,
        "core/team_detail.html",
        {
            "team": team,
            "members": selectors.team_members(team=team),
            "subteams": team.subteams.all(),
        },
    )


@require_safe
def collaboration_view(request: HttpRequest) -> HttpResponse:
    """Links between teams, for managers and staff (counts per team, no names)."""
    person = selectors.person_of(request.user)
    if not (request.user.is_staff or selectors.person_is_manager(person)):
        raise Http404("No such page.")
    data = collaboration.collaboration(today=timezone.localdate())
    return render(request, "core/collaboration.html", {"c": data})


@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    person = selectors.person_of(request.user)
    reports = selectors.reports_of(person=person) if person else []
    return render(request, "core/my_reports.html", {"reports": reports})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.check()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


# --- Onboarding: a newcomer's first steps (core/onboarding.py) ------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_view(request: HttpRequest) -> HttpResponse:
    """Step 1, where you work: team, manager and stage, each only if nobody has set it."""
    person = own_person(request)
    unset = onboarding.open_fields(person)
    search = ManagerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    form = OnboardingPlacementForm(
        request.POST or None,
        user=request.user,
        person=person,
        open_fields=unset,
        manager_groups=_manager_groups(request, person, unset, query),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_onboard(
                person=person,
                team=form.cleaned_data.get("team"),
                manager=form.cleaned_data.get("manager"),
                career_stage=form.cleaned_data.get("career_stage"),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "Saved where you work.")
            return redirect("onboarding-assess")
    return render(
        request,
        "core/onboarding_where.html",
        {
            "step": 1,
            "person": person,
            "form": form,
            "search": search,
            "open_fields": unset,
            "admins": onboarding.who_sets_placement() if {"team", "manager"} & unset else [],
        },
    )


def _manager_groups(request: HttpRequest, person, unset, query: str) -> list:
    """The manager options, with the people of the person's team (or of the team chosen on the
    form, when it comes back with a mistake) first."""
    if "manager" not in unset:
        return []
    team = person.team
    if team is None and request.method == "POST":
        team = Team.objects.filter(slug=request.POST.get("team", "")).first()
    return onboarding.manager_choices(user=request.user, person=person, team=team, query=query)


@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_assess(request: HttpRequest) -> HttpResponse:
    """Step 2, where you are: rate yourself in a few skills, with the rating form of the skill
    matrix on this page. Done once there is one self-rating; it may be skipped."""
    person = own_person(request)
    matrix = skill_selectors.person_matrix(person=person)
    skill = _skill_to_rate(request, matrix)
    form = AssessmentForm(request.POST or None, skill=skill) if skill else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            assessment_create(
                subject=person,
                skill=skill,
                assessor=person,
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, f"Saved your level in {skill.name}.")
            return redirect("onboarding-assess")
    return render(
        request,
        "core/onboarding_assess.html",
        {
            "step": 2,
            "person": person,
            "rows": matrix.rows,
            "done": any(row.self_level is not None for row in matrix.rows),
            "skill": skill,
            "form": form,
            "admins": onboarding.who_sets_placement()
            if person.team_id is None or person.manager_id is None
            else [],
        },
    )


def _skill_to_rate(request: HttpRequest, matrix):
    """The skill whose form the page shows: the one asked for, else the first one the person's
    stage has a target in and they have not rated yet, else the first not rated."""
    slug = request.POST.get("skill") or request.GET.get("skill")
    if slug:
        skill = skill_selectors.skill_get(slug=slug)
        if skill.retired:
            raise Http404("This skill is retired.")
        return skill
    unrated = [row for row in matrix.rows if row.self_level is None]
    targeted = [row for row in unrated if row.target]
    first = (targeted or unrated or matrix.rows or [None])[0]
    return first.skill if first else None


@require_safe
def onboarding_learn(request: HttpRequest) -> HttpResponse:
    """Step 3, what to learn first: the learning paths for the person's stage, one click to
    enrol, and the button that finishes setting up."""
    person = own_person(request)
    return render(
        request,
        "core/onboarding_learn.html",
        {"step": 3, "person": person, "paths": onboarding.paths_for(person=person)},
    )


@require_POST
def onboarding_finish(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    person_onboarding_finish(person=person)
    messages.success(request, "You are all set. Welcome to Cultivate!")
    return redirect("home")


# --- Privacy: your data, and erasing a person (core/privacy.py) -------------------------------

from core import privacy  # noqa: E402
from core.audit.forms import ErasureConfirmForm  # noqa: E402
from core.audit.models import AuditAction  # noqa: E402
from core.audit.services import audit_read  # noqa: E402
from core.shortcuts import staff_only  # noqa: E402


@never_cache
@require_GET
def account_data(request: HttpRequest) -> HttpResponse:
    """Everything Cultivate holds about you, as a JSON file. Always your own data: there is no
    way to ask for anyone else's."""
    person = own_person(request)
    data = privacy.person_export(person=person, request=request)
    response = HttpResponse(privacy.export_json(data), content_type="application/json")
    filename = f"cultivate-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff erase a person after typing their username (404 for anyone else)."""
    staff_only(request.user)
    person = selectors.person_get_visible(user=request.user, pk=pk)
    form = ErasureConfirmForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.person_erase(person=person, by=request.user, request=request)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, f"Erased. They are “erased person {person.pk}” now.")
            return redirect(person)
    return render(
        request,
        "core/erase_person.html",
        {"person": person, "form": form, "erased": privacy.is_erased(person)},
    )
