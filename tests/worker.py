"""A real Celery worker in a subprocess, consuming from the configured broker (Redis in CI,
the filesystem transport locally) and writing to the test database. Started once per session
by the `celery_worker` fixture and shared by every test that needs one."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.db import connection

from labs.uploads import multipart_body

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
    def __init__(
        self,
        log_path: Path,
        *,
        queues: str = "default,grading",
        env: dict | None = None,
        app: str = "core",
    ):
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path
        self.queues = queues
        self.app = app
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        # Grading as in production: kernels forked from the pool process's zygote, whose idle
        # sandbox the containment tests leave out of "nothing is left below us".
        env = {**os.environ, "DATABASE_URL": database_url_for_tests(), **self.extra_env}
        command = [
            sys.executable, "-m", "celery", "-A", self.app, "worker",
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


# --- The embedded runtime as `make run` starts it, private to one test ----------------------


def embedded_env(folder: Path) -> dict[str, str]:
    """The environment of `make run` on the embedded default, all of it inside `folder`: its own
    SQLite file, broker folders, file cache and beat schedule. Set explicitly, so that it holds
    in CI too, where the environment points at PostgreSQL and Redis."""
    from django.conf import settings

    return {
        "CULTIVATE_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'cultivate.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(folder / "broker"),
        "CACHE_URL": "",
        # The kernel environment lives in the real var/, not in the private folder.
        "LABS_KERNEL_PYTHON": settings.LABS_KERNEL_PYTHON,
        "PYTHONUNBUFFERED": "1",
    }


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    """Run `python manage.py …` in a subprocess with `env`; its output, or an error with it."""
    result = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedRun:
    """`python manage.py run_embedded`, the command `make run` ends with: the development web
    server and a supervised Celery worker. Without the code reloader, which only costs CPU here."""

    def __init__(self, log_path: Path, *, env: dict[str, str], concurrency: int = 2):
        self.log_path = log_path
        self.env = env
        self.concurrency = concurrency
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "EmbeddedRun":
        address = self.url.removeprefix("http://")
        command = [
            sys.executable, "manage.py", "run_embedded", address, "--noreload",
            "--concurrency", str(self.concurrency),
        ]  # fmt: skip
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: self.get("/healthz")[0] in (200, 503), timeout=180, worker=self)
        except BaseException:
            self.stop()  # never leave a server and a worker behind a failed start
            raise
        return self

    def stop(self) -> None:
        """SIGTERM, as a process manager would: the supervisor stops the server and the worker."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=90)
        if not self.log.closed:
            self.log.close()

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"run_embedded exited:\n{self.log_path.read_text()[-3000:]}")

    def get(self, path: str, *, token: str | None = None) -> tuple[int, dict | str]:
        return http_request(self.url + path, token=token)


def http_request(
    url: str, *, token: str | None = None, notebook: bytes | None = None, timeout: float = 60
) -> tuple[int, dict | str]:
    """GET `url`, or POST `notebook` as the multipart field `notebook`: (status, JSON or text).
    A refused connection is status 0."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    data = None
    if notebook is not None:
        data, headers["Content-Type"] = multipart_body(notebook)
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (ConnectionError, urllib.error.URLError):
        return 0, ""
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")
