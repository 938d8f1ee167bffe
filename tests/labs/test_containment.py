"""Acceptance 3: what learners' code cannot do from inside the sandbox.

Each case runs hostile code through `labs.executor.execute` in the real sandbox (bubblewrap),
checks that it failed with a clear outcome, and, where it makes sense, that a later cell of the
same run still works (the kernel is well). After every run: no process of the run is left (not
even a zombie) and nothing of it in the run directory; the next run working shows the worker is
well. The runs go through the fast executor, as in a grading worker: a kernel forked from the
zygote, whose sandbox (bubblewrap, its init, the zygote) is the one thing that stays between
runs, by design, and is checked to hold no child.

Attribution of processes: other test sessions may be grading in sandboxes on this machine at
the same time, as the same sandbox uid, so "no process of the sandbox uid anywhere" would be
flaky. This module makes the test process a child subreaper instead: anything a run orphans is
re-parented to us rather than to PID 1, so "no sandbox-uid process below us, and no process
anywhere naming our run directory" catches every leftover of our own runs, zombies included.
"""

import contextlib
import ctypes
import json
import os
import shutil
import socket
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from labs import executor
from labs.executor import ExecutionResult, Limits
from tests.conftest import skip_or_fail
from tests.labs.conftest import forked_from_a_zygote

REPO = Path(__file__).resolve().parents[2]
REFERENCE_NOTEBOOK = REPO / "tests/labs/fixtures/reference_lab/reference_stats.ipynb"
HIDDEN_TEST_LINE = "assert mean_of([2.5, 3.5]) == 3.0"  # the reference lab's hidden test

# Generous time limits: a cell that should finish does, however loaded the machine (the tests
# assert outcomes, never durations). Tests of the time limit itself set a short one.
LIMITS = Limits(
    cell_timeout=60,
    total_timeout=300,
    memory_mb=1024,
    cpu_seconds=60,
    processes=64,
    file_size_mb=64,
    output_bytes=200_000,
    tmpfs_mb=256,
    shm_mb=64,
)
# Paths inside the sandbox: its own tmpfs, not the host's.
SANDBOX_TMP = "/tmp"  # noqa: S108
SANDBOX_SHM = "/dev/shm"  # noqa: S108
ALIVE = "print(6 * 7)"  # a later cell of the same run: the kernel still answers

PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture(scope="module", autouse=True)
def _bubblewrap():
    if not executor.bubblewrap_works():
        skip_or_fail("bubblewrap cannot create a sandbox here (Debian: apt-get install bubblewrap)")


@pytest.fixture(scope="module", autouse=True)
def _subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.fail(f"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")
    yield
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    for pid, _ in _sandbox_processes_below_us():  # a failed test's leftovers: reap them
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


@pytest.fixture(scope="module", autouse=True)
def _forked_from_the_zygote(_run_root):
    """As in a grading worker: kernels are forked from this process's zygote (stopped before
    its run folder's root is removed)."""
    with forked_from_a_zygote():
        yield
        assert executor._zygote is not None, "the runs were not forked from a zygote"


@pytest.fixture(scope="module")
def _run_root():
    # Not tmp_path: pytest keeps /tmp/pytest-of-<user> at mode 0700 (and any pytest session
    # starting meanwhile resets it so), but the sandbox user must be able to reach the run
    # directory. A directory of our own, traversable but not listable, removed afterwards. One
    # for the module, so that the zygote (whose sandbox binds it) serves every test.
    root = Path(tempfile.mkdtemp(prefix="cultivate-containment-"))
    root.chmod(0o711)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def run_root(settings, _run_root):
    settings.LABS_RUN_DIR = str(_run_root)
    settings.LABS_SANDBOX = "required"  # never the reduced mode, silently
    return _run_root


@pytest.fixture
def sandbox(run_root):
    """`sandbox(cells, **limits)`: one run, and the proof that it left nothing behind."""

    def run(cells: list[str], **limits) -> ExecutionResult:
        result = executor.execute(list(cells), replace(LIMITS, **limits))
        assert result.sandbox == "bubblewrap"
        assert not result.startup_error, result.startup_error
        assert_nothing_left(run_root)
        return result

    return run


