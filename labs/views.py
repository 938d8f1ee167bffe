from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.selectors import person_of
from labs import executor, selectors
from labs.forms import SubmissionForm
from labs.notebooks import notebook_bytes
from labs.services import submission_create
from labs.uploads import UploadError

# The feedback page is learner-controlled HTML (sanitised, but still): a sandboxed document
# with no scripts, no forms, no network; it cannot touch the app's origin.
FEEDBACK_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; frame-ancestors 'self'"
)


def sandbox_notice() -> str:
    """A plain sentence when labs here are graded without full isolation, else ''."""
    try:
        mode = executor.sandbox_mode()
    except executor.SandboxUnavailable:
        return ""  # workers elsewhere grade; this machine refuses to
    if mode == "bubblewrap":
        return ""
    return (
        "Reduced isolation: this installation grades notebooks without bubblewrap, so lab code "
        "runs with resource limits but without a sandbox. Fine for trying Cultivate out on your "
        "own machine; never for real learners."
    )


def lab_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "labs/lab_list.html",
        {"labs": selectors.lab_list(user=request.user), "sandbox_notice": sandbox_notice()},
    )


def lab_detail(request: HttpRequest, slug: str, form: SubmissionForm | None = None):
    lab = selectors.lab_get(slug=slug)
    spec = lab.current_version.get_spec()
    context = {
        "lab": lab,
        "spec": spec,
        "tests": spec.tests,
        "form": form or SubmissionForm(),
        "submissions": selectors.submission_list(user=request.user, lab=lab)[:20],
        "sandbox_notice": sandbox_notice(),
        "max_upload_mb": settings.LABS_MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "labs/lab_detail.html", context, status=400 if form else 200)


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
    messages.success(request, "Your notebook is in the queue; this page updates by itself.")
    return redirect(submission)


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submission_get(user=request.user, pk=pk)
    return render(
        request,
        "labs/submission_detail.html",
        {"submission": submission, "status": selectors.submission_status(submission)},
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
    response["Content-Security-Policy"] = FEEDBACK_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
