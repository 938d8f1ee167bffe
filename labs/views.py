from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.notebooks import NOTEBOOK_CSP
from core.selectors import person_is_manager, person_of
from core.shortcuts import own_person, show_form_errors
from labs import gradebook, selectors
from labs.forms import ReviewForm, SubmissionForm
from labs.models import SubmissionStatus
from labs.notebooks import notebook_bytes
from labs.notices import operator_warning
from labs.services import submission_approve, submission_create, submission_reject
from labs.uploads import UploadError

REVIEW_QUEUE_PAGE_SIZE = 25
GRADEBOOK_PAGE_SIZE = 50


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


def lab_detail(request: HttpRequest, slug: str, form: SubmissionForm | None = None):
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
    return render(request, "labs/lab_detail.html", context, status=400 if form else 200)


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
    if not form.is_valid():
        return lab_detail(request, slug, form=form)
    upload = form.cleaned_data["notebook"]
    try:
        submission = submission_create(
            lab=lab, person=person, data=upload.read(settings.LABS_MAX_UPLOAD_BYTES + 1)
        )
    except UploadError as error:
        form.add_error("notebook", error.reason)
        return lab_detail(request, slug, form=form)
    # No flash message: the submission page's own banner says where grading is, and follows it.
    return redirect(submission)


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
    html = submission.feedback_html or "<p>No feedback yet.</p>"
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