# --- what a run leaves behind ----------------------------------------------------------------


def _processes() -> dict[int, tuple[int, int, str, bytes]]:
    """pid → (parent pid, uid, state, command line), read from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
            uid = entry.stat().st_uid
        except OSError:  # gone meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (int(fields[1]), uid, fields[0], cmdline)
    return found


def _sandbox_processes_below_us() -> list[tuple[int, str]]:
    """Sandbox-uid processes below this one, but this process's zygote sandbox and whatever a
    test session's Celery worker (tests/worker.py) runs: its own zygote, idle between tests."""
    processes = _processes()
    workers = {pid for pid, info in processes.items() if b"celery" in info[3]}
    below, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {
            pid for pid, info in processes.items() if info[0] in frontier and pid not in workers
        } - below
        below |= frontier
    below -= executor.zygote_pids()
    # A root worker runs the sandbox as LABS_SANDBOX_UID; any other as itself.
    uid = django_settings.LABS_SANDBOX_UID if os.geteuid() == 0 else os.getuid()
    return [(pid, processes[pid][2]) for pid in sorted(below) if processes[pid][1] == uid]


def _described(pids: list[tuple[int, str]]) -> list[tuple[int, str, bytes]]:
    processes = _processes()
    return [(pid, state, processes.get(pid, (0, 0, "", b""))[3][:80]) for pid, state in pids]


def assert_nothing_left(run_root: Path) -> None:
    mine = _sandbox_processes_below_us()
    assert not mine, f"sandbox processes left (pid, state): {_described(mine)}"
    zygote = executor._zygote
    if zygote is not None:  # the sandbox that stays: bubblewrap, its init and the zygote
        assert len(executor.zygote_pids()) == 3, executor.zygote_pids()
    naming_run = [
        (pid, info[3][:200])
        for pid, info in _processes().items()
        if str(run_root).encode() in info[3] and pid not in executor.zygote_pids()
    ]
    assert not naming_run, f"processes naming the run directory left: {naming_run}"
    kept = [zygote.run_dir] if zygote is not None else []
    assert list(run_root.iterdir()) == kept, "a run directory was not removed"
    if zygote is not None:
        assert list(zygote.run_dir.iterdir()) == [], "a kernel's directory was not removed"


def assert_alive(result: ExecutionResult, index: int = -1) -> None:
    outcome = result.cells[index]
    # Only the start: with /tmp full, IPython's history thread adds (even between "42" and its
    # newline) that it cannot save the history.
    assert outcome.status == "ok" and outcome.text.startswith("42"), outcome


def stderr_of(outcome) -> str:
    return "".join(o.get("text", "") for o in outcome.outputs if o.get("output_type") == "stream")


# --- processes -------------------------------------------------------------------------------

PYTHON_FORK_BOMB = """\
import os, time
children = []
while True:
    pid = os.fork()
    if pid == 0:
        time.sleep(300)
        os._exit(0)
    children.append(pid)
"""
REAP_CHILDREN = """\
import signal
for pid in children:
    os.kill(pid, signal.SIGKILL)
for pid in children:
    os.waitpid(pid, 0)
print(f"reaped {len(children)}")
"""


def test_python_fork_bomb_stops_at_the_process_limit(sandbox):
    # The cell after the bomb may fail once with "can't start new thread": IPython stops its
    # history thread before every fork and restarts it at the next cell, which the process
    # limit (threads count) refuses while the children live. Its outcome is not asserted.
    result = sandbox([PYTHON_FORK_BOMB, "pass", REAP_CHILDREN, ALIVE])
    bomb = result.cells[0]
    assert bomb.status == "error"
    assert bomb.ename == "BlockingIOError"
    assert "Resource temporarily unavailable" in bomb.evalue  # EAGAIN from fork()
    reaped = result.cells[2]
    assert reaped.status == "ok", reaped
    count = int(reaped.text.split()[1])
    assert 10 <= count < LIMITS.processes  # the limit counts the kernel's threads too
    assert_alive(result)
    assert not result.kernel_died


