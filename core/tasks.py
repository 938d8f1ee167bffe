import socket

from celery import shared_task

from core.celery import notification_task
from core.services import worker_heartbeat_record


@shared_task(bind=True, name="core.tasks.worker_heartbeat")
def worker_heartbeat(self, hostname: str | None = None) -> None:
    """Record that a worker is consuming; /healthz shows when one was last seen."""
    worker_heartbeat_record(hostname=hostname or self.request.hostname or socket.gethostname())


@notification_task(name="core.tasks.notify_review_requests")
def notify_review_requests(review_request_ids: list[int]) -> int:
    """E-mail a reviewer the review requests that were made together."""
    from core.skills.services import review_requests_notify

    return review_requests_notify(review_request_ids=review_request_ids)
