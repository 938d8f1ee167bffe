"""Acceptance (issue 8, item 2): on the embedded default (a SQLite file and the filesystem
broker), clients uploading notebooks and reading their results while two workers write grades
never get a 500 ("database is locked" was one).

The clients upload together, round after round, so that every round's uploads contend for the
write lock with each other and with the workers' grades: a fixed number of rounds, not a
duration, sets how long it takes."""

import shutil
import threading
import time
import uuid
from types import SimpleNamespace

import nbformat
import pytest

from tests.labs.conftest import CORRECT, PARTIAL, REFERENCE_LAB, answered_notebook
from tests.worker import (
    ROOT,
    EmbeddedRun,
    WorkerProcess,
    embedded_env,
    http_request,
    manage,
    wait_for,
)

pytestmark = pytest.mark.worker

CLIENTS = 4
ROUNDS = 10  # uploads per client: 40 notebooks, each read until graded (some 170 reads)
PATIENCE_SECONDS = 300  # for one round on a busy machine; nothing here is timed
LAB = "reference-stats"
FINISHED = {"graded", "needs_review", "failed"}

CREATE_LEARNERS = """
from rest_framework.authtoken.models import Token
from core.services import user_with_person_create
for n in range({count}):
    person = user_with_person_create(
        username=f"learner{{n}}", email=f"learner{{n}}@example.com", password=None
    )
    print("token", Token.objects.create(user=person.user).key)
"""


@pytest.fixture
def folder():
    path = ROOT / "var" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Learner(threading.Thread):
    """Uploads an answered notebook as the other learners upload theirs, reads its result until
    it is graded, and starts again, for `ROUNDS` rounds."""

    def __init__(self, url: str, token: str, notebooks: list[bytes], start: threading.Barrier):
        super().__init__(daemon=True)
        self.url, self.token, self.notebooks, self.start_line = url, token, notebooks, start
        self.responses: list[tuple[str, int, object]] = []  # (what, status, body)
        self.submissions: list[int] = []
        self.error: Exception | None = None

    def call(self, what: str, path: str, notebook: bytes | None = None) -> tuple[int, object]:
        status, body = http_request(self.url + path, token=self.token, notebook=notebook)
        self.responses.append((what, status, body))
        return status, body

    def run(self) -> None:
        try:
            for round_ in range(ROUNDS):
                self.start_line.wait(timeout=PATIENCE_SECONDS)
                notebook = self.notebooks[round_ % len(self.notebooks)]
                status, body = self.call("upload", f"/api/labs/{LAB}/submissions/", notebook)
                if status == 201:
                    self.submissions.append(body["id"])
                    self.read_until_finished(body["id"])
        except Exception as error:  # reported by the test, not lost with the thread
            self.error = error
            self.start_line.abort()  # the others stop waiting for this one

    def read_until_finished(self, submission_id: int) -> None:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while time.monotonic() < deadline:
            _, body = self.call("result", f"/api/submissions/{submission_id}/")
            if isinstance(body, dict) and body.get("status") in FINISHED:
                return
            time.sleep(0.2)


def test_uploads_and_reads_while_two_workers_grade_never_answer_500(folder, artifacts_dir):
    env = embedded_env(folder)
    manage("migrate", "--noinput", env=env)
    manage("import_lab", str(REFERENCE_LAB), env=env)
    created = manage("shell", "-c", CREATE_LEARNERS.format(count=CLIENTS), env=env)
    tokens = [line.split()[1] for line in created.splitlines() if line.startswith("token ")]
    run = EmbeddedRun(artifacts_dir.parent / "test-uploads-run.log", env=env, concurrency=1)
    second_worker = WorkerProcess(artifacts_dir.parent / "test-uploads-worker.log", env=env)
    run.start()
    second_worker.start()
    try:
        status, release = run.get(f"/api/labs/{LAB}/notebook/", token=tokens[0])
        assert status == 200, release
        notebooks = [
            nbformat.writes(answered_notebook(SimpleNamespace(release=release), answers)).encode()
            for answers in (CORRECT, PARTIAL)
        ]
        start = threading.Barrier(CLIENTS)
        learners = [Learner(run.url, token, notebooks, start) for token in tokens]
        for learner in learners:
            learner.start()
        for learner in learners:
            learner.join(timeout=ROUNDS * PATIENCE_SECONDS)
        submitted = [(learner.token, s) for learner in learners for s in learner.submissions]
        graded = wait_for(lambda: all_finished(run, submitted), timeout=300, worker=second_worker)
        run.assert_alive()
        second_worker.assert_alive()
    finally:
        second_worker.stop()
        run.stop()

    assert [learner.error for learner in learners] == [None] * CLIENTS
    responses = [r for learner in learners for r in learner.responses]
    errors = [(what, status, str(body)[:300]) for what, status, body in responses if status >= 500]
    assert errors == []
    assert [(what, status) for what, status, _ in responses if status == 0] == []  # no refusals
    uploads = [status for what, status, _ in responses if what == "upload"]
    assert uploads == [201] * CLIENTS * ROUNDS  # every upload got through
    assert {body["status"] for body in graded} == {"graded"}
    assert {body["score"] for body in graded} <= {4.0, 2.0}


def all_finished(run: EmbeddedRun, submitted: list[tuple[str, int]]) -> list[dict] | None:
    bodies = [run.get(f"/api/submissions/{sid}/", token=token)[1] for token, sid in submitted]
    return bodies if all(body.get("status") in FINISHED for body in bodies) else None