# The shell returns at once (the bomb runs in the background); its children share the error
# file. No pipe to wait on: the bombs would hold it open as long as they churn. The cell waits
# for the first refusal, however slowly a busy machine lets the bomb grow.
SHELL_FORK_BOMB = """\
import subprocess, time
with open("bomb.err", "w") as err:
    subprocess.run("bomb(){ bomb | bomb & }; bomb", shell=True, stderr=err, timeout=30)
refused = False
for _ in range(300):
    with open("bomb.err") as err:
        refused = "fork" in err.read().lower()
    if refused:
        break
    time.sleep(0.1)
print("refused:", refused)
"""


def test_shell_fork_bomb_stops_at_the_process_limit(sandbox):
    # No clean-up cell: whatever the bomb leaves running is the sandbox's to kill at the end.
    result = sandbox([SHELL_FORK_BOMB, ALIVE])
    bomb = result.cells[0]
    assert (bomb.status, bomb.text) == ("ok", "refused: True\n"), (bomb, stderr_of(bomb))
    assert_alive(result)


# --- memory and time -------------------------------------------------------------------------

MEMORY_BOMB = """\
chunks = []
while len(chunks) < 1024:  # 64 GB, far beyond the 1 GB limit
    chunks.append(bytearray(64 * 1024 * 1024))
"""


def test_memory_bomb_raises_memory_error(sandbox):
    result = sandbox([MEMORY_BOMB, "print(len(chunks) * 64, 'MB')", "del chunks", ALIVE])
    bomb = result.cells[0]
    assert (bomb.status, bomb.ename) == ("error", "MemoryError"), bomb
    held_mb = int(result.cells[1].text.split()[0])
    assert held_mb < LIMITS.memory_mb
    assert_alive(result)
    assert not result.kernel_died


def test_infinite_loop_times_out_and_the_next_cell_runs(sandbox):
    # Short enough for a quick test; the cell after it needs milliseconds of it.
    result = sandbox(["while True:\n    pass", ALIVE], cell_timeout=5)
    loop = result.cells[0]
    assert loop.status == "timeout"
    assert result.limits_hit == ["cell_timeout"]
    assert_alive(result)


# --- network ---------------------------------------------------------------------------------

DNS = "import socket\nsocket.getaddrinfo('pypi.org', 443)"
OUTSIDE = "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3)"
POSTGRES_TCP = "import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=3)"
REDIS_TCP = "import socket\nsocket.create_connection(('127.0.0.1', 6379), timeout=3)"
POSTGRES_SOCKET = (
    "import socket\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "s.connect('/var/run/postgresql/.s.PGSQL.5432')"
)


@pytest.mark.parametrize(
    ("code", "ename", "message"),
    [
        pytest.param(DNS, "gaierror", "", id="dns"),
        pytest.param(OUTSIDE, "OSError", "Network is unreachable", id="outside-address"),
        pytest.param(POSTGRES_TCP, "ConnectionRefusedError", "refused", id="postgres-tcp"),
        pytest.param(REDIS_TCP, "ConnectionRefusedError", "refused", id="redis-tcp"),
        pytest.param(POSTGRES_SOCKET, "FileNotFoundError", "No such file", id="postgres-socket"),
    ],
)
def test_network_is_unreachable(sandbox, code, ename, message):
    result = sandbox([code, ALIVE])
    call = result.cells[0]
    assert (call.status, call.ename) == ("error", ename), call
    assert message in call.evalue
    assert_alive(result)


def test_the_host_services_really_listen():
    """The refusals above mean something only if these answer on the host itself."""
    reachable = []
    for address in [("127.0.0.1", 5432), ("127.0.0.1", 6379)]:
        try:
            socket.create_connection(address, timeout=2).close()
            reachable.append(address[1])
        except OSError:
            pass
    if Path("/var/run/postgresql/.s.PGSQL.5432").exists():
        reachable.append("unix")
    if len(reachable) < 3:
        skip_or_fail(f"PostgreSQL and Redis do not all listen on this host (found {reachable})")


