"""Grading throughput and latency through the real pipeline, against nbgrader, side by side.

For the reference lab (an unchanged nbgrader notebook, `tests/labs/fixtures/nbgrader_reference`)
and two curriculum labs, N learners' notebooks (default 100: the lab's release with answers
filled in, three in five correct, the others with an answer left as released or wrong; every
one different) are graded in turn, round after round, on this machine:

- **nbgrader**: `nbgrader autograde` (0.9.6, installed by this script into its own virtualenv
  under var/bench/) on a course holding the lab's source and the same N notebooks as students'
  submissions, as a course runs it (sequentially); and one notebook alone (`--student`). The
  curriculum labs use Cultivate's own checks (`seal`), which nbgrader cannot grade: for them
  there is no nbgrader row, and their ratios are to nbclient.
- **Cultivate, burst**: the N notebooks uploaded at once through the HTTP API (a pool of
  uploaders, one learner and token each) to gunicorn (production settings, DEBUG off), on the
  bench's own PostgreSQL database and Redis as broker and cache; one Celery worker with a process
  per core grades them in the bubblewrap sandbox (`LABS_SANDBOX=required`); each learner polls
  the API until graded. Throughput is N over the time from the first upload to the last result;
  a submission's latency runs from the start of its upload to its result (`graded_at` as the API
  reports it, so that the poll's own pace does not count); CPU is the whole machine's busy time
  from /proc/stat over the burst (web server, worker, sandboxes, this script's clients: all of
  it), divided by N.
- **Cultivate, idle**: submissions one at a time on idle workers (the machine quiet first),
  polled every 50 ms.
- **nbclient**: the cells Cultivate's worker runs for a notebook (the learner's answers, the
  lab's tests with their hidden parts, the canaries) as a notebook, executed by plain nbclient
  with a fresh kernel each, sequentially, no sandbox: a bounded subset of the notebooks.
- **floor**: the same cells, for the same subset, exec'd in one interpreter that is already
  warm (a fresh namespace dict per notebook; `bench/grading_floor.py`): the cells' own work, no
  kernel at all.

A second table says where a burst's time went, per submission: the stages of each row (upload,
queue, the sandboxed kernel's start and stop, the cells, judging and storing) and the CPU of
each part of the pipeline (from /proc/<pid>/stat, by process tree). The grades are checked:
every correct notebook gets every automatic point, and on the reference lab every notebook
gets nbgrader's points for every test; a sandboxed run five times the median is named.

Every kernel (nbgrader's, nbclient's, the floor's, the sandbox's) is the kernel environment's
Python (`LABS_KERNEL_PYTHON`, var/kernel-env). Figures are medians over the rounds, and ratios are
taken within a round (this tool's throughput over nbgrader's measured just before), then their
median: machine noise hits both sides of a ratio alike.

Run: `.venv/bin/python bench/grading.py [-n 100] [--rounds 2] [--labs a,b,c] [--quick]`.
It needs PostgreSQL (127.0.0.1:5432, user postgres, trust) and Redis (127.0.0.1:6379); it owns
the database `cultivate_bench_grading` (dropped, created and migrated every run) and Redis
databases 8 (broker) and 9 (cache), emptied every run. Everything it starts listens on
127.0.0.1 only and is stopped at the end. Progress goes to stderr, the Markdown tables (for
bench/README.md) to stdout; the raw figures to var/bench/grading/last-run.json.
"""

import argparse
import copy
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import common

DATABASE = "cultivate_bench_grading"
BROKER_URL = "redis://127.0.0.1:6379/8"
CACHE_URL = "redis://127.0.0.1:6379/9"
# Set before Django starts, so that nothing this process enqueues or caches can reach the
# broker or cache of `make run`.
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["CACHE_URL"] = CACHE_URL
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not nbclient's line per notebook
common.django_setup(DATABASE)

import nbformat  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connections  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from core.models import CareerStage, Person, Team  # noqa: E402
from labs import judge  # noqa: E402
from labs.format import learner_answers  # noqa: E402
from labs.models import Lab, Submission  # noqa: E402
from labs.uploads import multipart_body  # noqa: E402

ROOT = common.ROOT
WORK = ROOT / "var" / "bench" / "grading"
NBGRADER_VERSION = "0.9.6"
NBGRADER_VENV = ROOT / "var" / "bench" / "nbgrader-venv"
ASSIGNMENT = "bench"

