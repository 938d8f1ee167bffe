"""The Celery app: reliable delivery first (DESIGN.md, "Runtime").

Tasks are acknowledged after they finish and delivered again if the worker dies, one task is
reserved at a time, payloads are JSON only, and results live in our own models (no result
backend). Where the broker is and what runs periodically come from `core/settings.py`
(`CELERY_*`); how tasks are delivered is fixed here, because no deployment should change it.
"""

import functools
import logging
import os

from celery import Celery, shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
logger = logging.getLogger(__name__)

app = Celery("cultivate")

# Notifications are rows deduplicated by key, so sending one again is harmless: a database that
# is away for a moment (a restart, a failover) is waited for, about two minutes in all, rather
# than the notification being dropped with the failed task.
notification_task = functools.partial(
    shared_task,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=6,
)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=50 * 60,
    task_time_limit=55 * 60,
    broker_connection_retry_on_startup=True,
    # An upload must not hang when the broker is down: give up quickly; the database row stays
    # `queued` and the periodic sweeper enqueues it again once the broker is back.
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
    task_default_queue="default",
    task_queues=(
        Queue("default", Exchange("default"), routing_key="default"),
        Queue("grading", Exchange("grading"), routing_key="grading"),
    ),
    task_routes={
        "labs.tasks.grade_*": {"queue": "grading", "routing_key": "grading"},
        "labs.tasks.regrade_*": {"queue": "grading", "routing_key": "grading"},
    },
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks()


@worker_ready.connect
def record_heartbeat_at_start(sender, **kwargs) -> None:
    """A worker is seen as soon as it starts: /healthz need not wait for the first beat."""
    from django.db import connections

    from core.services import worker_heartbeat_record

    try:
        worker_heartbeat_record(hostname=sender.hostname)
    except Exception:  # noqa: BLE001 - a database down at start must not stop the worker
        logger.exception("could not record the worker's start-up heartbeat")
    finally:
        connections.close_all()  # the main process keeps no connection its pool could inherit
