import logging

from celery import shared_task
from django.utils import timezone

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


@shared_task(name="mentoring.tasks.notify_question_experts")
def notify_question_experts(question_id: int) -> int:
    """E-mail the people strong in a new question's skills (the asker never, nor a name)."""
    return services.question_notify_experts(question_id=question_id)
