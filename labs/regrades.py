"""Regrading: staff re-run earlier submissions against a lab version, one Celery task each.

Every run is kept (`GradingRun`); the submission carries the newest grade and says which
version gave it (`graded_version`). A task delivered twice, or again after its worker died,
adds one run: the run's (regrade, submission) pair is unique. Answers graded by hand keep their
points (the answer is the same); overrides of tests do not (the new tests decide).
"""

import logging
import socket
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.models import Person
from labs import executor
from labs.feedback import feedback_notebook
from labs.models import GradingRun, Lab, LabVersion, Regrade, Submission, SubmissionStatus
from labs.services import (
    count_final_grade,
    grading_run,
    grading_telemetry,
    keep_run,
    needs_review_by_policy,
    total_points,
    with_hand_graded,
)

logger = logging.getLogger(__name__)

# What a regrade re-runs: grades (final or waiting for a sign-off) and grading that failed.
REGRADABLE = (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW, SubmissionStatus.FAILED)
# Staff may regrade this many submissions in one batch (a cohort of several hundred learners).
MAX_BATCH = 5000


def regrade_candidates(*, lab: Lab, version: LabVersion) -> QuerySet[Submission]:
    """The lab's submissions that `version` did not grade yet, oldest first."""
    return (
        lab.submissions.filter(status__in=REGRADABLE)
        .exclude(graded_version=version)
        .exclude(graded_version__isnull=True, version=version)
        .order_by("created_at", "pk")
    )


def regrade_start(
    *,
    lab: Lab,
    by: Person,
    version: LabVersion | None = None,
    submissions: list[int] | None = None,
) -> Regrade:
    """Queue a regrade of `submissions` (ids; all candidates when None) against `version`
    (the lab's current one when None). Staff only."""
    if not (by and by.user.is_staff and by.user.is_active):
        raise PermissionDenied("Only staff regrade submissions.")
    version = version or lab.current_version
    if version is None or version.lab_id != lab.pk:
        raise ValidationError({"version": "Choose a version of this lab."})
    if submissions is None:
        ids = list(regrade_candidates(lab=lab, version=version).values_list("pk", flat=True))
    else:
        chosen = lab.submissions.filter(pk__in=submissions)
        if chosen.count() != len(set(submissions)):
            raise ValidationError({"submissions": "Some of these are not submissions of the lab."})
        if chosen.exclude(status__in=REGRADABLE).exists():
            raise ValidationError(
                {"submissions": "Only graded submissions, or ones that failed to grade, regrade."}
            )
        ids = sorted(set(submissions))
    if not ids:
        raise ValidationError(
            f"Nothing to regrade: every graded submission of this lab was graded by version "
            f"{version.number} already."
        )
    if len(ids) > MAX_BATCH:
        raise ValidationError(f"One regrade takes at most {MAX_BATCH} submissions.")
    regrade = Regrade.objects.create(
        lab=lab, version=version, requested_by=by, submission_ids=ids, total=len(ids)
    )
    transaction.on_commit(lambda: _enqueue(regrade.pk, ids))
    return regrade


