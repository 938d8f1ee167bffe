import logging

from celery import shared_task

from core.celery import notification_task
from labs import regrades, services
from labs.executor import SandboxUnavailable
from labs.models import Submission

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="labs.tasks.grade_submission", acks_late=True)
def grade_submission(self, submission_id: int) -> None:
    """Grade one submission. Duplicate deliveries and re-deliveries grade it once."""
    if not Submission.objects.filter(pk=submission_id).exists():
        return
    try:
        services.submission_grade(submission_id=submission_id, worker=self.request.hostname)
    except SandboxUnavailable as exc:
        # Leave the row queued: a worker with a sandbox (or this one, once fixed) takes it.
        logger.error("not grading submission %s: %s", submission_id, exc)


@shared_task(bind=True, name="labs.tasks.regrade_submission", acks_late=True)
def regrade_submission(self, regrade_id: int, submission_id: int) -> None:
    """Grade one submission again, against a regrade's version; once per regrade."""
    try:
        regrades.regrade_one(
            regrade_id=regrade_id, submission_id=submission_id, worker=self.request.hostname
        )
    except SandboxUnavailable as exc:
        logger.error("not regrading submission %s: %s", submission_id, exc)


@shared_task(name="labs.tasks.sweep_submissions")
def sweep_submissions() -> None:
    ids = services.submissions_sweep()
    if ids:
        logger.info("re-enqueued submissions %s", ids)
    resent = regrades.regrades_sweep()
    if resent:
        logger.info("re-enqueued regrades %s", resent)


@notification_task(name="labs.tasks.notify_review_decision")
def notify_review_decision(review_id: int) -> bool:
    """E-mail the learner a reviewer's sign-off or send-back."""
    return services.review_decision_notify(review_id=review_id)


@notification_task(name="labs.tasks.notify_graded")
def notify_graded(submission_id: int) -> int:
    """E-mail the learner their grade, and their reviewers when it waits for a sign-off."""
    return services.graded_notify(submission_id=submission_id)


@notification_task(name="labs.tasks.notify_problem_resolved")
def notify_problem_resolved(report_id: int) -> bool:
    """E-mail the learner who reported a problem with a lab how the authors resolved it."""
    from labs.ratings import problem_resolved_notify

    return problem_resolved_notify(report_id=report_id)
