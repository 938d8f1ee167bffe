import socket

from celery import shared_task

from core.services import worker_heartbeat_record


@shared_task(bind=True, name="core.tasks.worker_heartbeat")
def worker_heartbeat(self, hostname: str | None = None) -> None:
    """Record that a worker is consuming; /healthz shows when one was last seen."""
    worker_heartbeat_record(hostname=hostname or self.request.hostname or socket.gethostname())
