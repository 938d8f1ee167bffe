"""Acceptance (issue 8, item 1): the embedded broker neither loses nor repeats a message, and
never kills the worker, while several processes publish at once."""

import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from kombu import Connection

from tests.worker import ROOT, WorkerProcess, embedded_env, wait_for

PRODUCERS = 4
TASKS_EACH = 125


@pytest.fixture
def folder():
    path = ROOT / "var" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_producer(prefix: str, count: int, records: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.broker_probe", prefix, str(count), str(records)],
        cwd=ROOT,
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )


def runs_per_task(records: Path) -> Counter:
    return Counter(name.split(".")[0] for name in os.listdir(records))


@pytest.mark.worker
def test_four_producer_processes_and_a_worker_lose_and_repeat_nothing(
    transactional_db, folder, artifacts_dir
):
    env = embedded_env(folder)
    records = folder / "runs"
    records.mkdir()
    worker = WorkerProcess(
        artifacts_dir.parent / "test-embedded-broker-worker.log",
        queues="default",
        # The broker is the embedded one; the database the test's (the worker records its start).
        env={name: value for name, value in env.items() if name != "DATABASE_URL"},
        app="tests.core.broker_probe",
    ).start()
    try:
        producers = [start_producer(f"p{n}", TASKS_EACH, records, env) for n in range(PRODUCERS)]
        for producer in producers:
            _, errors = producer.communicate(timeout=300)
            assert producer.returncode == 0, errors
        # The worker takes one message at a time in the order they were written: once this
        # last one has run, every earlier one has run too.
        start_producer("last", 1, records, env).communicate(timeout=120)
        wait_for(lambda: "last-0" in runs_per_task(records), timeout=300, worker=worker)

        runs = runs_per_task(records)
        worker.assert_alive()
    finally:
        worker.stop()
    expected = {f"p{p}-{n}" for p in range(PRODUCERS) for n in range(TASKS_EACH)} | {"last-0"}
    assert set(runs) == expected, f"lost: {sorted(expected - set(runs))[:10]}"
    assert [token for token, count in runs.items() if count > 1] == []
    assert "Unrecoverable error" not in worker.log_path.read_text()


def test_a_message_file_still_being_written_is_left_for_later_not_fatal(tmp_path):
    folders = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    options = folders | {"control_folder": str(tmp_path / "control")}
    connection = Connection(
        "filesystem://", transport="core.broker:Transport", transport_options=options
    )
    with connection, connection.SimpleQueue("probe") as queue:
        queue.put({"n": 1})
        [written] = tmp_path.glob("*.probe.msg")
        whole = written.read_bytes()
        # Another writer has created this file (it sorts first) and written only part of it.
        half = tmp_path / f"{0:015d}_other.probe.msg"
        half.write_bytes(whole[:10])

        first = queue.get(timeout=5)
        first.ack()
        half.write_bytes(whole)  # the writer finishes
        second = queue.get(timeout=5)
        second.ack()

    assert first.payload == second.payload == {"n": 1}
    assert list(tmp_path.glob("*.msg")) == []
