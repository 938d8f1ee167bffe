"""The embedded mode's fallback and production's refusal (LABS_SANDBOX)."""

import tempfile
from pathlib import Path

import pytest

from labs import executor
from labs.models import Submission, SubmissionStatus
from labs.services import submission_grade
from tests.labs.conftest import CORRECT, forked_from_a_zygote


@pytest.fixture
def no_bubblewrap(monkeypatch):
    executor.bubblewrap_works.cache_clear()
    monkeypatch.setattr(executor, "bubblewrap_works", lambda: False)


@pytest.fixture
def queued(reference_version, org):
    return Submission.objects.create(
        lab=reference_version.lab,
        version=reference_version,
        person=org.engineer,
        attempt=1,
        answers={k: {"cell_type": "code", "source": v} for k, v in CORRECT.items()},
        max_score=4,
    )


def test_required_refuses_to_grade_without_bubblewrap_and_keeps_the_row(
    settings, no_bubblewrap, queued
):
    settings.LABS_SANDBOX = "required"

    with pytest.raises(executor.SandboxUnavailable, match="LABS_SANDBOX=required"):
        submission_grade(submission_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.QUEUED and queued.claims == 0


def test_the_task_leaves_the_row_queued_for_a_worker_that_can(settings, no_bubblewrap, queued):
    from labs.tasks import grade_submission

    settings.LABS_SANDBOX = "required"

    grade_submission.apply(args=[queued.pk])

    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.QUEUED


def test_auto_falls_back_to_reduced_isolation_and_says_so(
    settings, no_bubblewrap, queued, client, org, caplog
):
    settings.LABS_SANDBOX = "auto"

    graded = submission_grade(submission_id=queued.pk)

    assert graded.status == SubmissionStatus.GRADED and graded.score == 4
    assert graded.telemetry["sandbox"] == "reduced"
    client.force_login(org.staff.user)
    page = client.get(f"/labs/{queued.lab.slug}/").content.decode()
    assert "Reduced isolation" in page  # to staff; learners: tests/labs/test_notices.py


def test_with_bubblewrap_the_pages_announce_nothing(settings, reference_version, client, org):
    if not executor.bubblewrap_works():
        pytest.skip("bubblewrap is not usable here")
    settings.LABS_SANDBOX = "auto"
    client.force_login(org.staff.user)

    assert "Reduced isolation" not in client.get("/labs/").content.decode()


# The reduced mode's zygote: no namespaces, so no kill(-1) and no private /tmp; the kernel's
# folder is its working directory and home, and the zygote kills what descends from it.
LEAVE = """\
import os, subprocess, statistics
secret = 1
statistics.mean = lambda data: -1
open("trace.txt", "w").write("left")
sleeper = subprocess.Popen(["sleep", "300"], start_new_session=True)
print(os.getcwd(), sleeper.pid)
"""
LOOK = """\
import os, statistics
print("secret" in globals(), statistics.mean([1, 3]), os.path.exists("trace.txt"))
"""


def test_the_reduced_mode_forks_from_a_zygote_too_and_runs_share_nothing(settings, no_bubblewrap):
    # Not tmp_path: a kernel's IPC sockets live in the run folder, and a socket's path has a
    # length limit (108 bytes) that pytest's folders come close to.
    run_root = Path(tempfile.mkdtemp(prefix="cultivate-reduced-"))
    settings.LABS_SANDBOX = "auto"
    settings.LABS_RUN_DIR = str(run_root)
    with forked_from_a_zygote():
        first = executor.execute([LEAVE], executor.Limits())
        zygote = executor._zygote
        folder, sleeper = first.cells[0].text.split()
        assert first.sandbox == "reduced" and zygote is not None, first
        assert folder.startswith(str(zygote.run_dir)), folder
        # Killed with the kernel, although it left its session (no namespace: a host pid).
        assert _cmdline(int(sleeper)) != b"sleep\x00300\x00"

        second = executor.execute([LOOK], executor.Limits())

        assert executor._zygote is zygote
        assert second.cells[0].text == "False 2 False\n", second.cells[0]
        assert list(zygote.run_dir.iterdir()) == []
    assert list(run_root.iterdir()) == []
    run_root.rmdir()


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""
