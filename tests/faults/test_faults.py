"""Issue 15, acceptance 3: faults, on PostgreSQL with real workers, each on Redis and on RabbitMQ.
The broker restarted with work queued, the database unreachable during a grade, workers killed at
random points, a deploy (SIGTERM) mid-grade: each ends with every submission graded exactly once,
with the right score, and nothing lost.

What recovers the work is the product's own machinery: the broker's durability where it has one,
the lease on a claimed row and the sweeper (`submissions_sweep`, called here directly instead of
waiting for the periodic task), and the atomic claim that makes a second delivery harmless.

The kill delays are random: a failure names its seed, and FAULTS_SEED=<seed> replays it. One
test holds a bug found here: what a grade brings besides itself (skill evidence, the learner's
notification) was lost to an outage at the wrong moment; it now commits with the grade.
"""

import contextlib
import os
import random
import signal
import time

import pytest
from kombu import Connection

from core.notifications.models import Notification
from core.skills.models import Evidence
from labs.models import Submission, SubmissionStatus
from labs.services import submissions_sweep
from tests.factories import SkillFactory
from tests.faults.conftest import (
    answers_waiting,
    assert_graded_once,
    claimed,
    finish_with_sweeps,
    restart,
    submit,
    unfinished,
)
from tests.labs.conftest import CORRECT
from tests.labs.test_grading import alive, descendants
from tests.worker import database_url_for_tests, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("transactional_db")]

OUTAGE_SECONDS = 4
KILL_ROUNDS = 2


def messages_waiting(broker, queue: str = "grading") -> int:
    """How many tasks wait in one of the broker's queues (0 when the queue is gone)."""
    with Connection(broker.url) as conn:
        try:
            return conn.default_channel.queue_declare(queue, passive=True).message_count
        except conn.channel_errors:
            return 0


def claimed_any(ids: list[int], worker) -> bool:
    return Submission.objects.filter(pk__in=ids, claimed_by=worker.name).exists()


@contextlib.contextmanager
def reported_with(note):
    """Put `note()` in front of any failure inside: what a reader needs to replay it."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{note()}\n{error}") from error


def test_a_broker_restarted_with_work_queued_loses_nothing(
    api, reference_lab, sending_to, start_worker
):
    broker = sending_to
    ids = [submit(api, reference_lab, CORRECT) for _ in range(3)]
    # No worker yet: all three wait in the broker.
    wait_for(lambda: messages_waiting(broker) == 3, timeout=10)

    restart(broker)

    waiting = messages_waiting(broker)
    worker = start_worker()
    if broker.keeps_messages:
        # RabbitMQ: durable queues and persistent messages; the worker finds them all.
        assert waiting == 3
        wait_for(lambda: not unfinished(ids).exists(), timeout=120, worker=worker)
    else:
        # Redis without persistence: the tasks are gone, the rows are not; the sweeper sends
        # every one of them again.
        assert waiting == 0
        assert set(submissions_sweep(older_than_seconds=0)) == set(ids)
        finish_with_sweeps(ids, worker)
    assert_graded_once(ids)


def test_the_database_unreachable_during_a_grade_loses_nothing(
    api, reference_lab, start_worker, database_proxy
):
    proxy = database_proxy
    worker = start_worker(database_url=proxy.url(database_url_for_tests()))
    # A first grade through the proxy: the worker's sandbox is warm, its queries pass.
    ids = [submit(api, reference_lab, CORRECT)]
    wait_for(lambda: not unfinished(ids).exists(), timeout=120, worker=worker)
    caught = submit(api, reference_lab, answers_waiting(2, CORRECT))
    wait_for(lambda: claimed(caught, worker), timeout=60, worker=worker)
    ids += [caught, *(submit(api, reference_lab, CORRECT) for _ in range(2))]

    # The database goes away while `caught` runs, and stays away until the worker has come back
    # to it at least once (to write that grade, or to take the next task).
    with proxy.outage():
        down_since = time.monotonic()
        wait_for(lambda: proxy.refused, timeout=60, worker=worker)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
    assert proxy.cut >= 1  # the worker's open connection was among those cut

    finish_with_sweeps(ids, worker)
    assert_graded_once(ids)
    # The same worker, never restarted, graded them all: the outage did not stop it.
    worker.assert_alive()
    assert Submission.objects.filter(pk__in=ids, claimed_by=worker.name).count() == len(ids)


def told_graded(submission_id: int) -> bool:
    """The learner was told of the submission's first grade (in the app)."""
    key = f"labs.submission:{submission_id}:graded:1"
    return Notification.objects.filter(dedupe_key=key).exists()