# --- disk ------------------------------------------------------------------------------------

TEN_GB = 10 * 1024  # MB


def one_big_file(path: str) -> str:
    return f"""\
chunk = b"x" * (16 * 1024 * 1024)
with open({path!r}, "wb") as f:
    for _ in range({TEN_GB // 16}):
        f.write(chunk)
"""


def many_files(directory: str) -> str:
    return f"""\
import glob, os
directory = {directory!r}
if "*" in directory:
    [directory] = glob.glob(directory)
chunk = b"x" * (32 * 1024 * 1024)
for n in range({TEN_GB // 32}):
    with open(os.path.join(directory, f"part{{n}}"), "wb") as f:
        f.write(chunk)
"""


@pytest.mark.parametrize(
    ("code", "ename", "message"),
    [
        # RLIMIT_FSIZE (64 MB) ends one file, whatever the room left (Python ignores SIGXFSZ).
        pytest.param(
            one_big_file(f"{SANDBOX_TMP}/big.bin"), "OSError", "File too large", id="one-file"
        ),
        # The sandbox's tmpfs are sized: many files fill them, never the host's memory.
        pytest.param(many_files(SANDBOX_TMP), "OSError", "No space left", id="many-files-tmp"),
        pytest.param(many_files(SANDBOX_SHM), "OSError", "No space left", id="many-files-shm"),
        # Everything else is read-only (bubblewrap's own root and /dev are unsized tmpfs).
        pytest.param(one_big_file("/big.bin"), "OSError", "Read-only", id="root"),
        pytest.param(one_big_file("/dev/big.bin"), "OSError", "Read-only", id="dev"),
        # The run directory is on the host's disk: the sandbox may not write there.
        pytest.param(
            many_files("RUN_DIR"), "PermissionError", "Permission denied", id="run-directory"
        ),
    ],
)
def test_ten_gigabytes_cannot_be_written(sandbox, run_root, code, ename, message):
    if "RUN_DIR" in code and os.geteuid() != 0:
        pytest.skip("only a root worker can take the run directory back from the sandbox user")
    code = code.replace("RUN_DIR", f"{run_root}/cultivate-zygote-*")
    result = sandbox([code, ALIVE])
    write = result.cells[0]
    assert (write.status, write.ename) == ("error", ename), write
    assert message in write.evalue
    assert_alive(result)
    assert not result.kernel_died


# --- output ----------------------------------------------------------------------------------


def kept_bytes(result: ExecutionResult) -> int:
    return sum(len(json.dumps(o)) for cell in result.cells for o in cell.outputs)


@pytest.mark.parametrize("flush", [True, False], ids=["print-flush", "print"])
def test_output_flood_is_capped(sandbox, flush):
    """20 MB printed, fast: the run keeps at most `output_bytes` of it, and says so."""
    cap = LIMITS.output_bytes
    flood = f'for _ in range(2000):\n    print("x" * 10000, flush={flush})\nprint("done")'
    result = sandbox([flood, ALIVE])
    printed, after = result.cells
    assert printed.status == "ok", printed
    assert "output" in result.limits_hit
    assert kept_bytes(result) <= cap + 1_000  # what came before the cap, one note
    if flush:  # 10 kB a message: the cap fills to the brim (unflushed, messages are larger)
        assert cap // 2 < kept_bytes(result)
    assert "[output limit reached: the rest is cut]" in stderr_of(printed)
    assert_alive(result)  # what the cap drops is what does not fit: small outputs still do


@pytest.mark.parametrize(
    "code",
    [
        # The kernel buffers stdout between flushes; this loop outgrows the memory limit first.
        pytest.param('while True:\n    print("x" * 10000)', id="print"),
        # Flushed: the worker receives it all, keeps up to the cap, drops the rest as it comes.
        pytest.param('while True:\n    print("x" * 10000, flush=True)', id="print-flush"),
    ],
)
def test_endless_output_flood_ends_and_is_capped(sandbox, code):
    # Whichever way it ended (the time limit, or the memory limit when the kernel buffers faster
    # than it sends) and however much reached the worker before (that depends on the machine's
    # load), the run says so, keeps at most the cap, and goes on with the next cell.
    result = sandbox([code, ALIVE], cell_timeout=5)
    flood = result.cells[0]
    assert (flood.status, flood.ename) in {("error", "MemoryError"), ("timeout", "")}, flood
    assert ("cell_timeout" in result.limits_hit) == (flood.status == "timeout")
    assert kept_bytes(result) <= LIMITS.output_bytes + 1_000
    if flood.truncated:  # (a timed-out cell's outputs are not kept: only the report says so)
        assert "output" in result.limits_hit
    assert_alive(result)


