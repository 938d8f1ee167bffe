from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from core.audit.models import AuditAction
from core.audit.services import audit_record
from core.notebooks import NOTEBOOK_CSP
from core.selectors import person_is_manager, person_of
from core.shortcuts import (
    own_person,
    redirect_back,
    show_error_messages,
    show_form_errors,
    staff_only,
)
from labs import analytics, charts, gradebook, ratings, regrades, selectors
from labs.forms import (
    AdjustForm,
    ProblemReportForm,
    ProblemResolveForm,
    RatingForm,
    RegradeForm,
    ReviewForm,
    SubmissionForm,
)
from labs.models import Regrade, SubmissionStatus
from labs.notebooks import notebook_bytes
from labs.notices import operator_warning
from labs.regrades import regrade_start
from labs.services import (
    ADJUSTABLE,
    submission_adjust,
    submission_approve,
    submission_create,
    submission_feedback_html,
    submission_reject,
)
from labs.throttles import SubmissionThrottle
from labs.uploads import UploadError

REVIEW_QUEUE_PAGE_SIZE = 25
GRADEBOOK_PAGE_SIZE = 50
REGRADE_PAGE_SIZE = 50


@require_safe
def lab_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "labs/lab_list.html",
        {
            "rows": selectors.lab_progress(user=request.user),
            "sandbox_notice": operator_warning(request.user),
            "reviews_waiting": selectors.review_queue(user=request.user).count(),
            "sees_gradebook": _sees_gradebook(request),
        },
    )


def _sees_gradebook(request: HttpRequest) -> bool:
    """Whether to link the gradebook: staff and managers (the pages decide who is in it)."""
    return request.user.is_staff or person_is_manager(person_of(request.user))


@require_safe
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return lab_page(request, slug)


def lab_page(
    request: HttpRequest, slug: str, form: SubmissionForm | None = None, status: int = 400
):
    """The lab's page; with `form`, as the answer to a refused upload (`status`)."""
    lab = selectors.lab_get(slug=slug)
    spec = lab.current_version.get_spec()
    # Curriculum authors only: the import report names hidden tests and how they are judged.
    import_report = _import_report(lab.current_version, spec) if request.user.is_staff else None
    context = {
        "lab": lab,
        "spec": spec,
        "tests": spec.tests,
        "form": form or SubmissionForm(),
        "submissions": selectors.submission_list(user=request.user, lab=lab)[:20],
        "attempts": selectors.lab_attempts(lab=lab, user=request.user),
        "sandbox_notice": operator_warning(request.user),
        "max_upload_mb": settings.LABS_MAX_UPLOAD_BYTES // (1024 * 1024),
        "import_report": import_report,
        "sees_gradebook": _sees_gradebook(request),
    }
    if request.user.is_staff:
        context["regrade_form"] = RegradeForm(lab=lab)
        context["regrades"] = regrades.recent_regrades(lab)
        context["regradable"] = regrades.regrade_candidates(lab=lab, version=lab.current_version)
    return render(request, "labs/lab_detail.html", context, status=status if form else 200)


def _import_report(version, spec) -> dict:
    """What the import made of each cell (notes grouped by cell, the notebook's own first) and
    what validating it in the sandbox found, as stored in the version's validation report."""
    validation = version.validation or {}
    grade_ids = {cell.index: cell.grade_id for cell in spec.cells if cell.grade_id}
    cells: dict = {}
    for note in validation.get("notes", []):
        cells.setdefault(note.get("cell"), []).append(note)
    groups = [
        {"cell": index, "grade_id": grade_ids.get(index, ""), "notes": notes}
        for index, notes in sorted(cells.items(), key=lambda item: (item[0] is not None, item[0]))
    ]
    scores = validation.get("reference_scores")
    return {
        "groups": groups,
        "validated": scores is not None,
        "reference_scores": scores or [],
        "reference_full": bool(scores) and all(s >= spec.auto_max_score for s in scores),
        "release_score": validation.get("release_score"),
        "auto_max_score": spec.auto_max_score,
        "flaky": validation.get("flaky", []),
        "problems": validation.get("problems", []),
        "sandbox": validation.get("sandbox", ""),
    }


@require_GET
def lab_notebook(request: HttpRequest, slug: str) -> HttpResponse:
    lab = selectors.lab_get(slug=slug)
    response = HttpResponse(notebook_bytes(lab), content_type="application/x-ipynb+json")
    response["Content-Disposition"] = f'attachment; filename="{lab.slug}.ipynb"'
    return response