def _enqueue(regrade_id: int, submission_ids: list[int]) -> int:
    """Send one task per submission; a broker that is down leaves the rest to the sweeper."""
    from labs.tasks import regrade_submission

    sent = 0
    for submission_id in submission_ids:
        try:
            regrade_submission.apply_async(args=[regrade_id, submission_id], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the sweeper enqueues it later
            logger.warning("could not enqueue regrade %s; the sweeper will", regrade_id)
            break
        sent += 1
    return sent


def regrade_one(
    *, regrade_id: int, submission_id: int, worker: str | None = None
) -> GradingRun | None:
    """Grade one submission of a regrade against its version; once, however often delivered."""
    executor.sandbox_mode()  # raises SandboxUnavailable before anything is written
    worker = worker or socket.gethostname()
    regrade = Regrade.objects.select_related("lab", "version").filter(pk=regrade_id).first()
    if regrade is None or _has_run(regrade_id, submission_id):
        return None
    submission = Submission.objects.filter(pk=submission_id, lab=regrade.lab).first()
    if submission is None or submission.status not in REGRADABLE:
        return _failed(regrade, submission_id, "The submission can no longer be regraded.")
    spec = regrade.version.get_spec()
    started = timezone.now()
    try:
        graded = grading_run(spec=spec, answers=submission.answers)
        feedback = feedback_notebook(spec, graded.plan, graded.execution.cells, submission.answers)
    except executor.SandboxUnavailable:
        raise
    except Exception:
        logger.exception("regrade %s could not grade submission %s", regrade_id, submission_id)
        return _failed(regrade, submission_id, "The grader could not finish this notebook.")
    return _record(regrade, submission_id, spec, graded, feedback, worker, started)


def _has_run(regrade_id: int, submission_id: int) -> bool:
    return GradingRun.objects.filter(regrade_id=regrade_id, submission_id=submission_id).exists()


def _record(regrade, submission_id, spec, graded, feedback, worker, started) -> GradingRun | None:
    try:
        with transaction.atomic():
            submission = (
                Submission.objects.select_for_update()
                .select_related("lab", "person", "version")
                .get(pk=submission_id)
            )
            if _has_run(regrade.pk, submission_id):
                return None
            grade = graded.grade
            needs_review = needs_review_by_policy(spec, grade)
            submission.status = (
                SubmissionStatus.NEEDS_REVIEW if needs_review else SubmissionStatus.GRADED
            )
            submission.results = with_hand_graded(spec, grade.results, submission)
            submission.score = total_points(submission.results)
            submission.max_score = grade.max_score
            submission.flags = grade.flags
            submission.feedback_notebook = feedback
            submission.feedback_html = ""
            submission.started_at = started
            submission.telemetry = {
                **grading_telemetry(submission, graded, worker),
                "queue_seconds": round((started - regrade.created_at).total_seconds(), 3),
                "regrade": regrade.pk,
            }
            submission.error = graded.execution.startup_error
            submission.graded_version = regrade.version
            submission.graded_at = timezone.now()
            submission.times_graded += 1
            submission.save()
            run = keep_run(submission, regrade)
            _count(regrade)
    except IntegrityError:  # the same task, delivered twice, finished first elsewhere
        return None
    if submission.status == SubmissionStatus.GRADED:
        count_final_grade(submission, spec)
    return run


def _failed(regrade: Regrade, submission_id: int, error: str) -> GradingRun | None:
    """A submission the regrade could not grade: its run says why (once); its grade stays."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        _count(regrade, failed=True)
        return None
    try:
        with transaction.atomic():
            run = GradingRun.objects.create(
                submission=submission,
                version=regrade.version,
                regrade=regrade,
                status=SubmissionStatus.FAILED,
                max_score=submission.max_score,
                error=error,
            )
            _count(regrade, failed=True)
    except IntegrityError:
        return None
    return run


def _count(regrade: Regrade, *, failed: bool = False) -> None:
    field = "failed" if failed else "done"
    Regrade.objects.filter(pk=regrade.pk).update(**{field: F(field) + 1})
    Regrade.objects.filter(
        pk=regrade.pk, finished_at__isnull=True, total__lte=F("done") + F("failed")
    ).update(finished_at=timezone.now())


def regrades_sweep(*, older_than_seconds: int = 120) -> list[tuple[int, int]]:
    """Re-enqueue the submissions of unfinished regrades that have no run yet (a broker was
    down when they were queued, or a worker died holding them)."""
    before = timezone.now() - timedelta(seconds=older_than_seconds)
    resent = []
    for regrade in Regrade.objects.filter(finished_at__isnull=True, created_at__lt=before)[:20]:
        ran = set(regrade.runs.values_list("submission_id", flat=True))
        missing = [pk for pk in regrade.submission_ids if pk not in ran]
        _enqueue(regrade.pk, missing)
        resent += [(regrade.pk, pk) for pk in missing]
    return resent


# --- reading ----------------------------------------------------------------------------------


def regrade_progress(regrade: Regrade) -> dict:
    """Where a regrade stands, in numbers and in words (the page and its poll show the same)."""
    handled = regrade.done + regrade.failed
    words = (
        f"{handled} of {regrade.total} submission{'' if regrade.total == 1 else 's'} regraded "
        f"({regrade.percent}%)"
    )
    if regrade.failed:
        words += f", {regrade.failed} could not be graded"
    words += ". " + (
        "Finished."
        if regrade.finished
        else "Workers grade them one by one; this page follows them by itself."
    )
    return {
        "id": regrade.pk,
        "lab": regrade.lab.slug,
        "version": regrade.version.number,
        "total": regrade.total,
        "done": regrade.done,
        "failed": regrade.failed,
        "percent": regrade.percent,
        "finished": regrade.finished,
        "finished_at": regrade.finished_at,
        "words": words,
    }


def regrade_rows(regrade: Regrade) -> QuerySet[GradingRun]:
    """The runs a regrade has made so far, each with the learner and the submission."""
    return regrade.runs.select_related("submission__person", "version").order_by("-created_at")


def submission_runs(submission: Submission) -> QuerySet[GradingRun]:
    """Every grading of the submission, oldest first, with the version that graded it."""
    return submission.runs.select_related("version", "regrade").order_by("created_at", "pk")


def recent_regrades(lab: Lab) -> QuerySet[Regrade]:
    return lab.regrades.select_related("version", "requested_by")[:5]