# --- secrets ---------------------------------------------------------------------------------

READ_ENVIRONMENTS = """\
import json, os
seen = {"kernel": dict(os.environ)}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            raw = open(f"/proc/{pid}/environ", "rb").read()
        except OSError as exc:
            seen[pid] = str(exc)
            continue
        seen[pid] = dict(v.split("=", 1) for v in raw.decode().split("\\0") if "=" in v)
print(json.dumps(seen))
"""
# What ipykernel adds for its own display (ipykernel/kernelapp.py), the shell's PWD, and what
# scikit-learn sets as it is imported (the zygote preloads it; a lab that imports it does too).
KERNEL_ADDED = {
    "KMP_DUPLICATE_LIB_OK",
    "KMP_INIT_AT_FORK",
    "PWD",
    "PYDEVD_USE_FRAME_EVAL",
    "TERM",
    "CLICOLOR",
    "FORCE_COLOR",
    "CLICOLOR_FORCE",
    "PAGER",
    "GIT_PAGER",
}


def test_environment_holds_no_secrets(sandbox, monkeypatch):
    secret_key = f"django-insecure-{os.urandom(8).hex()}"
    database_url = f"postgres://cultivate:{os.urandom(8).hex()}@127.0.0.1:5432/cultivate"
    monkeypatch.setenv("SECRET_KEY", secret_key)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CULTIVATE_CANARY_TOKEN", "canary-in-the-worker")
    result = sandbox([READ_ENVIRONMENTS, ALIVE])
    read = result.cells[0]
    assert read.status == "ok", read
    seen = json.loads(read.text)
    everything = read.text
    for secret in (secret_key, database_url, "canary-in-the-worker", str(REPO)):
        assert secret not in everything
    worker_only = set(os.environ) - set(executor._sandbox_environment()) - KERNEL_ADDED
    # The kernel's own environment: the sandbox's small set, nothing of the worker's.
    kernel = seen.pop("kernel")
    assert set(kernel) <= set(executor._sandbox_environment()) | KERNEL_ADDED, kernel
    assert kernel["HOME"] == SANDBOX_TMP and kernel["USER"] == "learner"
    # Every other process it can see (bubblewrap's PID 1 above all: what it was started with).
    assert len(seen) >= 2
    for pid, environment in seen.items():
        if isinstance(environment, dict):
            leaked = set(environment) & worker_only
            assert not leaked, f"process {pid} shows the worker's {sorted(leaked)}"
    assert_alive(result)


# --- files -----------------------------------------------------------------------------------

SEARCH = """\
import json, os
needles = [bytes.fromhex(h) for h in {needles!r}]  # not literally in this cell's source
paths = {paths!r}
visible = {{p: os.path.exists(p) for p in paths}}
TEXT = (".ipynb", ".py", ".json", ".txt", ".md", ".sqlite3", ".sqlite", ".db", ".toml",
        ".yaml", ".yml", ".cfg", ".ini", ".html", ".log")
found, names, read = [], 0, 0
for root, dirs, files in os.walk("/"):
    if root == "/":
        dirs[:] = [d for d in dirs if d not in ("proc", "sys")]
    for name in files:
        names += 1
        path = os.path.join(root, name)
        if "reference_stats" in name or name.endswith(".ipynb"):
            found.append(path)
        # The OS image (/usr, 6 GB) is searched where text lives; everything else in full.
        if root.startswith("/usr/") and not name.endswith(TEXT):
            continue
        try:
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    if any(n in tail + chunk for n in needles):
                        found.append(path)
                        break
                    tail = chunk[-200:]
            read += 1
        except OSError:
            pass
print(json.dumps({{"visible": visible, "found": found, "names": names, "read": read}}))
"""


