from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import dashboard, health, selectors
from core.forms import DirectorySearchForm, ProfileForm
from core.models import Team
from core.services import person_update_profile

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": dashboard.panels_for(request)})


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


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible(user=request.user, pk=pk)
    direct_reports = person.reports.select_related("user", "team")
    return render(
        request,
        "core/person_detail.html",
        {"person": person, "direct_reports": direct_reports},
    )


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


def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/team_list.html", {"teams": selectors.team_list()})


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
