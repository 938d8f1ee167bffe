"""Acceptance (issue 8, item 9): through the server that `make run` starts, 60 clients polling
at once keep the number of PostgreSQL connections bounded. The development server starts a
thread per request; persistent connections (one per thread) piled up until PostgreSQL refused
more ("sorry, too many clients already"), so they are off unless DB_CONN_MAX_AGE says otherwise.
"""

import shutil
import threading
import time
import uuid

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.conftest import skip_or_fail
from tests.worker import ROOT, EmbeddedRun, database_url_for_tests, embedded_env, wait_for

pytestmark = pytest.mark.worker

POLLERS = 60
REQUESTS_EACH = 10


@pytest.fixture
def folder():
    path = ROOT / "var" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def connections_named(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


def poll(run: EmbeddedRun, token: str, statuses: list[int]) -> None:
    for number in range(REQUESTS_EACH):
        path = "/healthz" if number % 2 else "/api/people/"
        statuses.append(run.get(path, token=token)[0])


def test_sixty_pollers_keep_postgresql_connections_bounded(
    transactional_db, org, folder, artifacts_dir, monkeypatch
):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run the tests with DATABASE_URL=postgres://…")
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)  # the default is what `make run` gets
    # The server's connections carry a name of their own, so that only they are counted.
    name = f"cultivate-pollers-{uuid.uuid4().hex[:8]}"
    env = embedded_env(folder) | {
        "DATABASE_URL": f"{database_url_for_tests()}?application_name={name}"
    }
    token = Token.objects.create(user=org.engineer.user).key
    run = EmbeddedRun(artifacts_dir.parent / "test-db-connections.log", env=env, concurrency=1)
    run.start()
    statuses: list[int] = []
    try:
        # Healthy first (the worker has said it is up), so that every poll should answer 200.
        wait_for(lambda: run.get("/healthz")[0] == 200, timeout=180, worker=run)
        pollers = [
            threading.Thread(target=poll, args=(run, token, statuses)) for _ in range(POLLERS)
        ]
        for poller in pollers:
            poller.start()
        peak = 0
        while any(poller.is_alive() for poller in pollers):
            peak = max(peak, connections_named(name))
            time.sleep(0.05)
        after = wait_for(lambda: connections_named(name) <= 1 or None, timeout=30, worker=run)
    finally:
        run.stop()

    assert len(statuses) == POLLERS * REQUESTS_EACH
    assert set(statuses) == {200}
    # At most one connection per request in flight (and the worker's), never one per request
    # served: 600 requests went through.
    assert peak <= POLLERS + 1, peak
    assert after