def test_filesystem_holds_no_tests_or_solutions(sandbox):
    assert HIDDEN_TEST_LINE in REFERENCE_NOTEBOOK.read_text()  # the needle is the real one
    needles = [HIDDEN_TEST_LINE, "statistics.stdev(values)", "BEGIN HIDDEN TESTS"]
    host_paths = [
        str(REPO / "tests"),
        str(REFERENCE_NOTEBOOK),
        str(REPO / "labs"),
        str(REPO / "core" / "settings.py"),
        str(Path(django_settings.VAR_DIR) / "cultivate.sqlite3"),
        "/root",
        "/home",
        "/etc/postgresql",
        "/etc/passwd",
        "/var/run/postgresql",
        "/var/lib",
    ]
    assert any(Path(p).exists() for p in host_paths[:3])  # they do exist outside
    code = SEARCH.format(needles=[n.encode().hex() for n in needles], paths=host_paths)
    result = sandbox([code, ALIVE], cell_timeout=240)  # a walk of the whole filesystem
    search = result.cells[0]
    assert search.status == "ok", search
    report = json.loads(search.text)
    assert report["visible"] == dict.fromkeys(host_paths, False)
    assert report["found"] == []
    assert report["names"] > 10_000 and report["read"] > 1_000  # it did look
    assert_alive(result)


def test_after_all_that_a_fresh_run_works(sandbox):
    """The worker is well: a new sandbox starts and runs normally."""
    result = sandbox(["import math\nprint(math.factorial(5))", ALIVE])
    assert [c.status for c in result.cells] == ["ok", "ok"]
    assert result.cells[0].text == "120\n"


def test_a_display_the_notebook_format_refuses_is_dropped_and_the_run_goes_on(sandbox):
    """A dict under a MIME type that is not JSON made nbformat raise in the worker."""
    result = sandbox(
        [
            "from IPython.display import display\n"
            "display({'application/x-cheat': {'score': 100}}, raw=True)\nprint('after')",
            ALIVE,
        ]
    )
    assert result.cells[0].status == "ok", result.cells[0]
    assert "does not allow" in stderr_of(result.cells[0])
    assert result.cells[0].text == "after\n"
    assert_alive(result)


# --- the zygote: one warm interpreter per worker, a fork per run (issue 13) -----------------

# Run 1 leaves everything it can behind: a variable, a module it changed (one the zygote
# preloaded, too), a monkeypatched builtin, a module of its own in sys.modules, an environment
# variable, files in its working folder, /tmp and /dev/shm, a System V shared memory segment,
# and a process of its own that left its session.
LEAVE_TRACES = f"""\
import builtins, ctypes, os, statistics, subprocess, sys, types
import numpy
secret = "left by run 1"
statistics.mean = lambda data: -1
numpy.mean = lambda *args, **kwargs: -1
builtins.left_by_run_1 = True
sys.modules["left_by_run_1"] = types.ModuleType("left_by_run_1")
os.environ["LEFT_BY_RUN_1"] = "1"
for folder in (".", "{SANDBOX_TMP}", "{SANDBOX_SHM}"):
    with open(os.path.join(folder, "trace.txt"), "w") as f:
        f.write("left by run 1")
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(0x5EC2E7, 4096, 0o1666)  # IPC_CREAT | 0666
print("segment", segment >= 0)
subprocess.Popen(["sleep", "300"], start_new_session=True)
print("random", numpy.random.rand())
"""
LOOK_FOR_TRACES = f"""\
import builtins, ctypes, os, statistics, sys
import numpy
found = []
if "secret" in globals():
    found.append("variable")
if statistics.mean([1, 3]) != 2 or numpy.mean([1, 3]) != 2:
    found.append("module")
if hasattr(builtins, "left_by_run_1"):
    found.append("builtin")
if "left_by_run_1" in sys.modules:
    found.append("sys.modules")
if "LEFT_BY_RUN_1" in os.environ:
    found.append("environment")
for folder in (".", "{SANDBOX_TMP}", "{SANDBOX_SHM}"):
    if os.path.exists(os.path.join(folder, "trace.txt")):
        found.append(folder)
if ctypes.CDLL(None).shmget(0x5EC2E7, 0, 0) >= 0:
    found.append("shared memory")
ps = [p for p in os.listdir("/proc") if p.isdigit()]
if any("sleep" in open(f"/proc/{{p}}/cmdline").read() for p in ps):
    found.append("process")
print("found:", found)
print("random", numpy.random.rand())
"""


