from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from core.models import Person
from core.selectors import person_get_visible, person_is_manager, person_of
from core.shortcuts import own_person, redirect_back, show_error_messages
from curriculum import selectors, services
from curriculum.forms import EnrolReportForm


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    progress = selectors.paths_for(person=person) if person else []
    return render(
        request,
        "curriculum/path_list.html",
        {
            "person": person,
            "progress": progress,
            "paths": [p.path for p in progress] if person else selectors.path_list(),
            "is_manager": person_is_manager(person),
        },
    )


@require_safe
def path_detail(request: HttpRequest, slug: str) -> HttpResponse:
    path = selectors.path_get(slug=slug)
    person = person_of(request.user)
    progress = selectors.path_progress(person=person, path=path)
    form = None
    if person_is_manager(person):
        reports = selectors.reports_to_enrol(manager=person, path=path)
        form = EnrolReportForm(reports=reports) if reports.exists() else None
    return render(
        request,
        "curriculum/path_detail.html",
        {"path": path, "progress": progress, "person": person, "enrol_form": form},
    )


@require_POST
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    """Enrol yourself, or (with `person`) someone who reports to you; others answer 404."""
    path = selectors.path_get(slug=slug)
    me = own_person(request)
    person = _chosen_person(request, me)
    try:
        services.enrolment_create(person=person, path=path, enrolled_by=me)
    except PermissionDenied as error:
        raise Http404("No such person.") from error
    except ValidationError as error:
        show_error_messages(request, error)
    else:
        who = "You are" if person.pk == me.pk else f"{person.display_name} is"
        messages.success(request, f"{who} enrolled in {path.title}.")
    return redirect_back(request, path.get_absolute_url())


@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave a path yourself, or take someone who reports to you off it."""
    path = selectors.path_get(slug=slug)
    me = own_person(request)
    person = _chosen_person(request, me)
    enrolment = selectors.enrolment_get(person=person, path=path)
    try:
        services.enrolment_delete(enrolment=enrolment, by=me)
    except PermissionDenied as error:
        raise Http404("No such enrolment.") from error
    who = "You have" if person.pk == me.pk else f"{person.display_name} has"
    messages.success(request, f"{who} left {path.title}. What was done stays done.")
    return redirect_back(request, path.get_absolute_url())


@require_safe
def person_progress(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get_visible(user=request.user, pk=pk)
    return render(
        request,
        "curriculum/person_progress.html",
        {
            "subject": person,
            "progress": selectors.enrolled_progress(person=person),
            "is_self": person.user_id == request.user.pk,
        },
    )


@require_safe
def team(request: HttpRequest) -> HttpResponse:
    me = own_person(request)
    if not person_is_manager(me):
        raise Http404("Only managers have a team page.")
    paths, rows = selectors.team_progress(user=request.user)
    return render(request, "curriculum/team_progress.html", {"paths": paths, "rows": rows})


def _chosen_person(request: HttpRequest, me: Person) -> Person:
    """The person a POST is about: `person` if given (among those you may see), else you."""
    if not request.POST.get("person"):
        return me
    form = EnrolReportForm(request.POST, reports=Person.objects.visible_to(request.user))
    if not form.is_valid():
        raise Http404("No such person.")
    return form.cleaned_data["person"]
