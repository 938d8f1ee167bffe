import logging

from celery import shared_task
from django.utils import timezone

from core.celery import notification_task
from mentoring import services

logger = logging.getLogger(__name__)


@shared_task(name="mentoring.tasks.send_digests")
def send_digests() -> dict[str, int]:
    """Weekly (CELERY_BEAT_SCHEDULE): the managers' cadence digest and the mentors' reminders."""
    sent = services.digests_send(now=timezone.now())
    logger.info("mentoring digests sent: %s", sent)
    return sent


@shared_task(name="mentoring.tasks.reraise_questions")
def reraise_questions() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): questions unanswered for 48 hours go to the experts again."""
    count = services.questions_reraise(now=timezone.now())
    logger.info("mentoring questions raised again: %s", count)
    return count


@notification_task(name="mentoring.tasks.notify_question_experts")
def notify_question_experts(question_id: int) -> int:
    """E-mail the people strong in a new question's skills (the asker never, nor a name)."""
    return services.question_notify_experts(question_id=question_id)


@notification_task(name="mentoring.tasks.notify_feedback_received")
def notify_feedback_received(note_id: int) -> bool:
    return services.feedback_received_notify(note_id=note_id)


@notification_task(name="mentoring.tasks.notify_mentorship_proposed")
def notify_mentorship_proposed(mentorship_id: int) -> int:
    return services.mentorship_proposed_notify(mentorship_id=mentorship_id)


@notification_task(name="mentoring.tasks.notify_mentorship_accepted")
def notify_mentorship_accepted(mentorship_id: int) -> int:
    return services.mentorship_accepted_notify(mentorship_id=mentorship_id)


@notification_task(name="mentoring.tasks.notify_question_answered")
def notify_question_answered(answer_id: int) -> bool:
    """Tell the asker (anonymous or not, without naming them to anyone) about a new answer."""
    return services.question_answered_notify(answer_id=answer_id)
