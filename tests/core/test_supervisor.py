"""Issue 8, item 1: `make run` never keeps serving beside a dead worker. Its last command,
`manage.py run_embedded`, starts the web server and a worker, and starts the worker again when
it dies; a fresh start is healthy at once (the worker records a heartbeat when it is ready)."""

import os
import re
import shutil
import signal
import uuid
from pathlib import Path

import pytest

from tests.worker import ROOT, EmbeddedRun, database_url_for_tests, embedded_env, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def folder():
    path = ROOT / "var" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def worker_pids(run: EmbeddedRun) -> list[int]:
    log = run.log_path.read_text()
    return [int(pid) for pid in re.findall(r"Started the Celery worker \(pid (\d+)\)", log)]


def healthy(run: EmbeddedRun) -> dict | None:
    status, body = run.get("/healthz")
    return body if status == 200 else None


def test_a_killed_worker_is_started_again_and_everything_stops_together(
    transactional_db, folder, artifacts_dir
):
    env = embedded_env(folder) | {"DATABASE_URL": database_url_for_tests()}
    run = EmbeddedRun(artifacts_dir.parent / "test-run-embedded.log", env=env, concurrency=1)
    run.start()
    try:
        first_seen = wait_for(lambda: healthy(run), timeout=120, worker=run)["worker_last_seen"]
        [first] = worker_pids(run)

        os.killpg(first, signal.SIGKILL)  # the worker and its pool, as the OOM killer might

        wait_for(lambda: len(worker_pids(run)) == 2, timeout=60, worker=run)
        back = wait_for(
            lambda: (body := healthy(run)) and body["worker_last_seen"] > first_seen and body,
            timeout=120,
            worker=run,
        )
        second = worker_pids(run)[1]
    finally:
        run.stop()

    assert "The Celery worker exited (code -9); starting it again." in run.log_path.read_text()
    assert back["status"] == "ok"
    assert not Path(f"/proc/{second}").exists(), "stopping run_embedded left the worker running"
