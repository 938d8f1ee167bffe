import uuid

import pytest

from core.models import WorkerHeartbeat
from core.tasks import worker_heartbeat
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_a_real_worker_consumes_from_the_broker_and_writes_to_the_database(
    transactional_db, celery_worker
):
    hostname = f"probe-{uuid.uuid4().hex}"

    worker_heartbeat.delay(hostname=hostname)

    heartbeat = wait_for(
        lambda: WorkerHeartbeat.objects.filter(hostname=hostname).first(),
        timeout=90,
        worker=celery_worker,
    )
    assert heartbeat.seen_at is not None


def test_the_worker_settings_are_the_reliable_ones():
    from core.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    assert {q.name for q in app.conf.task_queues} == {"default", "grading"}
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit


def test_every_task_that_runs_notebooks_goes_to_the_grading_queue():
    """Only workers with the sandbox consume `grading` (README: running in production)."""
    from core.celery import app

    router = app.amqp.router
    for name in ("labs.tasks.grade_submission", "labs.tasks.regrade_submission"):
        assert router.route({}, name)["queue"].name == "grading", name
    assert router.route({}, "labs.tasks.notify_graded")["queue"].name == "default"
