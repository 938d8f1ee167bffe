from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from core.models import CareerStage, Person
from core.selectors import person_get_visible, person_list_visible, person_of
from core.shortcuts import own_person, show_form_errors
from core.skills import charts, selectors, services
from core.skills.forms import AssessmentForm, EvidenceForm, HeatmapFilterForm, ReviewRequestForm
from core.skills.models import AssessorRole

PAGE_SIZE = 25


def _person_skill_url(person: Person, skill) -> str:
    return reverse("skills:person-skill", kwargs={"pk": person.pk, "slug": skill.slug})


@require_safe
def my_matrix(request: HttpRequest) -> HttpResponse:
    return _matrix_page(request, own_person(request))


@require_safe
def person_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    return _matrix_page(request, person_get_visible(user=request.user, pk=pk))


def _matrix_page(request: HttpRequest, person: Person) -> HttpResponse:
    matrix = selectors.person_matrix(person=person)
    role = selectors.assessor_role_for(assessor=person_of(request.user), subject=person)
    return render(
        request,
        "skills/matrix.html",
        {
            "person": person,
            "matrix": matrix,
            "radar": charts.radar(matrix.rows),
            "growth_plan": selectors.growth_plan(matrix=matrix),
            "is_own": person.user_id == request.user.pk,
            "can_assess": role is not None,
        },
    )


@require_safe
def person_skill(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One skill of one person: the full assessment history and the evidence behind it."""
    person = person_get_visible(user=request.user, pk=pk)
    skill = selectors.skill_get(slug=slug)
    history = selectors.assessment_history(user=request.user, subject=person, skill=skill)
    role = selectors.assessor_role_for(assessor=person_of(request.user), subject=person)
    return render(
        request,
        "skills/person_skill.html",
        {
            "person": person,
            "skill": skill,
            "page": Paginator(history, PAGE_SIZE).get_page(request.GET.get("page")),
            "evidence": Paginator(
                selectors.evidence_for(person=person, skill=skill), PAGE_SIZE
            ).get_page(request.GET.get("evidence_page")),
            "is_own": person.user_id == request.user.pk,
            "can_assess": role is not None and not skill.retired,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def assess(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """Rate yourself, or someone you manage, in one skill; the rubric is the list of choices."""
    subject, role = selectors.person_get_assessable(user=request.user, pk=pk)
    skill = selectors.skill_get(slug=slug)
    if skill.retired:
        raise Http404("This skill is retired.")
    form = AssessmentForm(request.POST or None, skill=skill)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_create(
                subject=subject,
                skill=skill,
                assessor=person_of(request.user),
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            who = "your" if role == AssessorRole.SELF else f"{subject.display_name}'s"
            messages.success(request, f"Saved {who} level in {skill.name}.")
            return redirect(_person_skill_url(subject, skill))
    return render(
        request,
        "skills/assess.html",
        {"subject": subject, "skill": skill, "role": role, "form": form},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    subject, role = selectors.person_get_assessable(user=request.user, pk=pk)
    form = EvidenceForm(request.POST or None, initial={"skill": request.GET.get("skill")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = services.evidence_record(
                person=subject,
                skill=data["skill"],
                kind=data["kind"],
                title=data["title"],
                url=data["url"],
                note=data["note"],
                created_by=person_of(request.user),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, f"Evidence added to {evidence.skill.name}.")
            return redirect(_person_skill_url(subject, evidence.skill))
    return render(
        request,
        "skills/evidence_form.html",
        {"subject": subject, "form": form, "is_own": role == AssessorRole.SELF},
    )


@require_safe
def heatmap(request: HttpRequest) -> HttpResponse:
    form = HeatmapFilterForm(request.GET or None)
    team, career_stage = None, ""
    if form.is_valid():
        team, career_stage = form.cleaned_data["team"], form.cleaned_data["career_stage"]
    result = selectors.heatmap(
        user=request.user,
        team=team,
        career_stage=career_stage,
        page_number=request.GET.get("page"),
    )
    return render(request, "skills/heatmap.html", {"form": form, "heatmap": result})


@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    total, rows = selectors.coverage()
    return render(
        request,
        "skills/coverage.html",
        {
            "total": total,
            "rows": rows,
            "no_expert": [row for row in rows if row.experts == 0],
            "one_expert": [row for row in rows if row.experts == 1],
        },
    )


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    rows = [
        (skill, selectors.targets_by_stage(skill=skill))
        for skill in selectors.skill_list_with_targets()
    ]
    return render(request, "skills/catalog.html", {"rows": rows, "stages": CareerStage.labels})


@require_safe
def skill_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A skill, its rubric and targets, and who is strong in it (names and levels only)."""
    skill = selectors.skill_get(slug=slug)
    page = Paginator(selectors.skill_experts(skill=skill), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    visible_ids = set(
        person_list_visible(user=request.user)
        .filter(pk__in=[expert.subject_id for expert in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "skills/skill_detail.html",
        {
            "skill": skill,
            "targets": selectors.targets_by_stage(skill=skill),
            "page": page,
            "visible_ids": visible_ids,
        },
    )


@require_safe
def review_requests(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    show_sent = request.GET.get("show") == "sent"
    if show_sent:
        requests = selectors.review_requests_sent(person=person)
    else:
        requests = selectors.review_requests_received(person=person)
    return render(
        request,
        "skills/review_requests.html",
        {
            "show_sent": show_sent,
            "page": Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page")),
            "open_count": selectors.review_requests_received(person=person, open_only=True).count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def review_request_create(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    reviewers = selectors.reviewer_candidates(person=person)
    form = ReviewRequestForm(
        request.POST or None, reviewers=reviewers, initial={"skill": request.GET.get("skill")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_request = services.review_request_create(
                requester=person,
                reviewer=data["reviewer"],
                skill=data["skill"],
                message=data["message"],
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(
                request,
                f"Asked {review_request.reviewer.display_name} to review "
                f"{review_request.skill.name}.",
            )
            return redirect(reverse("skills:review-requests") + "?show=sent")
    return render(
        request,
        "skills/review_request_form.html",
        {"form": form, "has_reviewers": reviewers.exists()},
        status=400 if request.method == "POST" else 200,
    )