def zygote_pid() -> int:
    return executor._zygote.process.pid


def test_two_runs_forked_from_one_zygote_share_nothing(sandbox):
    first = sandbox([LEAVE_TRACES])
    assert first.cells[0].status == "ok", first.cells[0]
    assert "segment True" in first.cells[0].text
    zygote = zygote_pid()

    second = sandbox([LOOK_FOR_TRACES])

    assert zygote_pid() == zygote  # the same zygote forked both
    assert second.cells[0].status == "ok", second.cells[0]
    assert "found: []\n" in second.cells[0].text
    # Each fork draws its own random state, as a fresh interpreter does.
    random = [line for r in (first, second) for line in r.cells[0].text.splitlines()]
    assert len({line for line in random if line.startswith("random")}) == 2


def test_a_kernel_killed_mid_run_leaves_the_next_run_graded(sandbox):
    sandbox([ALIVE])
    zygote = zygote_pid()
    dying = sandbox(["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", ALIVE])
    assert dying.kernel_died
    assert dying.cells[1].status == "not_run"

    after = sandbox([ALIVE])

    assert_alive(after)
    assert zygote_pid() == zygote  # the zygote reaped it and goes on


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("os.kill(os.getppid(), signal.SIGKILL)", id="kills-the-zygote"),
        pytest.param("os.kill(-1, signal.SIGKILL)", id="kills-everything-it-may"),
    ],
)
def test_a_kernel_that_kills_the_zygote_leaves_the_next_run_graded(sandbox, code):
    sandbox([ALIVE])
    zygote = zygote_pid()
    # The kernel dies with the zygote's sandbox (its PID namespace goes with the zygote), a
    # moment after its cell: the next cell sees it.
    dying = sandbox([f"import os, signal\n{code}", "import time\ntime.sleep(5)", ALIVE])
    assert dying.kernel_died
    assert dying.cells[-1].status == "not_run"

    after = sandbox([ALIVE])

    assert_alive(after)
    assert zygote_pid() != zygote  # a new zygote, in a new sandbox


def test_a_kernel_that_stops_the_zygote_leaves_the_next_run_graded(sandbox, monkeypatch):
    monkeypatch.setattr(executor, "ZYGOTE_WAIT", 2.0)
    sandbox([ALIVE])
    zygote = zygote_pid()
    stopped = sandbox(["import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)", ALIVE])
    assert_alive(stopped)  # the run itself is not the zygote's business

    after = sandbox([ALIVE])  # the stopped zygote did not clean up: it was replaced

    assert_alive(after)
    assert zygote_pid() != zygote


ZYGOTE_IS_CLOSED = """\
import ctypes, json, os
zygote = os.getppid()
report = {}
for name in ("mem", "environ", "fd/0", "fd/1", "maps"):
    try:
        open(f"/proc/{zygote}/{name}", "rb").read(1)
        report[name] = "read"
    except OSError as exc:
        report[name] = type(exc).__name__
libc = ctypes.CDLL(None, use_errno=True)
attached = libc.ptrace(16, zygote, None, None)  # PTRACE_ATTACH
report["ptrace"] = "attached" if attached == 0 else os.strerror(ctypes.get_errno())
print(json.dumps(report))
"""


def test_a_kernel_cannot_read_write_or_trace_the_zygote(sandbox):
    result = sandbox([ZYGOTE_IS_CLOSED])
    report = json.loads(result.cells[0].text)
    assert "read" not in report.values(), report
    assert report["ptrace"] == "Operation not permitted", report


