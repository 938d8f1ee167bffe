import pytest

from core.services import worker_heartbeat_record


def test_healthz_is_public_and_reports_ok(client, db):
    worker_heartbeat_record(hostname="worker-1")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == body["database"] == body["broker"] == "ok"
    assert body["worker_last_seen"] is not None


def test_healthz_answers_503_when_the_broker_is_down(client, db, settings, monkeypatch):
    from core.celery import app

    # Nothing listens on port 9 (discard); the connection is refused at once.
    for key in ("broker_url", "broker_write_url"):
        monkeypatch.setitem(app.conf, key, "redis://127.0.0.1:9/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