REFERENCE = "descriptive-stats"
LAB_FOLDERS = {REFERENCE: ROOT / "tests" / "labs" / "fixtures" / "nbgrader_reference"} | {
    folder.name: folder for folder in sorted((ROOT / "curriculum" / "labs").iterdir())
}
# The reference lab, a lab of the standard library only and one that imports numpy and pandas.
DEFAULT_LABS = (REFERENCE, "data-drift", "privacy-security")
# Answers that run and are wrong, where the bench knows the lab; elsewhere a wrong notebook
# leaves an answer as released.
WRONG = {
    REFERENCE: {
        "mean_and_stdev": (
            "import statistics\n\n\ndef mean_and_stdev(values):\n"
            "    return statistics.mean(values), statistics.pstdev(values)"
        )
    }
}
DONE = {"graded", "needs_review", "failed"}

UPLOADERS = 16  # concurrent uploads in a burst
BURST_POLL_GAP = 0.1  # seconds between two polls of a burst: at most 10 requests a second
BURST_SWEEP = 0.5  # a submission is polled at most every half second
IDLE_POLL = 0.05
HTTP_TIMEOUT = 60
SECRET_KEY = secrets.token_urlsafe(50)  # the web server's and the worker's, for this run


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- The pipeline: gunicorn, a Celery worker, PostgreSQL, Redis ---------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env() -> dict[str, str]:
    """Production settings on loopback: DEBUG off, HTTPS redirects off (no TLS proxy here),
    persistent database connections, the sandbox required."""
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_PATH"}
    return env | {
        "DATABASE_URL": common.database_url(DATABASE),
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DB_CONN_MAX_AGE": "60",
        "EMAIL_URL": "locmem://",
        "LABS_SANDBOX": "required",
        "SUBMISSION_RATE_LIMIT": "100000/min",  # a learner's one-at-a-time runs come quickly
        "LABS_KERNEL_PYTHON": kernel_python(),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def kernel_python() -> str:
    return settings.LABS_KERNEL_PYTHON or sys.executable


class Service:
    """A server in its own process group, logged to a file, stopped with its children."""

    def __init__(self, name: str, command: list[str]):
        self.name, self.command = name, command
        self.log_path = WORK / "logs" / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                self.command,
                cwd=ROOT,
                env=service_env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def check(self) -> None:
        if self.process.poll() is not None:
            tail = self.log_path.read_text()[-3000:]
            raise SystemExit(f"the {self.name} exited ({self.process.returncode}):\n{tail}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Pipeline:
    def __init__(self, cores: int):
        self.url = f"http://127.0.0.1:{free_port()}"
        bin_dir = Path(sys.executable).parent
        self.worker = Service(
            "worker",
            [
                sys.executable, "-m", "celery", "-A", "core", "worker",
                "--queues", "grading,default", "--pool", "prefork", "--concurrency", str(cores),
                "--hostname", f"bench-grading-{uuid.uuid4().hex[:6]}@localhost",
                "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                "--without-heartbeat",
            ],
        )  # fmt: skip
        self.web = Service(
            "gunicorn",
            [
                str(bin_dir / "gunicorn"), "core.wsgi", "--workers", str(2 * cores),
                "--bind", self.url.removeprefix("http://"), "--timeout", "60",
            ],
        )  # fmt: skip

    def __enter__(self) -> "Pipeline":
        try:
            self.worker.start()
            self.web.start()
            self.wait_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.web.stop()
        self.worker.stop()

    def wait_healthy(self, timeout: float = 180) -> None:
        """/healthz answers 200 once the database, the broker and a worker are all there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.worker.check()
            self.web.check()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"the pipeline was not healthy after {timeout:.0f} s")


def reset_redis() -> None:
    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()


# --- Where the CPU goes -------------------------------------------------------------------------

PARTS = ("web", "worker", "sandbox", "PostgreSQL", "Redis", "this script")


def cpu_by_part(pipeline: "Pipeline") -> dict[str, float]:
    """CPU seconds so far of each part of the pipeline: every live process's own time and its
    reaped children's (a finished kernel's time is in its parent's), by where it hangs in the
    process tree: under gunicorn, the Celery worker, bubblewrap (the sandboxes, below the
    worker), PostgreSQL's and Redis's servers, this script. The machine's rest is "other"."""
    processes = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        processes[int(entry)] = (int(fields[1]), name, ticks)
    roots = {pipeline.web.process.pid: "web", pipeline.worker.process.pid: "worker"}
    totals = dict.fromkeys(PARTS, 0.0)
    for pid, (_, name, ticks) in processes.items():
        part = _part_of(pid, name, processes, roots)
        if part:
            totals[part] += ticks / os.sysconf("SC_CLK_TCK")
    return totals


def _part_of(pid: int, name: str, processes: dict, roots: dict[int, str]) -> str | None:
    if name.startswith("postgres"):
        return "PostgreSQL"
    if name.startswith("redis-server"):
        return "Redis"
    if pid == os.getpid():
        return "this script"
    sandboxed = False
    while pid in processes:
        sandboxed = sandboxed or processes[pid][1] == "bwrap"
        if pid in roots:
            return "sandbox" if sandboxed else roots[pid]
        pid = processes[pid][0]
    return None


# --- Talking to the API as learners do ----------------------------------------------------------


class Api:
    def __init__(self, url: str):
        self.url = url

    def request(self, path: str, token: str, *, body: bytes | None = None, headers=None):
        request = urllib.request.Request(  # noqa: S310 - http on loopback
            self.url + path,
            data=body,
            headers={"Authorization": f"Token {token}", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode(errors="replace")
            raise SystemExit(f"{path} answered {error.code}: {detail}") from None

    def get_json(self, path: str, token: str) -> dict:
        return json.loads(self.request(path, token))

    def upload(self, slug: str, token: str, notebook: bytes) -> dict:
        body, content_type = multipart_body(notebook)
        headers = {"Content-Type": content_type}
        return json.loads(
            self.request(f"/api/labs/{slug}/submissions/", token, body=body, headers=headers)
        )


@dataclass
class Submitted:
    index: int  # which notebook
    token: str
    started: float = 0.0  # wall clock when its upload began
    uploaded: float = 0.0  # wall clock when the upload was answered
    id: int = 0
    status: str = ""
    graded_at: float = 0.0
    seen: float = 0.0  # wall clock when the learner's poll saw the result
    auto_points: dict[str, float] = field(default_factory=dict)  # per automatic test
    auto_max: float = 0.0

    @property
    def latency(self) -> float:
        return self.graded_at - self.started


def submit(api: Api, slug: str, token: str, index: int, notebook: bytes) -> Submitted:
    submitted = Submitted(index=index, token=token, started=time.time())
    created = api.upload(slug, token, notebook)
    submitted.uploaded = time.time()
    submitted.id, submitted.status = created["id"], created["status"]
    return submitted


def wait_for_results(
    api: Api, pending: list[Submitted], *, timeout: float, gap: float, sweep: float
):
    """Each learner polls their submission until it is graded (one poll every `gap` seconds
    in all, each submission at most every `sweep` seconds)."""
    pending = list(pending)
    deadline = time.monotonic() + timeout
    while pending:
        swept = time.monotonic()
        for sub in list(pending):
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"{len(pending)} submissions were not graded within {timeout:.0f} s"
                )
            body = api.get_json(f"/api/submissions/{sub.id}/", sub.token)
            if body["status"] in DONE:
                sub.seen = time.time()
                sub.status = body["status"]
                sub.graded_at = datetime.fromisoformat(body["graded_at"]).timestamp()
                automatic = [r for r in body["results"] if not r.get("manual")]
                sub.auto_points = {r["id"]: r["points"] for r in automatic}
                sub.auto_max = sum(r["max_points"] for r in automatic)
                pending.remove(sub)
            time.sleep(gap)
        time.sleep(max(0.0, sweep - (time.monotonic() - swept)))


# --- The labs and the learners' notebooks -------------------------------------------------------


@dataclass
class BenchLab:
    slug: str
    folder: Path
    notebooks: list[bytes] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)  # which notebooks have every answer right
    grading_cells: list[list[str]] = field(default_factory=list)  # what the worker runs, each
    tokens: list[str] = field(default_factory=list)  # learners who have not submitted it yet
    course: "NbgraderCourse | None" = None  # the reference lab's, for nbgrader
    figures: dict[str, list["Figures"]] = field(
        default_factory=lambda: {"nbgrader": [], "cultivate": [], "nbclient": [], "floor": []}
    )
    idle_stored: list[float] = field(default_factory=list)  # upload → result stored
    idle_seen: list[float] = field(default_factory=list)  # upload → result seen by a poll
    nbgrader_alone: list[float] = field(default_factory=list)  # one notebook, alone
    checks: dict = field(default_factory=dict)
    where: list[dict] = field(default_factory=list)  # where each burst's time went

    def next_learner(self) -> str:
        return self.tokens.pop()


def import_labs(labs: list[BenchLab]) -> None:
    """`manage.py import_lab`, as an author imports a lab (validated in the sandbox)."""
    for lab in labs:
        log(f"importing {lab.slug} (validated in the sandbox)")
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "manage.py", "import_lab", str(lab.folder)],
            cwd=ROOT,
            env=service_env(),
            check=True,
            capture_output=True,
            timeout=600,
        )


