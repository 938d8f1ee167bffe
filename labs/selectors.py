"""Reads for labs. Submissions are scoped by `Submission.objects.visible_to(user)`."""

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from labs.models import Lab, Submission, SubmissionStatus


def lab_list(*, user) -> QuerySet[Lab]:
    """Released labs, with the viewer's attempts and best score."""
    person_id = getattr(getattr(user, "person", None), "pk", None)
    mine = Q(submissions__person_id=person_id)
    return (
        Lab.objects.filter(is_published=True, current_version__isnull=False)
        .select_related("current_version")
        .annotate(
            my_attempts=Count("submissions", filter=mine),
            my_best=Max("submissions__score", filter=mine),
        )
        .order_by("title")
    )


def lab_get(*, slug: str) -> Lab:
    lab = (
        Lab.objects.filter(slug=slug, is_published=True, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if lab is None:
        raise Http404("No such lab.")
    return lab


def submission_list(*, user, lab: Lab | None = None, mine_only: bool = True) -> QuerySet:
    submissions = Submission.objects.visible_to(user).select_related("lab", "person__user")
    if mine_only:
        submissions = submissions.filter(person__user=user)
    if lab is not None:
        submissions = submissions.filter(lab=lab)
    return submissions


def submission_get(*, user, pk: int) -> Submission:
    submission = (
        Submission.objects.visible_to(user)
        .select_related("lab", "version", "person__user")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    return submission


def submission_status(submission: Submission) -> dict:
    """What the submission page polls, and what the API returns."""
    return {
        "id": submission.pk,
        "lab": submission.lab.slug,
        "status": submission.status,
        "score": submission.score,
        "max_score": submission.max_score,
        "results": submission.results,
        "flags": submission.flags,
        "finished": submission.is_finished,
    }


def labs_panel_context(request) -> dict | None:
    user = request.user
    recent = submission_list(user=user)[:5]
    labs = lab_list(user=user)
    if not labs and not recent:
        return None
    waiting = [s for s in recent if s.status in (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)]
    return {"labs": labs[:5], "recent": recent, "waiting": waiting}
