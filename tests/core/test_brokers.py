"""The production brokers, each with a real worker: Redis runs the rest of the suite in CI; this
module proves RabbitMQ (AMQP) carries a task from the web side to a worker and into the database.

CI sets RABBITMQ_URL (and starts RabbitMQ); locally the test is skipped without it.
"""

import os
import uuid

import pytest

from core.celery import app
from core.models import WorkerHeartbeat
from core.tasks import worker_heartbeat
from tests.conftest import skip_or_fail
from tests.worker import WorkerProcess, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def rabbitmq_url() -> str:
    url = os.environ.get("RABBITMQ_URL", "")
    if not url:
        skip_or_fail("RABBITMQ_URL is not set (CI sets it to the local RabbitMQ).")
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means no broker to test against
        skip_or_fail(f"RabbitMQ at RABBITMQ_URL does not answer: {exc!r}")
    return url


def test_a_task_sent_through_rabbitmq_reaches_a_real_worker(
    transactional_db, rabbitmq_url, artifacts_dir
):
    hostname = f"amqp-probe-{uuid.uuid4().hex}"
    worker = WorkerProcess(
        artifacts_dir.parent / "test-worker-amqp.log",
        queues="default",
        env={"CELERY_BROKER_URL": rabbitmq_url},
    ).start()
    try:
        with app.connection_for_write(rabbitmq_url) as conn:
            worker_heartbeat.apply_async(kwargs={"hostname": hostname}, connection=conn)

        heartbeat = wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname=hostname).first(),
            timeout=90,
            worker=worker,
        )
    finally:
        worker.stop()

    assert heartbeat.seen_at is not None
