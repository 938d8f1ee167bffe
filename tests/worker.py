"""A real Celery worker in a subprocess, consuming from the configured broker (Redis in CI,
the filesystem transport locally) and writing to the test database. Started once per session
by the `celery_worker` fixture and shared by every test that needs one."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_tests() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, log_path: Path, *, queues: str = "default,grading", env: dict | None = None):
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path
        self.queues = queues
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        env = {**os.environ, "DATABASE_URL": database_url_for_tests(), **self.extra_env}
        command = [
            sys.executable, "-m", "celery", "-A", "core", "worker",
            "--queues", self.queues, "--pool", "prefork", "--concurrency", "1",
            "--hostname", self.name, "--loglevel", "INFO",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so that a test can kill it whole
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash or OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.log.closed:
            return
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.log_path.read_text()[-3000:]}")


def wait_for(predicate, *, timeout: float, worker: WorkerProcess | None = None, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if worker is not None:
            worker.assert_alive()
        time.sleep(interval)
    log = worker.log_path.read_text()[-3000:] if worker else ""
    raise AssertionError(f"timed out after {timeout}s\n{log}")