def create_learners(count: int) -> list[str]:
    """Learners in one team, each with an API token (as `POST /api/auth/token/` would give)."""
    team = Team.objects.create(name="Bench learners", slug="bench-learners")
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"learner{i:04d}", email=f"learner{i:04d}@example.com", password=password
        )
        for i in range(count)
    )
    Person.objects.bulk_create(
        Person(user=user, team=team, career_stage=CareerStage.EARLY_CAREER, title="ML Engineer")
        for user in users
    )
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    return [token.key for token in tokens]


def answer_variant(index: int, answer_ids: list[str], slug: str) -> dict[str, str]:
    """grade_id → how notebook `index` answers it: "right", "released" or "wrong". Three in
    five are right throughout; the others leave one answer as released or get one wrong."""
    variant = dict.fromkeys(answer_ids, "right")
    kind = index % 5
    if kind == 3:
        variant[answer_ids[(index // 5) % len(answer_ids)]] = "released"
    elif kind == 4:
        wrong = sorted(WRONG.get(slug, {}))
        if wrong:
            variant[wrong[(index // 5) % len(wrong)]] = "wrong"
        else:
            variant[answer_ids[(index // 5 + 1) % len(answer_ids)]] = "released"
    return variant


def make_notebooks(lab: BenchLab, release: dict, count: int) -> None:
    """N learners' notebooks: the release with answers filled in, each tagged with its number
    (so that no two are the same), written to var/bench/grading/notebooks/<lab>/ too."""
    spec = Lab.objects.get(slug=lab.slug).current_version.get_spec()
    reference = {c.grade_id: c for c in spec.cells if c.role in ("answer", "manual") and c.grade_id}
    answer_ids = [grade_id for grade_id, c in reference.items() if c.cell_type == "code"]
    folder = WORK / "notebooks" / lab.slug
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index in range(count):
        variant = answer_variant(index, answer_ids, lab.slug)
        notebook = copy.deepcopy(release)
        for cell in notebook["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id not in reference:
                continue
            how = variant.get(grade_id, "right")
            if how == "right":
                source = reference[grade_id].source
            elif how == "wrong":
                source = WRONG[lab.slug][grade_id]
            else:
                source = "".join(cell["source"])
            tag = (
                f"# learner {index:03d}"
                if cell["cell_type"] == "code"
                else f"(learner {index:03d})"
            )
            cell["source"] = f"{source}\n\n{tag}\n"
        data = json.dumps(notebook, indent=1, ensure_ascii=False).encode() + b"\n"
        (folder / f"s{index:03d}.ipynb").write_bytes(data)
        lab.notebooks.append(data)
        lab.correct.append(all(how == "right" for how in variant.values()))
        plan = judge.build_run(spec, learner_answers(notebook))
        lab.grading_cells.append([cell.code for cell in plan.cells])


# --- nbgrader, nbclient and the floor -----------------------------------------------------------


def jupyter_path() -> Path:
    """A kernelspec `python3` that runs the kernel environment's Python, found first by
    nbgrader and nbclient (through JUPYTER_PATH)."""
    folder = WORK / "jupyter"
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [kernel_python(), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (kernel-env)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return folder


def nbgrader_install() -> Path:
    """nbgrader in a virtualenv of its own under var/bench/ (once)."""
    stamp = NBGRADER_VENV / f".installed-{NBGRADER_VERSION}"
    if not stamp.exists():
        log(f"installing nbgrader {NBGRADER_VERSION} into {NBGRADER_VENV.relative_to(ROOT)} (once)")
        venv = [sys.executable, "-m", "venv", "--clear", str(NBGRADER_VENV)]
        subprocess.run(venv, check=True, timeout=300)  # noqa: S603 - our own command line
        pip = [str(NBGRADER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"nbgrader=={NBGRADER_VERSION}"], check=True, timeout=1200)  # noqa: S603
        stamp.touch()
    return NBGRADER_VENV / "bin"


# Run by nbgrader's Python: {student: {grade cell: auto score}} of a notebook of an assignment.
GRADEBOOK_SCRIPT = """
import json, sys
from nbgrader.api import Gradebook

notebook, assignment = sys.argv[1:]
scores = {}
with Gradebook("sqlite:///gradebook.db") as gradebook:
    for student in gradebook.students:
        graded = gradebook.find_submission_notebook(notebook, assignment, student.id)
        automatic = [g for g in graded.grades if g.auto_score is not None]
        scores[student.id] = {g.name: g.auto_score for g in automatic}
print(json.dumps(scores))
"""


class NbgraderCourse:
    """A course folder: the lab's source notebook, unchanged, and the learners' notebooks as
    students' submissions of the same assignment."""

    def __init__(self, lab: BenchLab, bin_dir: Path):
        self.lab, self.bin = lab, bin_dir
        self.root = WORK / "nbgrader" / lab.slug
        [self.source] = sorted(lab.folder.glob("*.ipynb"))
        # nbgrader runs `alembic` from the PATH: its virtualenv's comes first.
        path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {**os.environ, "PATH": path, "JUPYTER_PATH": str(jupyter_path())}

    def prepare(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        (self.root / "source" / ASSIGNMENT).mkdir(parents=True)
        (self.root / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f'c.CourseDirectory.course_id = "cultivate-bench"\n'
            f"c.CourseDirectory.root = {str(self.root)!r}\n"
        )
        shutil.copy(self.source, self.root / "source" / ASSIGNMENT / self.source.name)
        for index, data in enumerate(self.lab.notebooks):
            folder = self.root / "submitted" / self.student(index) / ASSIGNMENT
            folder.mkdir(parents=True)
            (folder / self.source.name).write_bytes(data)

    @staticmethod
    def student(index: int) -> str:
        return f"s{index:03d}"

    def nbgrader(self, *args: str, timeout: float) -> None:
        result = subprocess.run(  # noqa: S603 - our own command line
            [str(self.bin / "nbgrader"), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise SystemExit(
                f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
            )

    def autograde_all(self) -> tuple[float, float]:
        """A fresh gradebook, the assignment generated (untimed), then `nbgrader autograde`
        of every submission, timed: (wall seconds, machine CPU seconds)."""
        for name in ("autograded", "release", "feedback"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        (self.root / "gradebook.db").unlink(missing_ok=True)
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force", timeout=300)
        cpu, started = common.cpu_busy_seconds(), time.perf_counter()
        self.nbgrader(
            "autograde", ASSIGNMENT, "--force", timeout=120 + 30 * len(self.lab.notebooks)
        )
        return time.perf_counter() - started, common.cpu_busy_seconds() - cpu

    def autograde_one(self, index: int) -> float:
        started = time.perf_counter()
        self.nbgrader(
            "autograde", ASSIGNMENT, "--force", "--student", self.student(index), timeout=300
        )
        return time.perf_counter() - started

    def auto_points(self) -> dict[int, dict[str, float]]:
        """Each notebook's points per autograded test, from nbgrader's gradebook."""
        result = subprocess.run(  # noqa: S603 - our own command line
            [str(self.bin / "python"), "-c", GRADEBOOK_SCRIPT, self.source.stem, ASSIGNMENT],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return {int(student[1:]): points for student, points in json.loads(result.stdout).items()}


def nbclient_run(cell_lists: list[list[str]]) -> tuple[list[float], float]:
    """Each notebook in a fresh kernel, one after the other: (seconds each, machine CPU)."""
    os.environ["JUPYTER_PATH"] = str(jupyter_path())
    folder = WORK / "nbclient"
    folder.mkdir(parents=True, exist_ok=True)
    times, cpu = [], common.cpu_busy_seconds()
    for cells in cell_lists:
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(code) for code in cells]
        )
        started = time.perf_counter()
        client = NotebookClient(
            notebook,
            timeout=60,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up warnings
        times.append(time.perf_counter() - started)
    return times, common.cpu_busy_seconds() - cpu


def floor_run(cell_lists: list[list[str]]) -> tuple[list[float], list[float]]:
    result = subprocess.run(  # noqa: S603 - our own command line
        [kernel_python(), str(ROOT / "bench" / "grading_floor.py")],
        input=json.dumps(cell_lists),
        capture_output=True,
        text=True,
        timeout=60 + 30 * len(cell_lists),
        cwd=WORK,
    )
    if result.returncode != 0:
        raise SystemExit(f"the floor's runner failed:\n{result.stderr[-3000:]}")
    times = json.loads(result.stdout)
    return times["wall"], times["cpu"]


def wait_quiet(*, settle: float = 0.5, longest: float = 2.0, busy_cores: float = 0.3) -> None:
    """Idle workers: let the last run's clean-up finish and the machine settle (at most
    `longest` seconds more, for a machine others are using too)."""
    time.sleep(settle)
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = common.cpu_busy_seconds()
        time.sleep(0.25)
        if (common.cpu_busy_seconds() - before) / 0.25 < busy_cores:
            return


# --- One round ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """One tool on one lab in one round."""

    count: int = 0
    seconds: float = 0.0  # wall clock for `count` gradings (throughput)
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0  # CPU seconds for `count` gradings

    @property
    def per_minute(self) -> float:
        return 60 * self.count / self.seconds if self.seconds else math.nan

    @property
    def cpu_each(self) -> float:
        return self.cpu / self.count if self.count else math.nan


def cultivate_burst(
    api: Api, pipeline: "Pipeline", lab: BenchLab
) -> tuple[Figures, list[Submitted], dict]:
    """All N uploaded at once, then polled until graded; and where the time went."""
    n = len(lab.notebooks)
    learners = [lab.next_learner() for _ in range(n)]
    parts, cpu = cpu_by_part(pipeline), common.cpu_busy_seconds()
    with ThreadPoolExecutor(UPLOADERS) as pool:
        subs = list(
            pool.map(lambda i: submit(api, lab.slug, learners[i], i, lab.notebooks[i]), range(n))
        )
    wait_for_results(api, subs, timeout=120 + 5 * n, gap=BURST_POLL_GAP, sweep=BURST_SWEEP)
    cpu = common.cpu_busy_seconds() - cpu
    after = cpu_by_part(pipeline)
    where = {part: (after[part] - parts[part]) / n for part in PARTS}
    where["other"] = cpu / n - sum(where.values())
    where |= stages(subs)
    first, last = min(s.started for s in subs), max(s.graded_at for s in subs)
    return Figures(n, last - first, [s.latency for s in subs], cpu), subs, where


def stages(subs: list[Submitted]) -> dict[str, float]:
    """Medians per submission of each stage, from the rows' own times and telemetry: the
    upload, the wait in the queue, the kernel's start and stop, the cells, and the rest of the
    worker's part (judging, the feedback notebook, storing)."""
    rows = Submission.objects.filter(pk__in=[s.id for s in subs]).values(
        "pk", "created_at", "started_at", "graded_at", "telemetry"
    )
    uploads = {s.id: s.uploaded - s.started for s in subs}
    found = {key: [] for key in ("upload", "queue", "kernel", "cells", "judging", "run")}
    for row in rows:
        run = row["telemetry"].get("seconds", 0.0)
        cells = sum(row["telemetry"].get("cells", []))
        found["upload"].append(uploads[row["pk"]])
        found["queue"].append((row["started_at"] - row["created_at"]).total_seconds())
        found["kernel"].append(run - cells)
        found["cells"].append(cells)
        found["judging"].append((row["graded_at"] - row["started_at"]).total_seconds() - run)
        found["run"].append(run)
    medians = {key: median(values) for key, values in found.items()}
    # A run five times as long as the median (and over 2 s) stalled somewhere: say so.
    slow = [run for run in found["run"] if run > max(2.0, 5 * medians["run"])]
    return medians | {"slow runs": sorted(round(run, 1) for run in slow)}


def cultivate_idle(api: Api, lab: BenchLab, indices: list[int]) -> tuple[list[float], list[float]]:
    """(upload → result stored, upload → seen by the learner's poll) for each."""
    stored, seen = [], []
    for index in indices:
        wait_quiet()
        sub = submit(api, lab.slug, lab.next_learner(), index, lab.notebooks[index])
        wait_for_results(api, [sub], timeout=120, gap=0.0, sweep=IDLE_POLL)
        stored.append(sub.latency)
        seen.append(sub.seen - sub.started)
    return stored, seen


def subset(count: int, per_round: int, round_number: int) -> list[int]:
    return [(round_number * per_round + k) % count for k in range(per_round)]


def check_grades(lab: BenchLab, subs: list[Submitted], nbgrader_points: dict | None) -> dict:
    """Cultivate graded for real: every correct notebook gets every automatic point, and on
    the reference lab every test's points are nbgrader's."""
    failed = sum(s.status == "failed" for s in subs)
    full = [s for s in subs if lab.correct[s.index]]
    short = [s.index for s in full if sum(s.auto_points.values()) < s.auto_max]
    check = {"failed": failed, "correct_not_full": short}
    if nbgrader_points is not None:
        agree = sum(
            all(nbgrader_points.get(s.index, {}).get(k) == v for k, v in s.auto_points.items())
            and set(nbgrader_points.get(s.index, {})) == set(s.auto_points)
            for s in subs
        )
        check["agree_with_nbgrader"] = f"{agree}/{len(subs)}"
    if failed or short or (nbgrader_points is not None and agree != len(subs)):
        log(f"WARNING {lab.slug}: grades look wrong: {check}")
    return check


# --- Report -------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def fmt(value: float) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def seconds(value: float) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.2f} s" if value >= 0.1 else f"{1000 * value:.1f} ms"


def ratio(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2f}×"


KEYS = ("per_minute", "x_nbgrader", "x_nbclient", "p50", "p95", "cpu_each")


def report(labs: list[BenchLab], args, started: float) -> str:
    lines = [
        f"{args.n} notebooks per lab, {args.rounds} round(s), {os.cpu_count()} cores, "
        f"sandbox required (bubblewrap); medians over rounds; the run took "
        f"{(time.monotonic() - started) / 60:.1f} min.",
        "",
        "| lab | how | graded / min | × nbgrader | × nbclient | latency p50 | latency p95 "
        "| CPU / submission |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lab in labs:
        for name, row in summarise(lab).items():
            value = {key: row.get(key, math.nan) for key in KEYS}
            lines.append(
                f"| {lab.slug} | {name} | {fmt(value['per_minute'])} "
                f"| {ratio(value['x_nbgrader'])} | {ratio(value['x_nbclient'])} "
                f"| {seconds(value['p50'])} | {seconds(value['p95'])} "
                f"| {seconds(value['cpu_each'])} |"
            )
    lines += [
        "",
        "Where a burst's time goes, per submission (medians over rounds): wall-clock stages, "
        "then CPU seconds by part of the pipeline.",
        "",
        "| lab | upload | queued | kernel start + stop | cells | judging + storing "
        "| CPU: web | worker | sandbox | PostgreSQL | Redis | this script | other |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    stages_ = ("upload", "queue", "kernel", "cells", "judging", *PARTS, "other")
    for lab in labs:
        where = {key: median([w[key] for w in lab.where]) for key in stages_}
        lines.append(f"| {lab.slug} | " + " | ".join(seconds(where[k]) for k in stages_) + " |")
    lines.append("")
    for lab in labs:
        seen = lab.idle_seen
        lines.append(
            f"{lab.slug}, one at a time: upload → result seen by the learner's poll (every "
            f"{1000 * IDLE_POLL:.0f} ms) p50 {common.percentile(seen, 0.5):.2f} s, "
            f"p95 {common.percentile(seen, 0.95):.2f} s; grades checked: {lab.checks}; sandboxed "
            f"runs of the bursts that stalled: {[w['slow runs'] for w in lab.where]} s."
        )
    return "\n".join(lines)


def summarise(lab: BenchLab) -> dict[str, dict]:
    """Medians over rounds; each tool's throughput as a ratio to nbgrader's and nbclient's of
    the same round, then the median of those ratios."""
    per_round = lab.figures

    def ratio_to(tool: str, base: str) -> float:
        if not per_round[base]:
            return math.nan
        pairs = zip(per_round[tool], per_round[base], strict=True)
        return median([mine.per_minute / theirs.per_minute for mine, theirs in pairs])

    def row(tool: str) -> dict:
        figures = per_round[tool]
        timed = [f for f in figures if f.latencies]
        return {
            "per_minute": median([f.per_minute for f in figures]),
            "x_nbgrader": ratio_to(tool, "nbgrader"),
            "x_nbclient": ratio_to(tool, "nbclient"),
            "p50": median([common.percentile(f.latencies, 0.5) for f in timed]),
            "p95": median([common.percentile(f.latencies, 0.95) for f in timed]),
            "cpu_each": median([f.cpu_each for f in figures]),
        }

    def spread(values: list[float]) -> dict:
        return {"p50": common.percentile(values, 0.5), "p95": common.percentile(values, 0.95)}

    n = len(lab.notebooks)
    rows = {}
    if per_round["nbgrader"]:
        rows[f"nbgrader autograde, {n} notebooks in one run"] = row("nbgrader")
        rows[f"nbgrader autograde, one notebook alone ({len(lab.nbgrader_alone)})"] = spread(
            lab.nbgrader_alone
        )
    rows[f"**Cultivate, a burst of {n} through the API**"] = row("cultivate")
    idle = f"**Cultivate, one at a time on idle workers ({len(lab.idle_stored)})**"
    rows[idle] = spread(lab.idle_stored)
    each = per_round["nbclient"][0].count
    rows[f"nbclient, a fresh kernel each ({each} a round)"] = row("nbclient")
    rows[f"floor: the same cells in a warm interpreter ({each} a round)"] = row("floor")
    return rows


# --- Main ---------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100, help="notebooks per lab (default 100)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, alternating (default 2)")
    parser.add_argument(
        "--labs",
        default=",".join(DEFAULT_LABS),
        help=f"comma-separated slugs (default {','.join(DEFAULT_LABS)}; nbgrader grades "
        f"{REFERENCE} only)",
    )
    parser.add_argument(
        "--nbclient", type=int, default=12, help="notebooks through nbclient, in all"
    )
    parser.add_argument("--idle", type=int, default=10, help="submissions on idle workers, in all")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke check: -n 20 --rounds 1, fewer"
    )
    args = parser.parse_args()
    if args.quick:
        args.n, args.rounds, args.nbclient, args.idle = 20, 1, 4, 4
    args.labs = [slug.strip() for slug in args.labs.split(",") if slug.strip()]
    unknown = [slug for slug in args.labs if slug not in LAB_FOLDERS]
    if unknown:
        parser.error(f"no such lab: {', '.join(unknown)} (one of {', '.join(LAB_FOLDERS)})")
    return args


def run(args, started: float) -> str:
    cores = os.cpu_count() or 1
    labs = [BenchLab(slug, LAB_FOLDERS[slug]) for slug in args.labs]
    nbgrader_bin = nbgrader_install() if REFERENCE in args.labs else None
    log(f"fresh database {DATABASE}, Redis databases 8 and 9")
    common.fresh_database(DATABASE)
    reset_redis()
    import_labs(labs)
    idle_each = math.ceil(args.idle / args.rounds)
    tokens = create_learners(cores + (args.n + idle_each) * args.rounds)
    connections.close_all()

    with Pipeline(cores) as pipeline:
        log(f"gunicorn on {pipeline.url}, a worker with {cores} processes; making the notebooks")
        api = Api(pipeline.url)
        for lab in labs:
            lab.tokens = list(reversed(tokens))
            release = api.get_json(f"/api/labs/{lab.slug}/notebook/", tokens[0])
            make_notebooks(lab, release, args.n)
            if lab.slug == REFERENCE and nbgrader_bin:
                lab.course = NbgraderCourse(lab, nbgrader_bin)
                lab.course.prepare()
        connections.close_all()
        log("warming up: one submission per worker process and lab")
        for lab in labs:
            subs = [
                submit(api, lab.slug, lab.next_learner(), i, lab.notebooks[i]) for i in range(cores)
            ]
            wait_for_results(api, subs, timeout=300, gap=0.05, sweep=0.2)
        for round_number in range(args.rounds):
            for lab in labs:
                one_round(api, pipeline, lab, args, round_number)

    table = report(labs, args, started)
    save(args, labs, table)
    return table


def one_round(api: Api, pipeline: "Pipeline", lab: BenchLab, args, round_number: int) -> None:
    """nbgrader (the reference lab), Cultivate's burst, nbclient, the floor and Cultivate on
    idle workers, one after the other."""
    where = f"round {round_number + 1}, {lab.slug}:"
    nbgrader_points = None
    if lab.course:
        log(f"{where} nbgrader autograde of {args.n}")
        wall, cpu = lab.course.autograde_all()
        lab.figures["nbgrader"].append(Figures(args.n, wall, [], cpu))
        nbgrader_points = lab.course.auto_points()
        wait_quiet()
        lab.nbgrader_alone.append(lab.course.autograde_one(round_number % args.n))
        log(f"  {60 * args.n / wall:.1f} graded/min; one alone {lab.nbgrader_alone[-1]:.2f} s")

    log(f"{where} Cultivate, a burst of {args.n}")
    wait_quiet()
    burst, subs, breakdown = cultivate_burst(api, pipeline, lab)
    lab.figures["cultivate"].append(burst)
    lab.where.append(breakdown)
    lab.checks = check_grades(lab, subs, nbgrader_points)
    if breakdown["slow runs"]:
        log(f"  {len(breakdown['slow runs'])} sandboxed runs stalled: {breakdown['slow runs']} s")
    p50 = common.percentile(burst.latencies, 0.5)
    log(f"  {burst.per_minute:.1f} graded/min, p50 {p50:.2f} s, {burst.cpu_each:.2f} CPU s each")

    indices = subset(args.n, math.ceil(args.nbclient / args.rounds), round_number)
    log(f"{where} nbclient and the floor, {len(indices)} notebooks")
    cells = [lab.grading_cells[i] for i in indices]
    times, cpu = nbclient_run(cells)
    lab.figures["nbclient"].append(Figures(len(times), sum(times), times, cpu))
    wall, cpu_each = floor_run(cells)
    lab.figures["floor"].append(Figures(len(wall), sum(wall), wall, sum(cpu_each)))

    indices = subset(args.n, math.ceil(args.idle / args.rounds), round_number)
    log(f"{where} Cultivate, {len(indices)} one at a time on idle workers")
    stored, seen = cultivate_idle(api, lab, indices)
    lab.idle_stored += stored
    lab.idle_seen += seen
    log(f"  upload → result {', '.join(f'{s:.2f}' for s in stored)} s")


def save(args, labs: list[BenchLab], table: str) -> None:
    raw = {
        "args": vars(args),
        "labs": {
            lab.slug: {
                "rounds": {tool: [vars(f) for f in runs] for tool, runs in lab.figures.items()},
                "idle_stored": lab.idle_stored,
                "idle_seen": lab.idle_seen,
                "nbgrader_alone": lab.nbgrader_alone,
                "checks": lab.checks,
                "where": lab.where,
            }
            for lab in labs
        },
        "table": table,
    }
    (WORK / "last-run.json").write_text(json.dumps(raw, indent=1))


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    # SIGTERM stops the run as Ctrl-C does: the servers are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        table = run(args, started)
    finally:
        connections.close_all()
        reset_redis()
    print(table)


if __name__ == "__main__":
    main()
