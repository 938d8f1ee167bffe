from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.services import worker_heartbeat_record


def test_healthz_is_public_and_reports_ok(client, db):
    worker_heartbeat_record(hostname="worker-1")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == body["database"] == body["broker"] == body["worker"] == "ok"
    assert body["worker_last_seen"] is not None


def test_healthz_answers_503_when_the_broker_is_down(client, db, settings, monkeypatch):
    from core.celery import app

    worker_heartbeat_record(hostname="worker-1")
    # A Redis broker (so not the embedded transport) where nothing listens: port 9 (discard)
    # refuses the connection at once.
    monkeypatch.setitem(app.conf, "broker_transport", None)
    for key in ("broker_url", "broker_write_url"):
        monkeypatch.setitem(app.conf, key, "redis://127.0.0.1:9/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_healthz_is_degraded_when_no_worker_was_ever_seen(client, db):
    # Rows a worker subprocess committed in an earlier test are not rolled back.
    WorkerHeartbeat.objects.all().delete()

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"] == "error: no worker seen"
    assert body["database"] == body["broker"] == "ok"


def test_healthz_is_degraded_when_the_last_worker_was_seen_too_long_ago(client, db, settings):
    WorkerHeartbeat.objects.all().delete()
    settings.HEALTH_WORKER_STALE_SECONDS = 300
    heartbeat = worker_heartbeat_record(hostname="worker-1")
    heartbeat.seen_at = timezone.now() - timedelta(seconds=301)
    heartbeat.save()

    body_late = client.get("/healthz")
    worker_heartbeat_record(hostname="worker-2")  # another worker comes up
    body_back = client.get("/healthz")

    assert body_late.status_code == 503
    assert body_late.json()["worker"].startswith("error: no worker seen for 30")
    assert body_back.status_code == 200
    assert body_back.json()["worker"] == "ok"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