# One broker is enough: what is at fault is the order of the writes, not the broker.
@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_an_outage_just_after_a_grade_is_written_loses_nothing_the_grade_brings(
    api, org, reference_lab, start_worker, database_proxy
):
    testing = SkillFactory(slug="testing")  # the skill the reference lab trains
    worker = start_worker(database_url=database_proxy.url(database_url_for_tests()))
    # The grade and its run are written; the database goes away as the worker turns to the skill
    # matrix (the first query after the run's INSERT that reads skills).
    database_proxy.cut_when(b'FROM "core_skill"', after=b'INSERT INTO "labs_gradingrun"')
    ids = [submit(api, reference_lab, CORRECT)]
    wait_for(lambda: not database_proxy.up, timeout=120, worker=worker)
    time.sleep(OUTAGE_SECONDS)
    database_proxy.restore()

    finish_with_sweeps(ids, worker)
    assert_graded_once(ids)
    assert Evidence.objects.filter(person=org.engineer, skill=testing).exists()
    wait_for(lambda: told_graded(ids[0]), timeout=30, worker=worker)


def test_workers_killed_at_random_points_lose_nothing(api, reference_lab, start_worker):
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(2**32))
    print(f"kill delays drawn with seed {seed}; FAULTS_SEED={seed} replays them")
    rng = random.Random(seed)
    ids = [submit(api, reference_lab, answers_waiting(1, CORRECT)) for _ in range(4)]
    kills: list[str] = []

    with reported_with(lambda: f"seed {seed} (FAULTS_SEED={seed} replays it); kills: {kills}"):
        for _ in range(KILL_ROUNDS):
            if not unfinished(ids).exists():
                break
            submissions_sweep(older_than_seconds=0)  # what a killed worker held, sent again
            worker = start_worker()
            wait_for(lambda w=worker: claimed_any(ids, w), timeout=90, worker=worker)
            delay = rng.uniform(0, 3)  # after its first claim: starting a kernel, mid-cell,
            time.sleep(delay)  # writing the grade, taking the next one…
            worker.kill()
            rows = Submission.objects.filter(pk__in=ids).order_by("pk")
            states = list(rows.values_list("status", flat=True))
            kills.append(f"killed {delay:.2f} s after its first claim, leaving {states}")
            assert not Submission.objects.filter(pk__in=ids, times_graded__gt=1).exists()

        finish_with_sweeps(ids, start_worker())
        assert_graded_once(ids)


def test_a_deploy_mid_grade_ends_the_running_grade_and_leaves_the_rest(
    api, reference_lab, start_worker
):
    old = start_worker()
    running = submit(api, reference_lab, answers_waiting(3, CORRECT))
    wait_for(lambda: claimed(running, old), timeout=90, worker=old)
    queued = [submit(api, reference_lab, CORRECT) for _ in range(2)]
    processes = descendants(old.process.pid)  # its pool process, the sandbox, the kernel

    # A deploy: the process manager sends SIGTERM to the worker's main process (systemd's
    # KillMode=mixed, as Celery advises); its warm shutdown lets the running task end.
    old.process.send_signal(signal.SIGTERM)

    assert old.process.wait(timeout=90) == 0
    wait_for(lambda: not alive(processes), timeout=15)  # nothing left behind
    done = Submission.objects.get(pk=running)
    assert (done.status, done.times_graded, done.claimed_by) == ("graded", 1, old.name)
    left = Submission.objects.filter(pk__in=queued)
    assert {(s.status, s.claims) for s in left} == {(SubmissionStatus.QUEUED, 0)}

    # The next worker takes what was queued straight from the broker: no sweep needed.
    new = start_worker()
    wait_for(lambda: not unfinished(queued).exists(), timeout=120, worker=new)
    assert_graded_once([running, *queued])
    assert set(left.values_list("claimed_by", flat=True)) == {new.name}