@require_POST
def lab_submit(request: HttpRequest, slug: str) -> HttpResponse:
    lab = selectors.lab_get(slug=slug)
    form = SubmissionForm(request.POST, request.FILES)
    person = person_of(request.user)
    if person is None:
        form.add_error(None, "This account has no profile in the organisation.")
    throttle = SubmissionThrottle()
    if form.is_valid() and not throttle.allow_request(request, None):
        form.add_error("notebook", throttle.refusal())
        return lab_page(request, slug, form=form, status=429)
    if not form.is_valid():
        return lab_page(request, slug, form=form)
    upload = form.cleaned_data["notebook"]
    try:
        submission = submission_create(
            lab=lab, person=person, data=upload.read(settings.LABS_MAX_UPLOAD_BYTES + 1)
        )
    except UploadError as error:
        form.add_error("notebook", error.reason)
        return lab_page(request, slug, form=form)
    # No flash message: the submission page's own banner says where grading is, and follows it.
    return redirect(submission)


@require_safe
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(user=request.user, pk=pk)
    reviewer = selectors.may_review(submission=submission, person=person_of(request.user))
    return render(
        request,
        "labs/submission_detail.html",
        {
            "submission": submission,
            "status": selectors.submission_status(submission),
            "reviews": selectors.submission_reviews(submission),
            "can_review": reviewer and submission.status == SubmissionStatus.NEEDS_REVIEW,
            **_feedback_forms(request, submission),
            "can_grade": selectors.may_grade(submission=submission, person=person_of(request.user))
            and submission.status in ADJUSTABLE,
            "can_regrade": request.user.is_staff and submission.status in regrades.REGRADABLE,
            "adjustments": selectors.grade_adjustments(submission),
            "runs": regrades.submission_runs(submission),
        },
    )


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.review_queue(user=request.user)
    page = Paginator(queue, REVIEW_QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for submission in page:
        submission.flag_words = selectors.flag_words(submission.flags)
    return render(request, "labs/review_queue.html", {"page": page})


@require_http_methods(["GET", "POST"])
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's page: the notebook, the results and the flags, and the sign-off forms."""
    submission = selectors.submission_to_review(user=request.user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = submission_approve
        if form.cleaned_data["decision"] == "reject":
            service = submission_reject
        try:
            service(
                submission=submission,
                by=own_person(request),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            decided = "signed off" if service is submission_approve else "sent back"
            messages.success(request, f"Attempt {submission.attempt} was {decided}.")
            return redirect("labs:review-queue")
    return render(
        request,
        "labs/submission_review.html",
        {
            "submission": submission,
            "status": selectors.submission_status(submission),
            "flags": selectors.flag_words(submission.flags),
            "reviews": selectors.submission_reviews(submission),
            "waiting": submission.status == SubmissionStatus.NEEDS_REVIEW,
            "can_grade": selectors.may_grade(submission=submission, person=person_of(request.user))
            and submission.status in ADJUSTABLE,
            "adjustments": selectors.grade_adjustments(submission),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def submission_status(request: HttpRequest, pk: int) -> JsonResponse:
    submission = selectors.submission_get(user=request.user, pk=pk)
    return JsonResponse(selectors.submission_status(submission))


@require_GET
def submission_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(user=request.user, pk=pk)
    html = submission_feedback_html(submission) or "<p>No feedback yet.</p>"
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = NOTEBOOK_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_GET
def lab_gradebook(request: HttpRequest, slug: str) -> HttpResponse:
    lab = selectors.lab_get(slug=slug)
    form = gradebook.GradebookFilterForm(request.GET or None)
    filters = form.values()
    learners = gradebook.lab_learners(user=request.user, lab=lab, filters=filters)
    page = Paginator(learners, GRADEBOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "labs/gradebook.html",
        {
            "lab": lab,
            "form": form,
            "filtered": bool(filters),
            "page": page,
            "rows": gradebook.lab_gradebook_rows(lab=lab, people=page.object_list),
        },
    )


@require_GET
def lab_gradebook_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    lab = selectors.lab_get(slug=slug)
    filters = gradebook.GradebookFilterForm(request.GET or None).values()
    lines = gradebook.lab_gradebook_csv(user=request.user, lab=lab, filters=filters)
    gradebook.log_export(user=request.user, lab=lab, filters=filters)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=lab,
        detail={"what": "gradebook", "filters": filters},
        request=request,
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lab.slug}-gradebook.csv"'
    return response


@require_GET
def learner_gradebook(request: HttpRequest, pk: int) -> HttpResponse:
    person = gradebook.learner_get(user=request.user, pk=pk)
    return render(
        request,
        "labs/learner_gradebook.html",
        {"person": person, "rows": gradebook.learner_gradebook_rows(person=person)},
    )


# --- grading by hand and regrades --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submission_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """A mentor's or staff's page: give points to answers graded by hand, or override a test's,
    each with a reason; the history of every change below."""
    submission = selectors.submission_to_grade(user=request.user, pk=pk)
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = submission_adjust(
                submission=submission, by=own_person(request), **form.cleaned_data
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(
                request,
                f"“{adjustment.title}” now has {adjustment.new_points:g} of "
                f"{adjustment.max_points:g} points.",
            )
            return redirect("labs:submission-grade", pk=submission.pk)
        submission.refresh_from_db()
    items = selectors.gradable_items(submission)
    for item in items:  # the form that was refused shows its errors and what was typed
        item["failed"] = bool(form.errors) and form.data.get("item") == item["id"]
    return render(
        request,
        "labs/submission_grade.html",
        {
            "submission": submission,
            "status": selectors.submission_status(submission),
            "items": items,
            "adjustments": selectors.grade_adjustments(submission),
            "form": form,
            "adjustable": submission.status in ADJUSTABLE,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def lab_regrade(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff regrade every earlier submission of the lab against the version they choose."""
    staff_only(request.user)
    lab = selectors.lab_get(slug=slug)
    form = RegradeForm(request.POST, lab=lab)
    if not form.is_valid():
        messages.error(request, "Choose a version of this lab to regrade against.")
        return redirect(lab)
    try:
        regrade = regrade_start(
            lab=lab, by=own_person(request), version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect(lab)
    return redirect(regrade)


@require_POST
def submission_regrade(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff regrade one learner's submission alone, against the lab's current version."""
    staff_only(request.user)
    submission = selectors.submission_get(user=request.user, pk=pk)
    try:
        regrade = regrade_start(lab=submission.lab, by=own_person(request), submissions=[pk])
    except ValidationError as error:
        show_error_messages(request, error)
        return redirect(submission)
    return redirect(regrade)


@require_GET
def regrade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff_only(request.user)
    regrade = get_object_or_404(Regrade.objects.select_related("lab", "version"), pk=pk)
    page = Paginator(regrades.regrade_rows(regrade), REGRADE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"regrade": regrade, "page": page, "progress": regrades.regrade_progress(regrade)}
    return render(request, "labs/regrade.html", context)


@require_GET
def regrade_status(request: HttpRequest, pk: int) -> JsonResponse:
    staff_only(request.user)
    regrade = get_object_or_404(Regrade.objects.select_related("lab", "version"), pk=pk)
    return JsonResponse(regrades.regrade_progress(regrade))


# --- learners' feedback: ratings and problem reports (labs.ratings) ----------------------------

PROBLEMS_PAGE_SIZE = 25


def _feedback_forms(request: HttpRequest, submission) -> dict:
    """The submission page's "Rate this lab" and "Report a problem" forms: for the submission's
    own learner, once it is finished. Both post to their own pages, which show any errors."""
    person = person_of(request.user)
    if person is None or submission.person_id != person.pk or not submission.is_finished:
        return {"feedback": None}
    rating = ratings.my_rating(submission.lab, person)
    return {
        "feedback": {
            "may_rate": ratings.may_rate(lab=submission.lab, person=person),
            "rating": rating,
            "rating_form": RatingForm(initial=_rating_initial(rating)),
            "problem_form": ProblemReportForm(initial={"submission": submission.pk}),
        }
    }


def _rating_initial(rating) -> dict | None:
    return {"stars": rating.stars, "comment": rating.comment} if rating else None


def _next(request: HttpRequest) -> str:
    """Where the form came from (kept through a page that shows its errors): see redirect_back."""
    return request.POST.get("next") or request.GET.get("next") or ""


@require_http_methods(["GET", "POST"])
def lab_rate(request: HttpRequest, slug: str) -> HttpResponse:
    """Rate the lab, 1 to 5, after an attempt is graded; rating again replaces the rating."""
    lab = selectors.lab_get(slug=slug)
    person = own_person(request)
    rating = ratings.my_rating(lab, person)
    form = RatingForm(request.POST or None, initial=_rating_initial(rating))
    if request.method == "POST" and form.is_valid():
        try:
            rating = ratings.lab_rate(lab=lab, person=person, **form.cleaned_data)
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, f"Thank you: you rated “{lab.title}” {rating.stars} of 5.")
            return redirect_back(request, lab.get_absolute_url())
    context = {
        "lab": lab,
        "form": form,
        "rating": rating,
        "may_rate": ratings.may_rate(lab=lab, person=person),
        "next": _next(request),
    }
    return render(request, "labs/lab_rate.html", context, status=400 if form.errors else 200)


def _own_submission(lab, person, raw: str | None):
    """The reporter's own attempt at the lab that a report is about: 404 for anyone else's."""
    if not raw:
        return None
    submission = lab.submissions.filter(person=person, pk=raw).first() if raw.isdigit() else None
    if submission is None:
        raise Http404("No such submission.")
    return submission


@require_http_methods(["GET", "POST"])
def lab_report_problem(request: HttpRequest, slug: str) -> HttpResponse:
    """Report a problem with the lab to its authors, about one of your attempts or not."""
    lab = selectors.lab_get(slug=slug)
    person = own_person(request)
    data = request.POST if request.method == "POST" else None
    raw = request.POST.get("submission") if data else request.GET.get("submission")
    submission = _own_submission(lab, person, (raw or "").strip())
    form = ProblemReportForm(data, initial={"submission": submission.pk if submission else ""})
    if data is not None and form.is_valid():
        try:
            ratings.problem_report(
                lab=lab, person=person, text=form.cleaned_data["text"], submission=submission
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(
                request,
                "Thank you: your report went to the lab's authors. You hear from them by e-mail "
                "once it is resolved.",
            )
            return redirect_back(request, lab.get_absolute_url())
    context = {"lab": lab, "form": form, "submission": submission, "next": _next(request)}
    return render(request, "labs/problem_report.html", context, status=400 if form.errors else 200)


@require_GET
def lab_problems(request: HttpRequest, slug: str) -> HttpResponse:
    """The lab's problem reports, open ones first, with its ratings: for its authors (staff)."""
    staff_only(request.user)
    lab = selectors.lab_get(slug=slug)
    reports = ratings.problem_reports(lab)
    page = Paginator(reports, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        # One form per open report, each with its own ids (they share the page).
        report.resolve_form = ProblemResolveForm(auto_id=f"id_report{report.pk}_%s")
    context = {"lab": lab, "page": page, "summary": ratings.lab_feedback_summary(lab)}
    return render(request, "labs/lab_problems.html", context)


@require_http_methods(["GET", "POST"])
def lab_problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a report, saying how: the reporter reads it by e-mail. Staff only (404)."""
    report = ratings.problem_report_get(user=request.user, pk=pk)
    form = ProblemResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratings.problem_resolve(
                report=report, by=own_person(request), resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            messages.success(request, "The report is resolved; its reporter hears of it.")
            return redirect_back(request, reverse("labs:problems", args=[report.lab.slug]))
    context = {"report": report, "form": form, "next": _next(request)}
    return render(request, "labs/problem_resolve.html", context, status=400 if form.errors else 200)


# --- Analytics and grading health (staff) -----------------------------------------------------


@require_GET
def lab_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    """How a lab goes: pass rates per test, scores, time to complete, failures, limits hit and
    flaky tests. Staff only (404)."""
    staff_only(request.user)
    lab = selectors.lab_get(slug=slug)
    figures = analytics.lab_analytics(lab)
    context = {
        "lab": lab,
        "a": figures,
        "histogram": charts.score_histogram(figures.histogram),
        "feedback_summary": ratings.lab_feedback_summary(lab),
    }
    return render(request, "labs/analytics.html", context)


@require_GET
def grading_health(request: HttpRequest) -> HttpResponse:
    """The grading queue now and the last day's gradings by hour. Staff only (404)."""
    staff_only(request.user)
    health = analytics.grading_health()
    context = {"health": health, "charts": charts.health_charts(health)}
    return render(request, "labs/health.html", context)