def test_each_run_forked_from_one_zygote_has_its_own_limits(sandbox):
    show = (
        "import resource\n"
        "print(resource.getrlimit(resource.RLIMIT_NPROC)[0], "
        "resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)"
    )
    first = sandbox([show], processes=32, memory_mb=1024)
    zygote = zygote_pid()
    second = sandbox([show], processes=48, memory_mb=768)

    assert zygote_pid() == zygote
    nproc_1, memory_1 = map(int, first.cells[0].text.split())
    nproc_2, memory_2 = map(int, second.cells[0].text.split())
    assert (nproc_1, nproc_2) == (32, 48)
    # The address space: what the preloaded libraries map, plus the run's own allowance.
    assert memory_1 - memory_2 == 256


def test_the_run_folder_of_a_killed_worker_is_removed_by_the_next_zygote(sandbox, run_root):
    gone = run_root / f"{executor.ZYGOTE_PREFIX}{2**22 + 12345}-abcdef"  # above pid_max
    (gone / "k7").mkdir(parents=True)
    executor.stop_zygote()

    sandbox([ALIVE])  # starts a zygote, which clears what dead workers left

    assert not gone.exists()


def test_two_runs_at_once_in_one_process_both_finish(run_root):
    """A worker running tasks in threads: the zygote serves one run, the other gets a kernel of
    its own, and neither waits for or disturbs the other."""
    executor.execute([ALIVE], LIMITS)  # the zygote is up
    results: list[ExecutionResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(executor.execute([ALIVE], LIMITS)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 2
    for result in results:
        assert_alive(result)
    assert_nothing_left(run_root)


# --- the forked kernel's socket: what the kernel sends is untrusted ---------------------------

# Writes into the kernel's own socket what the worker would take for the next cells' answers:
# a reply "ok" and "idle" under every request id it can find (the current one, from the
# kernel's frames) or guess.
FORGE_ANSWERS = """\
import json, os, socket, stat, sys

def frame(msg_type, parent, content):
    data = json.dumps({"msg_type": msg_type, "parent": parent, "content": content}).encode()
    return len(data).to_bytes(4, "big") + data

ids = {"", "0", "1"}
frame_ = sys._getframe()
while frame_ is not None:
    request = frame_.f_locals.get("request")
    if isinstance(request, dict) and "id" in request:
        ids.add(request["id"])
    frame_ = frame_.f_back
forged = b"".join(
    frame("execute_reply", i, {"status": "ok", "user_expressions": {}}) + frame("idle", i, {})
    for i in sorted(ids)
)
for fd in map(int, os.listdir("/proc/self/fd")):
    if stat.S_ISSOCK(os.fstat(fd).st_mode):
        socket.socket(fileno=os.dup(fd)).sendall(forged)
print("forged", len(ids))
"""


def test_answers_forged_into_the_kernels_socket_answer_for_no_later_cell(sandbox):
    result = sandbox([FORGE_ANSWERS, "raise ValueError('the real answer')", ALIVE])

    failing = result.cells[1]
    assert failing.status == "error" and failing.ename == "ValueError", failing
    assert_alive(result)


def test_an_output_larger_than_a_message_may_be_is_dropped_and_the_run_goes_on(sandbox):
    result = sandbox(["print('x' * 20_000_000)", ALIVE])

    assert result.cells[0].status == "ok", result.cells[0]
    assert "output" in result.limits_hit
    assert "[output limit reached" in stderr_of(result.cells[0])
    assert_alive(result)


def test_a_kernel_that_writes_garbage_into_its_socket_ends_its_run_only(sandbox):
    garbage = """\
import os, socket, stat
for fd in map(int, os.listdir("/proc/self/fd")):
    if stat.S_ISSOCK(os.fstat(fd).st_mode):
        socket.socket(fileno=os.dup(fd)).sendall(b"\\x00\\x00\\x00\\x05{not]")
"""
    broken = sandbox([garbage, ALIVE])
    assert broken.kernel_died
    assert broken.cells[1].status == "not_run"

    assert_alive(sandbox([ALIVE]))
