"""Acceptance 2 and 5: submissions graded by a real worker, through the API and the pages, and
what happens when deliveries repeat, the broker is down or the worker dies mid-grade."""

import time
from pathlib import Path

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from labs import services
from labs.models import Submission, SubmissionStatus
from labs.services import submissions_sweep
from labs.tasks import grade_submission
from tests.labs.conftest import CORRECT, PARTIAL, answered_notebook
from tests.worker import WorkerProcess, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("transactional_db")]

HIDDEN_TEST_TEXT = "mean_of([2.5, 3.5])"


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren…), read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


@pytest.fixture
def api(org):
    client = APIClient()
    client.force_authenticate(org.engineer.user)
    return client


def upload(api, lab, answers: dict) -> dict:
    data = nbformat.writes(answered_notebook(lab.current_version, answers)).encode()
    file = SimpleUploadedFile("answers.ipynb", data, content_type="application/x-ipynb+json")
    response = api.post(
        f"/api/labs/{lab.slug}/submissions/", {"notebook": file}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def wait_graded(api, submission_id: int, worker, timeout: float = 120) -> dict:
    def finished():
        body = api.get(f"/api/submissions/{submission_id}/").json()
        return body if body["status"] not in ("queued", "running") else None

    return wait_for(finished, timeout=timeout, worker=worker, interval=0.5)


@pytest.mark.parametrize(
    ("answers", "score"),
    [(CORRECT, 4.0), (PARTIAL, 2.0), ({}, 0.0)],
    ids=["correct", "partial", "empty"],
)
def test_the_api_grades_correct_partial_and_empty_submissions(
    api, reference_lab, celery_worker, answers, score
):
    created = upload(api, reference_lab, answers)
    assert created["status"] == "queued"

    graded = wait_graded(api, created["id"], celery_worker)

    assert graded["status"] == "graded"
    assert graded["score"] == score
    assert graded["max_score"] == 4.0
    assert graded["flags"] == []
    assert {r["id"] for r in graded["results"]} == {"test_mean_of", "test_scale", "test_spread"}
    assert sum(r["points"] for r in graded["results"]) == score
    assert set(graded) >= {"id", "lab", "status", "score", "max_score", "results", "flags"}
    submission = Submission.objects.get(pk=created["id"])
    feedback = services.submission_feedback_html(submission)
    assert HIDDEN_TEST_TEXT not in str(graded) and HIDDEN_TEST_TEXT not in feedback
    assert "<html" in feedback.lower() and submission.feedback_html == feedback
    assert submission.times_graded == 1


def test_the_page_takes_an_upload_and_reports_the_grade(client, org, reference_lab, celery_worker):
    client.force_login(org.engineer.user)
    data = nbformat.writes(answered_notebook(reference_lab.current_version, PARTIAL)).encode()

    response = client.post(
        f"/labs/{reference_lab.slug}/submit/", {"notebook": SimpleUploadedFile("a.ipynb", data)}
    )

    assert response.status_code == 302
    page_url = response["Location"]
    status_url = page_url + "status/"
    first = client.get(status_url).json()
    assert first["status"] in ("queued", "running", "graded")
    final = wait_for(
        lambda: (s := client.get(status_url).json())["finished"] and s,
        timeout=120,
        worker=celery_worker,
    )
    assert final["score"] == 2.0
    page = client.get(page_url).content.decode()
    assert "2 / 4" in page
    feedback = client.get(page_url + "feedback/")
    assert "sandbox" in feedback["Content-Security-Policy"]
    assert HIDDEN_TEST_TEXT not in feedback.content.decode()


def test_the_same_task_delivered_twice_grades_once(api, reference_lab, celery_worker):
    created = upload(api, reference_lab, CORRECT)
    grade_submission.delay(created["id"])  # the on-commit delivery is the first

    wait_graded(api, created["id"], celery_worker)
    time.sleep(3)  # let the second delivery arrive and find nothing to do

    submission = Submission.objects.get(pk=created["id"])
    assert submission.times_graded == 1
    assert submission.claims == 1


def forget_broker_connections(app) -> None:
    """Drop pooled connections, so that the next publish connects to the configured broker."""
    from kombu import pools

    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def test_a_broker_down_at_upload_loses_nothing(api, reference_lab, celery_worker, monkeypatch):
    from core.celery import app

    with monkeypatch.context() as patched:
        # A Redis broker where nothing listens (not the embedded transport, which always can).
        patched.setitem(app.conf, "broker_transport", None)
        for key in ("broker_url", "broker_write_url"):
            patched.setitem(app.conf, key, "redis://127.0.0.1:9/0")  # nothing listens there
        forget_broker_connections(app)
        created = upload(api, reference_lab, CORRECT)
    forget_broker_connections(app)

    assert created["status"] == "queued"
    time.sleep(2)
    assert Submission.objects.get(pk=created["id"]).status == SubmissionStatus.QUEUED

    assert created["id"] in submissions_sweep(older_than_seconds=0)
    graded = wait_graded(api, created["id"], celery_worker)
    assert graded["score"] == 4.0
    assert Submission.objects.get(pk=created["id"]).times_graded == 1


def test_a_worker_killed_mid_grade_ends_graded_exactly_once(
    api, reference_lab, celery_worker, artifacts_dir, monkeypatch
):
    slow = {**CORRECT, "mean_of": "import time\ntime.sleep(8)\n" + CORRECT["mean_of"]}
    doomed = WorkerProcess(
        artifacts_dir.parent / "test-worker-killed.log",
        queues="kill-test",
        env={"LABS_LEASE_SECONDS": "4"},
    ).start()
    try:
        # Only the doomed worker may get this one: no delivery to the shared `grading` queue.
        with monkeypatch.context() as patched:
            patched.setattr(services, "submission_enqueue", lambda **kwargs: False)
            created = upload(api, reference_lab, slow)
        submission = Submission.objects.get(pk=created["id"])
        grade_submission.apply_async(args=[submission.pk], queue="kill-test")
        wait_for(
            lambda: Submission.objects.filter(pk=submission.pk, claimed_by=doomed.name).exists(),
            timeout=60,
            worker=doomed,
        )
        time.sleep(2)  # the kernel is up and sleeping in the learner's cell
        processes = descendants(doomed.process.pid)
        doomed.kill()
    finally:
        doomed.stop()

    killed = Submission.objects.get(pk=submission.pk)
    assert killed.status == SubmissionStatus.RUNNING and killed.times_graded == 0
    assert len(processes) > 3  # pool process, bubblewrap, the kernel…
    wait_for(lambda: not alive(processes), timeout=10)  # …all gone with the worker
    time.sleep(5)  # the dead worker's lease runs out
    restarted = WorkerProcess(artifacts_dir.parent / "test-worker-restarted.log").start()
    try:
        submissions_sweep(older_than_seconds=0)
        graded = wait_graded(api, submission.pk, restarted, timeout=180)
    finally:
        restarted.stop()

    assert graded["status"] == "graded" and graded["score"] == 4.0
    final = Submission.objects.get(pk=submission.pk)
    assert final.times_graded == 1
    assert final.claims >= 2
