"""What the fault tests run on: PostgreSQL, real Celery workers, and brokers of their own that a
test may restart without hurting anyone else.

Each broker is private to this package: a redis-server on a free port, and a RabbitMQ node of its
own (name, ports, data and logs in a temporary folder; it starts in a few seconds). The shared
session worker, which consumes `default` and `grading` on the suite's broker, is connected to
neither, so the product's own queues and routes can be used here unchanged. The test process
sends to the private broker too (`sending_to`), through the product's own enqueueing: an upload
and `submissions_sweep` publish exactly as they do in production.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from kombu import Connection
from rest_framework.test import APIClient

from labs.models import GradingRun, Submission, SubmissionStatus
from labs.services import submissions_sweep
from tests.conftest import skip_or_fail
from tests.faults.proxy import TcpProxy
from tests.labs.conftest import (
    answered_notebook,
    reference_lab,  # noqa: F401 - a fixture, for the tests here
    reference_version,  # noqa: F401 - a fixture, for the tests here
)
from tests.labs.test_grading import forget_broker_connections
from tests.worker import WorkerProcess, free_port, wait_for

# A worker's claim on a submission lasts this long: short, so that work a dead worker held is
# taken up again within seconds (production: 15 minutes, with the sweeper every minute).
LEASE_SECONDS = 3
# Debian's RabbitMQ scripts that run as the calling user (those on PATH switch to `rabbitmq`,
# who may not write a test's temporary folder).
RABBITMQ_SCRIPTS = Path("/usr/lib/rabbitmq/bin")


def answers_waiting(seconds: float, answers: dict[str, str]) -> dict[str, str]:
    """Right answers whose first cell takes `seconds`: a grade that a test can catch mid-run."""
    return {**answers, "mean_of": f"import time\ntime.sleep({seconds})\n{answers['mean_of']}"}


@pytest.fixture(scope="module")
def postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("the fault tests need PostgreSQL: run them with DATABASE_URL=postgres://…")


# --- brokers ---------------------------------------------------------------------------------


class RedisBroker:
    """A redis-server of our own, without persistence: a restart loses whatever was queued."""

    name = "redis"
    keeps_messages = False

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            "redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, start_new_session=True)  # noqa: S603
        wait_for(self.answers, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False


class RabbitBroker:
    """A RabbitMQ node of our own. Celery's queues are durable and its messages persistent, so
    what was queued survives a restart of the node."""

    name = "rabbitmq"
    keeps_messages = True

    def __init__(self, folder: Path):
        self.folder = folder
        self.port, dist_port = free_port(), free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"  # a new node's loopback user
        (folder / "enabled_plugins").write_text("[].\n")
        self.env = {
            **os.environ,
            "HOME": str(folder),  # its Erlang cookie goes here, not into the real home
            "RABBITMQ_NODENAME": f"cultivate-faults-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(dist_port),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_PID_FILE": str(folder / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            # None of the machine's configuration: its node's listeners and names are not ours.
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = (self.folder / "server.log").open("a")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(RABBITMQ_SCRIPTS / "rabbitmq-server")],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.answers, timeout=60, worker=self)

    def stop(self) -> None:
        """SIGTERM to the Erlang VM: RabbitMQ shuts down cleanly, as `rabbitmqctl stop` would."""
        pid = int((self.folder / "node.pid").read_text())
        os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=30)
        self.log.close()

    def answers(self) -> bool:
        try:
            with Connection(self.url, connect_timeout=1) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception:  # noqa: BLE001 - not up yet, whatever the reason
            return False
        return True

    def assert_alive(self) -> None:  # for wait_for: a node that failed to start fails fast
        if self.process.poll() is not None:
            log = (self.folder / "server.log").read_text()[-3000:]
            raise AssertionError(f"the RabbitMQ node exited:\n{log}")

    @property
    def log_path(self) -> Path:  # for wait_for's report
        return self.folder / "server.log"


@pytest.fixture(scope="module")
def redis_broker(postgresql, tmp_path_factory):
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server is not installed (Debian package `redis-server`).")
    broker = RedisBroker(tmp_path_factory.mktemp("redis"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def rabbitmq_broker(postgresql, tmp_path_factory):
    if not os.environ.get("RABBITMQ_URL"):
        skip_or_fail("RABBITMQ_URL is not set (CI sets it: this machine kind runs RabbitMQ).")
    if not (RABBITMQ_SCRIPTS / "rabbitmq-server").exists():
        skip_or_fail("rabbitmq-server is not installed (Debian package `rabbitmq-server`).")
    broker = RabbitBroker(tmp_path_factory.mktemp("rabbitmq"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def broker(request):
    return request.getfixturevalue(f"{request.param}_broker")


def restart(broker) -> None:
    broker.stop()
    broker.start()


@pytest.fixture
def sending_to(broker, monkeypatch):
    """This process's Celery app sends to `broker`, its queues emptied of earlier tests' tasks."""
    from core.celery import app

    monkeypatch.setitem(app.conf, "broker_transport", None)
    for key in ("broker_url", "broker_write_url", "broker_read_url"):
        monkeypatch.setitem(app.conf, key, broker.url)
    forget_broker_connections(app)
    app.control.purge()
    yield broker
    forget_broker_connections(app)
    monkeypatch.undo()
    forget_broker_connections(app)


# --- the database, behind a proxy a test can cut -----------------------------------------


@pytest.fixture
def database_proxy():
    where = connection.settings_dict
    proxy = TcpProxy(upstream=(where["HOST"] or "127.0.0.1", int(where["PORT"] or 5432)))
    yield proxy
    proxy.close()


# --- workers and submissions -----------------------------------------------------------------


@pytest.fixture
def start_worker(sending_to, artifacts_dir, request):
    """Start a real worker on the private broker; every one started is gone after the test
    (killed with its sandbox if it still runs)."""
    started: list[WorkerProcess] = []

    def start(*, database_url: str | None = None, queues="default,grading") -> WorkerProcess:
        env = {
            "CELERY_BROKER_URL": sending_to.url,
            "LABS_LEASE_SECONDS": str(LEASE_SECONDS),
            # The reference lab imports nothing heavy: a lighter zygote starts in a second.
            "LABS_ZYGOTE_PRELOAD": "statistics",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        name = f"test-worker-faults-{request.node.name}-{len(started)}"
        log = artifacts_dir.parent / f"{name.replace('[', '-').replace(']', '')}.log"
        started.append(WorkerProcess(log, queues=queues, env=env).start())
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()
        else:
            worker.stop()


@pytest.fixture
def api(org):
    client = APIClient()
    client.force_authenticate(org.engineer.user)
    return client


def submit(api, lab, answers: dict[str, str]) -> int:
    """Upload a notebook through the API, as a learner would; its submission's id."""
    data = nbformat.writes(answered_notebook(lab.current_version, answers)).encode()
    file = SimpleUploadedFile("answers.ipynb", data, content_type="application/x-ipynb+json")
    response = api.post(
        f"/api/labs/{lab.slug}/submissions/", {"notebook": file}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def unfinished(ids: list[int]):
    return Submission.objects.filter(
        pk__in=ids, status__in=[SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]
    )


def claimed(submission_id: int, worker: WorkerProcess) -> bool:
    return Submission.objects.filter(pk=submission_id, claimed_by=worker.name).exists()


def finish_with_sweeps(ids: list[int], worker: WorkerProcess, *, timeout: float = 120) -> None:
    """Wait until every submission is graded, sweeping as the periodic sweeper would (only more
    often): rows left queued, or running under a dead worker's expired lease, are sent again."""
    last_sweep = 0.0

    def finished() -> bool:
        nonlocal last_sweep
        if time.monotonic() - last_sweep > LEASE_SECONDS + 1:
            submissions_sweep(older_than_seconds=0)
            last_sweep = time.monotonic()
        return not unfinished(ids).exists()

    wait_for(finished, timeout=timeout, worker=worker, interval=0.5)


def assert_graded_once(ids: list[int], *, score: float = 4.0, context: str = "") -> None:
    """Every submission graded, with the right score, and its grade written exactly once."""
    rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    assert set(rows) == set(ids), f"{context}submissions lost: {set(ids) - set(rows)}"
    for submission_id in ids:
        submission = rows[submission_id]
        seen = (submission.status, submission.score, submission.times_graded)
        assert seen == (SubmissionStatus.GRADED, score, 1), (
            f"{context}submission {submission_id}: (status, score, times graded) = {seen}, "
            f"claims {submission.claims}, error {submission.error!r}"
        )
        runs = GradingRun.objects.filter(submission=submission).count()
        assert runs == 1, f"{context}submission {submission_id} has {runs} grading runs"
