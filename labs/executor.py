"""Run code cells in a fresh, sandboxed IPython kernel and report what happened, nothing more.

The narrow interface (DESIGN.md, "The life of a lab submission", step 3): `execute(cells,
limits)` takes the code of each cell and returns one `CellOutcome` per cell: the kernel's
execute reply, errors, capped outputs, timing. It knows nothing about labs, tests or scores;
judging happens in `labs.judge`, outside the sandbox.

Two ways to get the kernel, the same sandbox around both: in a grading worker, a fork of the
worker's zygote (`labs/zygote.py`: one warm interpreter per worker process, IPython's shell and
the labs' libraries made and imported once, talking to the worker over one socket; see "the
zygote" below); elsewhere (a web process validating an import) or when the zygote cannot
start, an ipykernel process of its own, driven by nbclient over Jupyter's protocol.

Isolation (bubblewrap): every namespace unshared (no network, own PIDs, own IPC), a read-only view
of /usr and the kernel's Python environment only, a private tmpfs as working directory, an empty
environment, `--die-with-parent`, an unprivileged uid (the worker drops to LABS_SANDBOX_UID
before starting the sandbox when it runs as root), and rlimits set inside the sandbox on address
space, CPU seconds, processes, file size and open files. The kernel talks to the worker over IPC
sockets in a private run directory (no TCP port exists in the sandbox's network namespace).
Without bubblewrap, LABS_SANDBOX=auto falls back to a loudly announced reduced-isolation mode
(rlimits, empty environment, temporary directory); LABS_SANDBOX=required refuses to run.
"""

import asyncio
import atexit
import contextlib
import json
import logging
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from queue import Empty

import nbformat
import zmq
import zmq.asyncio
from django.conf import settings
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.kernelspec import KernelSpec
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import ValidationError
from nbformat.validator import NotebookValidationError
from traitlets import Type, Unicode

logger = logging.getLogger(__name__)

SEALED_MIME = "application/vnd.cultivate.sealed+json"
# Plain tracebacks (see labs/zygote.py, which makes its shell the same way).
KERNEL_ARGUMENTS = ("--InteractiveShell.xmode=Plain",)
PROBE_KEY = "cultivate_probe"  # the name of the probe among the request's user_expressions
MAX_PROBE_BYTES = 64 * 1024
REPLY_TURNS = 20  # turns of the event loop a reply already received gets to be read (see below)
POLL_SLICE = 0.25  # seconds between two looks at a channel that seems quiet (`PolledChannel`)
WELCOME_WAIT = 2.0  # seconds a kernel that answered gets to say IOPub is connected
INTERRUPT_WAIT = 10.0  # seconds a timed-out cell gets to stop, at least (see `_interrupt`)


class SandboxUnavailable(RuntimeError):
    """Raised when LABS_SANDBOX=required and bubblewrap cannot be used on this machine."""


class NoReply(Exception):  # noqa: N818 - an outcome, like nbclient's DeadKernelError
    """The kernel went idle after a cell without ever sending the cell's execute reply.

    ipykernel always replies unless its own request handler raised: something in the kernel
    replaced part of the shell's execution path with one that returns no usable result.
    """


@dataclass(frozen=True)
class Limits:
    cell_timeout: float = 30.0  # seconds of wall time per cell
    total_timeout: float = 300.0  # seconds of wall time for the whole run
    memory_mb: int = 1024  # address space of each sandboxed process
    cpu_seconds: int = 300  # CPU time of each sandboxed process
    processes: int = 64
    file_size_mb: int = 64
    open_files: int = 256
    output_bytes: int = 1_000_000  # all outputs of the run together
    tmpfs_mb: int = 256
    shm_mb: int = 64  # /dev/shm (POSIX shared memory, multiprocessing's semaphores)
    startup_timeout: float = 60.0


@dataclass
class CellOutcome:
    status: str = "not_run"  # ok | error | timeout | no_reply | dead | not_run
    ename: str = ""
    evalue: str = ""
    outputs: list = field(default_factory=list)  # nbformat output dicts, capped
    duration: float = 0.0
    reply_status: str = ""  # what the kernel's execute reply said ("ok", "error", "aborted")
    truncated: bool = False  # some of its outputs were dropped: the run's output cap was reached
    # What the kernel answered, in its execute reply, to the run's probe expression (see
    # `execute`): {"status": "ok", "data": {"text/plain": repr}} or an error; None if absent.
    probe: dict | None = None

    @property
    def error_output(self) -> bool:
        return any(o.get("output_type") == "error" for o in self.outputs)

    @property
    def text(self) -> str:
        """stdout and the result's plain text, as a doctest would see them."""
        parts = []
        for output in self.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                parts.append(output.get("text", ""))
            elif output.get("output_type") == "execute_result":
                parts.append(output.get("data", {}).get("text/plain", "") + "\n")
        return "".join(parts)

    def sealed_values(self) -> list:
        return [
            o["data"][SEALED_MIME]
            for o in self.outputs
            if o.get("output_type") == "display_data" and SEALED_MIME in o.get("data", {})
        ]


@dataclass
class ExecutionResult:
    cells: list[CellOutcome]
    sandbox: str  # "bubblewrap" or "reduced"
    duration: float = 0.0
    kernel_died: bool = False
    # "cell_timeout", "deadline", "output", "sealed_output" (values for the grader, see below)
    limits_hit: list[str] = field(default_factory=list)
    startup_error: str = ""


def execute(
    cells: list[str],
    limits: Limits,
    *,
    unrecorded: frozenset[int] = frozenset(),
    probe: str = "",
):
    """Run `cells` in order in one fresh kernel; the kernel and its processes are gone after.

    Cells whose index is in `unrecorded` are kept out of the kernel's history (`In`, `_ih`),
    so that later cells cannot read their code back from there. `probe`, an expression, goes
    with every cell as a Jupyter "user expression": the kernel evaluates it after the cell and
    puts its value in the cell's reply (`CellOutcome.probe`). It is not part of any cell's
    code, so nothing that rewrites or picks cells by their code (input transformers, a patched
    `run_cell`) sees it.
    """
    mode = sandbox_mode()
    started = time.monotonic()
    result = ExecutionResult(cells=[CellOutcome() for _ in cells], sandbox=mode)
    zygote = _ready_zygote(mode, limits)
    # One run at a time per zygote: a worker running tasks in threads gives the others fresh
    # kernels meanwhile.
    if zygote is not None and not zygote.in_use.acquire(blocking=False):
        zygote = None
    try:
        if zygote is not None:
            _run_forked(zygote, cells, limits, result, started, unrecorded, probe)
        else:
            run_dir = _new_run_dir(mode)
            try:
                _run(_manager(run_dir, limits, mode, probe), cells, limits, result, started,
                     unrecorded)  # fmt: skip
            finally:
                shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        if zygote is not None:
            zygote.in_use.release()
        result.duration = time.monotonic() - started
    return result


def _new_run_dir(mode: str) -> Path:
    run_dir = Path(tempfile.mkdtemp(prefix="cultivate-run-", dir=settings.LABS_RUN_DIR))
    _prepare_run_dir(run_dir, mode)
    return run_dir


def _manager(run_dir: Path, limits: Limits, mode: str, probe: str = ""):
    return SandboxedKernelManager(
        run_dir=run_dir, limits=limits, mode=mode, probe=probe, context=_zmq_context()
    )


# --- the zygote: one warm interpreter per worker process, forking a kernel per run -----------
#
# Starting a kernel (Python, IPython, ipykernel, the libraries a lab imports) is most of a
# grading's time, and ipykernel's messaging (five ZeroMQ sockets, three threads, five to seven
# messages a cell) most of the rest. A grading worker instead keeps one sandbox running
# `labs/zygote.py`, which has imported all that and made IPython's shell once, and forks it
# for each run: the child, on a fresh copy of that memory, with the run's rlimits, its own
# session and process group, runs the cells in that shell as ipykernel would and sends
# Jupyter's output messages over one socket (see "a run in a fork" below). After the run the
# zygote kills every process but itself, reaps them and empties the sandbox's writable places
# before the next fork: a run sees nothing of the one before. The sandbox (bubblewrap's
# namespaces, binds, uid, empty environment) is the same as a fresh kernel's; it is made once
# per zygote. A zygote that died, went silent or whose sandbox no longer matches the run's is
# killed and replaced; one that cannot start leaves the run to a fresh kernel. Only where
# wanted (`want_zygote`): grading workers, not a web process validating an import, which
# would keep it idle.

ZYGOTE_WAIT = 10.0  # seconds the zygote gets to fork or to clean up after a run
ZYGOTE_PREFIX = "cultivate-zygote-"  # its run folder: cultivate-zygote-<worker pid>-<random>
_zygote_lock = threading.Lock()
_zygote: "Zygote | None" = None
_zygote_wanted = False
_zygote_failed_at = 0.0  # when one last failed to start: the next try waits a minute


def want_zygote() -> None:
    """Fork kernels from a warm zygote in this process: Celery workers call it as they start
    (labs.apps); so do the tests of the fast executor."""
    global _zygote_wanted
    _zygote_wanted = True


def stop_zygote() -> None:
    """Kill this process's zygote and its sandbox (at exit, and in tests)."""
    global _zygote
    with _zygote_lock:
        zygote, _zygote = _zygote, None
    if zygote is not None:
        zygote.close()


atexit.register(stop_zygote)


def _forget(zygote: "Zygote") -> None:
    """A zygote that was closed is no longer this process's (the next run starts another)."""
    global _zygote
    with _zygote_lock:
        if _zygote is zygote:
            _zygote = None


def zygote_pids() -> set[int]:
    """This process's zygote sandbox, as the host sees it: bubblewrap, its init, the zygote."""
    zygote = _zygote
    if zygote is None or zygote.owner != os.getpid():
        return set()
    return zygote_pids_of(zygote.process)


def zygote_pids_of(process: subprocess.Popen) -> set[int]:
    if process.poll() is not None:
        return set()
    pids, frontier = set(), {process.pid}
    while frontier:
        pids |= frontier
        frontier = {c for pid in frontier for c in _children(pid)} - pids
    return pids


def _zygote_key(mode: str, limits: Limits) -> tuple:
    return (
        mode,
        limits.tmpfs_mb,
        limits.shm_mb,
        kernel_python(),
        settings.LABS_RUN_DIR,
        settings.LABS_SANDBOX_UID,
        tuple(settings.LABS_ZYGOTE_PRELOAD),
    )


def _ready_zygote(mode: str, limits: Limits) -> "Zygote | None":
    """This process's zygote, started or replaced as needed; None to use a fresh kernel."""
    global _zygote, _zygote_failed_at
    if not (_zygote_wanted and settings.LABS_ZYGOTE):
        return None
    key = _zygote_key(mode, limits)
    with _zygote_lock:
        zygote = _zygote
        if zygote is not None and (
            zygote.key != key or zygote.owner != os.getpid() or not zygote.healthy()
        ):
            _zygote = None
            if zygote.owner == os.getpid():  # a forked worker leaves its parent's alone
                zygote.close()
            zygote = None
        if zygote is None:
            if time.monotonic() - _zygote_failed_at < 60:
                return None
            try:
                zygote = Zygote(key, mode, limits)
            except (OSError, RuntimeError, ValueError):
                logger.warning("the zygote did not start; using a fresh kernel", exc_info=True)
                _zygote_failed_at = time.monotonic()
                return None
            _zygote = zygote
        return zygote


class ZygoteError(RuntimeError):
    """The zygote did not do what was asked in time, or is gone."""


class Zygote:
    """The worker's side of `labs/zygote.py`: its sandbox, its control pipes, its children."""

    def __init__(self, key: tuple, mode: str, limits: Limits):
        self.key = key
        self.mode = mode
        self.owner = os.getpid()
        self.token = secrets.token_hex(16)
        self.buffer = b""
        self.exits: dict[int, int] = {}  # child id → exit status, as the zygote reports them
        self.sandbox_pids: set[int] = set()
        self.in_use = threading.Lock()  # held for a run (see `execute`)
        self.next_id = 0
        _remove_stale_run_dirs()
        self.run_dir = Path(
            tempfile.mkdtemp(prefix=f"{ZYGOTE_PREFIX}{self.owner}-", dir=settings.LABS_RUN_DIR)
        )
        # Root worker: the folder stays root's (the sandbox may not write there; each child's
        # folder inside is given to the sandbox user). Otherwise the sandbox user owns it.
        self.run_dir.chmod(0o755 if mode == "bubblewrap" and os.geteuid() == 0 else 0o700)
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            self._command(limits),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_launch_environment(self.run_dir, mode),
            cwd=str(self.run_dir),
        )
        try:
            sandboxed = mode == "bubblewrap"
            self._send_program(
                program=_zygote_source(),
                token=self.token,
                preload=list(settings.LABS_ZYGOTE_PRELOAD),
                wipe=["/tmp", "/dev/shm", str(self.run_dir)] if sandboxed else [str(self.run_dir)],  # noqa: S108 - the sandbox's own
                keep=[str(self.run_dir)],
                namespaces=sandboxed,
            )
            self.ready = self._expect("ready", None, timeout=limits.startup_timeout)
        except Exception:
            self.close()
            raise
        self.sandbox_pids = zygote_pids_of(self.process)
        if self.ready.get("threads", 1) != 1:
            logger.warning(
                "the zygote runs %s threads: forking it is unsafe", self.ready["threads"]
            )

    def _command(self, limits: Limits) -> list[str]:
        python = kernel_python()
        program = [python, "-c", _ZYGOTE_BOOTSTRAP]
        return _in_sandbox(
            program, run_dir=self.run_dir, limits=limits, mode=self.mode, python=python
        )

    # -- the control pipes --

    def _send_program(self, **config) -> None:
        data = json.dumps(config).encode()
        try:
            self.process.stdin.write(b"%d\n" % len(data) + data)
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise ZygoteError("the zygote is gone") from exc

    def _write(self, **request) -> None:
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise ZygoteError("the zygote is gone") from exc

    def _pump(self, timeout: float) -> list[dict]:
        """Events that arrive within `timeout` seconds (none if nothing came)."""
        fd = self.process.stdout.fileno()
        readable, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not readable:
            return []
        chunk = os.read(fd, 65536)
        if not chunk:
            raise ZygoteError("the zygote is gone")
        self.buffer += chunk
        events = []
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and event.get("token") == self.token:
                    events.append(event)
        if len(self.buffer) > 1_000_000:  # no line of ours is that long
            raise ZygoteError("the zygote's pipe holds garbage")
        for event in events:
            if event.get("event") == "exited":
                self.exits[event.get("id")] = event.get("status")
        return events

    def _expect(self, kind: str, child_id: int | None, *, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self._pump(deadline - time.monotonic()):
                if event.get("id") != child_id:
                    continue
                if event.get("event") == kind:
                    return event
                if event.get("event") == "error":
                    raise ZygoteError(str(event.get("error"))[:300])
            if time.monotonic() >= deadline:
                raise ZygoteError(f"the zygote sent no {kind!r} in {timeout:.0f} s")

    # -- what the executor asks of it --

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            self._pump(0)
        except ZygoteError:
            return False
        return True

    def child_dir(self) -> Path:
        self.next_id += 1
        path = self.run_dir / f"k{self.next_id}"  # short: IPC socket paths have a length limit
        path.mkdir()
        _prepare_run_dir(path, self.mode)
        return path

    def fork(self, *, socket_path: str, run_dir: Path, limits: Limits) -> int:
        """A new kernel that connects to `socket_path`; its id. The zygote must be clean."""
        child_id = self.next_id
        home = "/tmp" if self.mode == "bubblewrap" else str(run_dir)  # noqa: S108 - the sandbox's
        self._write(
            op="fork",
            id=child_id,
            socket=socket_path,
            cwd=home,
            home=home,
            limits={
                "memory": limits.memory_mb * 1024 * 1024,
                "cpu": limits.cpu_seconds,
                "processes": limits.processes,
                "file_size": limits.file_size_mb * 1024 * 1024,
                "files": limits.open_files,
            },
        )
        self._expect("forked", child_id, timeout=ZYGOTE_WAIT)
        return child_id

    def interrupt(self, child_id: int) -> None:
        """SIGINT to the child's process group, as a kernel's interrupt does."""
        self._write(op="interrupt", id=child_id)
        self._expect("interrupted", child_id, timeout=ZYGOTE_WAIT)

    def poll(self, child_id: int) -> int | None:
        """The child's exit status, or None while it runs."""
        if child_id not in self.exits:
            try:
                self._pump(0)
            except ZygoteError:
                return -signal.SIGKILL  # the zygote went, and its children with it
        return self.exits.get(child_id)

    def clean(self, child_id: int) -> None:
        """Kill everything the child started; a zygote that does not answer is replaced."""
        try:
            self._write(op="clean", id=child_id)
            event = self._expect("clean", child_id, timeout=ZYGOTE_WAIT)
        except ZygoteError:
            logger.warning("the zygote did not clean up after a run; replacing it", exc_info=True)
            self.close()
            _forget(self)
        else:
            if event.get("left"):
                logger.info("the zygote could not remove %s", event["left"][:5])
        self.exits.setdefault(child_id, -signal.SIGKILL)

    def _reap_orphans(self) -> None:
        """A zygote that died on its own leaves bubblewrap's init orphaned as bubblewrap exits:
        it goes to the nearest child subreaper (this process in the tests, or a worker made
        one), which must reap it, or to the machine's init. Waits the moment that takes."""
        deadline = time.monotonic() + 1.0
        waiting = self.sandbox_pids - {self.process.pid}
        while waiting and time.monotonic() < deadline:
            for pid in list(waiting):
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        waiting.discard(pid)
                        continue
                except ChildProcessError:
                    pass
                if _parent_of(pid) not in {os.getpid(), *self.sandbox_pids}:
                    waiting.discard(pid)  # gone, or someone else's to reap
            if waiting:
                time.sleep(0.01)

    def close(self) -> None:
        """Kill the sandbox, the zygote and anything left in it; remove its run folder."""
        if self.owner == os.getpid():
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            if self.process.poll() is None and self.mode == "bubblewrap":
                _stop_sandbox(self.process)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            self._reap_orphans()
            with contextlib.suppress(OSError):
                self.process.stdout.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


# Runs inside the sandbox: reads the zygote's program and configuration from stdin (a length,
# then as many bytes of JSON) and runs it; the command line stays short.
_ZYGOTE_BOOTSTRAP = """\
import json, os
def read(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            raise SystemExit(0)
        data += chunk
    return data
size = b""
while not size.endswith(b"\\n"):
    size += read(1)
config = json.loads(read(int(size)))
namespace = {"__name__": "cultivate_zygote"}
exec(compile(config.pop("program"), "cultivate-zygote", "exec"), namespace)
namespace["main"](config)
"""


def _remove_stale_run_dirs() -> None:
    """The run folders of zygotes whose worker process is gone (killed, it could not remove
    its own): each folder's name holds the pid of the process that made it."""
    root = Path(settings.LABS_RUN_DIR or tempfile.gettempdir())
    for folder in root.glob(f"{ZYGOTE_PREFIX}*-*"):
        try:
            os.kill(int(folder.name[len(ZYGOTE_PREFIX) :].split("-", 1)[0]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError):
            continue


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


@cache
def _zygote_source() -> str:
    return (Path(__file__).parent / "zygote.py").read_text()


# --- a run in a fork of the zygote: its socket, its cells -------------------------------------
#
# The forked kernel is IPython's shell with a socket instead of ipykernel's five ZeroMQ sockets
# and three threads (labs/zygote.py): the worker listens on a socket in the child's folder, the
# child connects, and each side writes length-prefixed JSON frames. Requests: {"op": "execute",
# "code", "store_history", "user_expressions"}. The kernel answers with Jupyter's output
# messages (stream, display_data, update_display_data, clear_output, execute_result, error),
# then the execute reply, then "idle". Everything the kernel sends is untrusted: sizes are
# bounded, and a frame that is not JSON ends the run as a dead kernel would.

FRAME_LIMIT = 16 * 1024 * 1024  # a longer frame is read and dropped, as output over the cap
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "error"}


class KernelGone(Exception):  # noqa: N818 - an outcome, like nbclient's DeadKernelError
    """The forked kernel closed its socket, died, or broke the protocol."""


class ForkedKernel:
    """The worker's end of a forked kernel's socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()
        self.skipping = 0  # bytes of an oversized frame still to drop

    def send(self, **request) -> None:
        data = json.dumps(request).encode()
        self.sock.settimeout(ZYGOTE_WAIT)
        try:
            self.sock.sendall(len(data).to_bytes(4, "big") + data)
        except OSError as exc:
            raise KernelGone("the kernel does not take requests") from exc

    def receive(self, deadline: float) -> dict | None:
        """The next message, or None if none came before `deadline`."""
        while True:
            if self.skipping:
                dropped = min(self.skipping, len(self.buffer))
                del self.buffer[:dropped]
                self.skipping -= dropped
            if not self.skipping and len(self.buffer) >= 4:
                size = int.from_bytes(self.buffer[:4], "big")
                if size > FRAME_LIMIT:
                    del self.buffer[:4]
                    self.skipping = size
                    return {"msg_type": "oversized", "content": {"size": size}}
                if len(self.buffer) >= 4 + size:
                    frame = bytes(self.buffer[4 : 4 + size])
                    del self.buffer[: 4 + size]
                    return self._decode(frame)
            if not self._fill(deadline):
                return None

    def _fill(self, deadline: float) -> bool:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(1 << 20)
        except TimeoutError:
            return False
        except OSError as exc:
            raise KernelGone(str(exc)) from exc
        if not chunk:
            raise KernelGone("the kernel closed its socket")
        self.buffer += chunk
        return True

    @staticmethod
    def _decode(frame: bytes) -> dict:
        try:
            message = json.loads(frame)
        except ValueError as exc:
            raise KernelGone("the kernel sent a frame that is not JSON") from exc
        if not (isinstance(message, dict) and isinstance(message.get("content"), dict)):
            raise KernelGone("the kernel sent a frame that is not a message")
        return message


class CellOutputs:
    """What nbclient does with a kernel's output messages, with the run's output caps
    (`CappedNotebookClient` says why each is there)."""

    def __init__(self, output_cap: int, cells: list[CellOutcome]):
        self.cells = cells
        self.output_cap = output_cap
        self.output_size = 0
        self.output_truncated = False
        self.truncated_cells: set[int] = set()
        self.sealed_size = 0
        self.sealed_truncated = False
        self.clear_before_next = False
        self.display_ids: dict[str, list[tuple[int, int]]] = {}

    def take(self, index: int, message: dict) -> None:
        msg_type, content = message.get("msg_type"), message["content"]
        outs = self.cells[index].outputs
        if msg_type == "clear_output":
            if content.get("wait"):
                self.clear_before_next = True
            else:
                self._clear(index)
            return
        if msg_type == "update_display_data":
            self._update(message)
            return
        if msg_type == "oversized":
            self._over_cap(index, outs)
            return
        if msg_type not in OUTPUT_MESSAGES:
            return
        size = len(str(content))
        if _is_sealed(message):
            if self.sealed_size + size > self.output_cap:
                self.sealed_truncated = True
                return
            self.sealed_size += size
        elif self.output_size + size > self.output_cap:
            self._over_cap(index, outs)
            return
        else:
            self.output_size += size
        try:
            output = nbformat.v4.output_from_msg({"header": {"msg_type": msg_type}, **message})
        except (NotebookValidationError, ValidationError, KeyError, TypeError, ValueError):
            outs.append(_note("[an output the notebook format does not allow was dropped]\n"))
            return
        if self.clear_before_next:
            self._clear(index)
            self.clear_before_next = False
        display_id = (content.get("transient") or {}).get("display_id")
        if isinstance(display_id, str):
            self.display_ids.setdefault(display_id, []).append((index, len(outs)))
        outs.append(dict(output))

    def _over_cap(self, index: int, outs: list) -> None:
        self.truncated_cells.add(index)
        if not self.output_truncated:
            self.output_truncated = True
            outs.append(_note("[output limit reached: the rest is cut]\n"))

    def _clear(self, index: int) -> None:
        self.cells[index].outputs.clear()
        for places in self.display_ids.values():
            places[:] = [(cell, at) for cell, at in places if cell != index]

    def _update(self, message: dict) -> None:
        content = message["content"]
        places = self.display_ids.get((content.get("transient") or {}).get("display_id"), [])
        if not places or self.output_size + len(str(content)) > self.output_cap:
            return
        try:
            output = nbformat.v4.output_from_msg(
                {"header": {"msg_type": "display_data"}, **message}
            )
        except (NotebookValidationError, ValidationError, KeyError, TypeError, ValueError):
            return
        for cell, at in places:
            if at < len(self.cells[cell].outputs):  # a timed-out cell's outputs are dropped
                self.cells[cell].outputs[at]["data"] = output["data"]
                self.cells[cell].outputs[at]["metadata"] = output["metadata"]


def _note(text: str):
    return nbformat.v4.new_output("stream", name="stderr", text=text)


def _run_forked(zygote, cells, limits, result, started, unrecorded, probe) -> None:
    run_dir = zygote.child_dir()
    path = run_dir / "s"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    child_id = None
    outputs = CellOutputs(limits.output_bytes, result.cells)
    try:
        listener.bind(str(path))
        listener.listen(1)
        _let_the_sandbox_connect(path, zygote.mode)
        child_id = zygote.fork(socket_path=str(path), run_dir=run_dir, limits=limits)
        kernel = _accept(listener, zygote, child_id, limits.startup_timeout)
        _lock_run_dir(run_dir, zygote.mode)
        with contextlib.closing(kernel.sock):
            _execute_forked(zygote, child_id, kernel, cells, limits, result, started, outputs,
                            unrecorded, probe)  # fmt: skip
    except KernelGone:
        result.kernel_died = True
    except (ZygoteError, RuntimeError) as exc:  # the kernel never came up
        result.startup_error = str(exc)[:500]
        logger.warning("kernel did not start: %s", exc)
    finally:
        listener.close()
        if child_id is not None:
            zygote.clean(child_id)
        shutil.rmtree(run_dir, ignore_errors=True)
    if outputs.output_truncated:
        result.limits_hit.append("output")
    for index in outputs.truncated_cells:
        result.cells[index].truncated = True
    if outputs.sealed_truncated:
        result.limits_hit.append("sealed_output")


def _let_the_sandbox_connect(path: Path, mode: str) -> None:
    """Connecting to a socket takes write access to it: the sandbox user's, when it is not ours."""
    if mode == "bubblewrap" and os.geteuid() == 0:
        os.chown(path, settings.LABS_SANDBOX_UID, settings.LABS_SANDBOX_UID)


def _accept(listener, zygote, child_id: int, timeout: float) -> ForkedKernel:
    """The child's connection and its first message, "ready"."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"the kernel did not connect in {timeout:.0f} s")
        readable, _, _ = select.select([listener], [], [], min(left, 0.5))
        if readable:
            break
        if zygote.poll(child_id) is not None:
            raise RuntimeError("the kernel ended before it connected")
    sock, _ = listener.accept()
    kernel = ForkedKernel(sock)
    try:
        ready = kernel.receive(deadline)
    except KernelGone as exc:
        raise RuntimeError(f"the kernel did not start: {exc}") from exc
    if not ready or ready.get("msg_type") != "ready":
        sock.close()
        raise RuntimeError("the kernel did not say it was ready")
    return kernel


def _execute_forked(zygote, child_id, kernel, cells, limits, result, started, outputs,
                    unrecorded, probe) -> None:  # fmt: skip
    expressions = {PROBE_KEY: probe} if probe else {}
    for index, code in enumerate(cells):
        outcome = result.cells[index]
        remaining = limits.total_timeout - (time.monotonic() - started)
        if remaining <= 0:
            result.limits_hit.append("deadline")
            return
        timeout = max(1, int(min(limits.cell_timeout, remaining)))
        cell_started = time.monotonic()
        request_id = secrets.token_hex(8)
        try:
            kernel.send(
                op="execute", id=request_id, code=code, store_history=index not in unrecorded,
                user_expressions=expressions,
            )  # fmt: skip
            answered, reply = _follow(kernel, outputs, index, request_id, cell_started + timeout)
        except KernelGone:
            outcome.status = "dead"
            outcome.duration = time.monotonic() - cell_started
            result.kernel_died = True
            return
        outcome.duration = time.monotonic() - cell_started
        if not answered:
            outcome.status = "timeout"
            outcome.outputs = []
            hit = "deadline" if remaining < limits.cell_timeout else "cell_timeout"
            result.limits_hit.append(hit)
            left = limits.total_timeout - (time.monotonic() - started)
            wait = max(INTERRUPT_WAIT, left)
            if not _interrupt_forked(zygote, child_id, kernel, request_id, wait=wait):
                return
            continue
        if reply is None:  # idle without a reply: its execution path is broken
            outcome.status = "no_reply"
            return
        _record_reply(outcome, reply)


def _follow(kernel, outputs, index, request_id, deadline) -> tuple[bool, dict | None]:
    """Read a cell's messages until the kernel is idle: (True, its reply or None), or (False,
    None) at the deadline. Messages that answer another request are dropped: code in the kernel
    can write to its socket, but cannot know the id of a request not yet sent."""
    reply = None
    while True:
        message = kernel.receive(deadline)
        if message is None:
            return False, None
        kind = message.get("msg_type")
        if kind == "oversized":
            outputs.take(index, message)
        elif message.get("parent") != request_id:
            continue
        elif kind == "idle":
            return True, reply
        elif kind == "execute_reply":
            reply = message["content"]
        else:
            outputs.take(index, message)


def _interrupt_forked(zygote, child_id, kernel, request_id, *, wait: float) -> bool:
    """After a timeout, stop the runaway cell and drop what it sends until it is idle; False if
    it does not stop within `wait` seconds or is gone."""
    try:
        zygote.interrupt(child_id)
        deadline = time.monotonic() + wait
        while (message := kernel.receive(deadline)) is not None:
            if message.get("msg_type") == "idle" and message.get("parent") == request_id:
                return True
    except (KernelGone, ZygoteError):
        pass
    return False


def _record_reply(outcome: CellOutcome, content: dict) -> None:
    outcome.reply_status = str(content.get("status", ""))
    outcome.ename = str(content.get("ename", ""))[:2000]
    outcome.evalue = str(content.get("evalue", ""))[:2000]
    outcome.probe = _probe_answer(content.get("user_expressions"))
    failed = outcome.reply_status != "ok" or outcome.error_output
    outcome.status = "error" if failed else "ok"


_contexts: dict[int, zmq.asyncio.Context] = {}


def _zmq_context() -> zmq.asyncio.Context:
    """One ZeroMQ context per worker process, shared by every run's sockets.

    jupyter_client otherwise makes a context per kernel manager and per client and destroys
    each after the run, waiting up to 100 ms for messages that a dead kernel will never take:
    about 0.1 s of every grading. Sockets here never linger: a run's leftovers are dropped when
    its channels close. Made afresh in a forked process (a context does not survive a fork).
    """
    context = _contexts.get(os.getpid())
    if context is None or context.closed:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.LINGER, 0)
        # A kernel's sockets appear a few milliseconds after we connect to them; ZeroMQ tries
        # again after RECONNECT_IVL, 100 ms unless told otherwise.
        context.setsockopt(zmq.RECONNECT_IVL, 5)
        _contexts.clear()
        _contexts[os.getpid()] = context
    return context


def _run(manager, cells, limits, result, started, unrecorded) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    for index in unrecorded:
        notebook.cells[index].metadata["unrecorded"] = True
    client = CappedNotebookClient(
        notebook,
        km=manager,
        timeout=limits.cell_timeout,
        startup_timeout=limits.startup_timeout,
        allow_errors=True,
        interrupt_on_timeout=False,
        record_timing=False,
        shutdown_kernel="immediate",
        output_cap=limits.output_bytes,
    )
    try:
        with client.setup_kernel(
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Never the worker's own environment (SECRET_KEY, DATABASE_URL...): bubblewrap's
            # --clearenv empties the kernel's, but its own first process inside the sandbox
            # (PID 1 there, readable by the kernel) keeps the environment it was started with
            # in /proc/1/environ. The reduced mode has no --clearenv at all.
            env=_launch_environment(manager.run_dir, manager.mode),
            cwd=str(manager.run_dir),
        ):
            _lock_run_dir(manager.run_dir, manager.mode)
            _execute_cells(client, notebook, limits, result, started)
    except DeadKernelError:
        result.kernel_died = True
    except RuntimeError as exc:  # the kernel never came up
        result.startup_error = str(exc)[:500]
        logger.warning("kernel did not start: %s", exc)
    finally:
        # nbclient cleans up only a kernel manager it made itself; this one is ours, so are
        # the client's channels (left open, they hold ZeroMQ sockets until the process ends).
        if client.kc is not None:
            client.kc.stop_channels()
        _kill(manager)
    if client.output_truncated:
        result.limits_hit.append("output")
    for index in client.truncated_cells:
        result.cells[index].truncated = True
    if client.sealed_truncated:
        result.limits_hit.append("sealed_output")


def _execute_cells(client, notebook, limits, result, started) -> None:
    for index, cell in enumerate(notebook.cells):
        outcome = result.cells[index]
        remaining = limits.total_timeout - (time.monotonic() - started)
        if remaining <= 0:
            result.limits_hit.append("deadline")
            return
        client.timeout = max(1, int(min(limits.cell_timeout, remaining)))
        client.last_reply = None
        client.went_idle = False
        client.output_complete = True
        cell_started = time.monotonic()
        try:
            client.execute_cell(cell, index, store_history=not cell.metadata.get("unrecorded"))
        except NoReply:
            # Its execution path is broken: no later cell would be answered either.
            _record_no_reply(outcome, cell, cell_started)
            return
        except CellTimeoutError:
            if client.went_idle:  # idle, then neither reply came: the same broken path
                _record_no_reply(outcome, cell, cell_started)
                return
            outcome.status = "timeout"
            hit = "deadline" if remaining < limits.cell_timeout else "cell_timeout"
            result.limits_hit.append(hit)
            outcome.duration = time.monotonic() - cell_started
            left = limits.total_timeout - (time.monotonic() - started)
            if not _interrupt(client, wait=max(INTERRUPT_WAIT, left)):
                return
            continue
        except DeadKernelError:
            outcome.status = "dead"
            outcome.outputs = list(cell.outputs)
            outcome.duration = time.monotonic() - cell_started
            result.kernel_died = True
            return
        outcome.duration = time.monotonic() - cell_started
        _record(outcome, cell, client.last_reply)
        if not client.output_complete and not _resync_output(client, started, limits):
            return


def _record(outcome: CellOutcome, cell, reply: dict | None) -> None:
    content = (reply or {}).get("content", {})
    outcome.reply_status = content.get("status", "")
    outcome.outputs = [dict(o) for o in cell.outputs]
    outcome.ename = content.get("ename", "")
    outcome.evalue = str(content.get("evalue", ""))[:2000]
    outcome.probe = _probe_answer(content.get("user_expressions"))
    failed = outcome.reply_status != "ok" or outcome.error_output
    outcome.status = "error" if failed else "ok"


def _record_no_reply(outcome: CellOutcome, cell, started: float) -> None:
    outcome.status = "no_reply"
    outcome.outputs = [dict(o) for o in cell.outputs]
    outcome.duration = time.monotonic() - started


def _probe_answer(expressions) -> dict | None:
    """The kernel's answer to the probe, if it is there and of a sane size (the kernel's code
    wrote it)."""
    answer = expressions.get(PROBE_KEY) if isinstance(expressions, dict) else None
    if not isinstance(answer, dict) or len(json.dumps(answer, default=str)) > MAX_PROBE_BYTES:
        return None
    return answer


def _interrupt(client, *, wait: float) -> bool:
    """After a timeout, stop the runaway cell and carry on; False if the kernel is gone.

    Waits up to `wait` seconds: the rest of the run's time. An interrupted cell that flooded
    its output first sends what the kernel buffered (up to its memory limit); on a loaded
    machine that outlasted a fixed 10 seconds, and the rest of the notebook went unrun.
    """
    try:
        return run_sync(_async_interrupt)(client, wait)
    except Exception:  # noqa: BLE001 - an unresponsive kernel is the answer
        logger.info("kernel did not recover from an interrupt", exc_info=True)
        return False


async def _async_interrupt(client, wait: float) -> bool:
    await _stop_output_reader()
    await client.km.interrupt_kernel()
    # Wait for the interrupted request's reply, so that it cannot answer the next cell.
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        msg = await client.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg.get("msg_type") == "execute_reply":
            await _fresh_iopub(client, deadline)
            return True
    return False


def _resync_output(client, started: float, limits: Limits) -> bool:
    """After a cell whose outputs outran the worker, start the next one on a clean IOPub.

    A cell that prints many messages fast (a flood, honest or not) can leave its reply
    answered while thousands of its messages still queue in ZeroMQ: nbclient stops reading
    them after `iopub_timeout`, and while the queues stay full the kernel drops new messages,
    the next cell's among them (a test's sealed values: read as tampering). How soon the worker
    catches up depends on the machine's load, so it is not waited for. False if the kernel is
    gone.
    """
    left = limits.total_timeout - (time.monotonic() - started)
    try:
        run_sync(_fresh_iopub)(client, time.monotonic() + max(INTERRUPT_WAIT, left))
    except Exception:  # noqa: BLE001 - an unresponsive kernel is the answer
        logger.info("kernel did not answer after a flood of output", exc_info=True)
        return False
    return True


async def _stop_output_reader() -> None:
    """Cancel the IOPub reader that nbclient leaves running after a cell times out.

    nbclient cancels it on errors but not on its "control signals", and a timeout is one: the
    reader goes on taking messages from the shared IOPub socket, dropping all that are not the
    timed-out cell's, so the outputs of the next cells (printed text, a test's sealed values)
    went missing, for the rest of the run when the timed-out cell's last message never came.
    """
    current = asyncio.current_task()
    readers = [
        task
        for task in asyncio.all_tasks()
        if task is not current
        and getattr(task.get_coro(), "__qualname__", "").endswith("._async_poll_output_msg")
    ]
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


async def _fresh_iopub(client, deadline: float) -> None:
    """Replace the IOPub connection, dropping what the timed-out cell left queued in it.

    A cell that printed fast fills ZeroMQ's queues; while they are full the kernel drops new
    messages, the first outputs of the next cell among them. `wait_for_ready` round-trips
    kernel_info until the new subscription delivers, so no message is sent before it does.
    """
    kc = client.kc
    kc.iopub_channel.close()
    kc._iopub_channel = None  # the property connects a new one on next use
    kc.iopub_channel.start()
    await kc.wait_for_ready(timeout=max(1.0, deadline - time.monotonic()))


def _lock_run_dir(run_dir: Path, mode: str) -> None:
    """Once the kernel is up, take the run directory back from the sandbox user.

    It is the one writable place inside the sandbox that lives on the host's disk (the kernel
    must create its IPC sockets there); RLIMIT_FSIZE caps each file, not how many. The kernel
    has bound its sockets by the time it answers (nbclient waited for that), and connecting to a
    socket does not need write access to its directory. Only a root worker can do this: without
    root the sandbox user is the worker's own user, the owner of the directory.
    """
    if mode == "bubblewrap" and os.geteuid() == 0:
        os.chown(run_dir, 0, 0)
        run_dir.chmod(0o755)


def _kill(manager) -> None:
    try:
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - kill below regardless
        logger.exception("kernel shutdown failed; killing")
    # What we launched, even when jupyter_client has let go of it (a kernel that died): the
    # sandbox first, then bubblewrap, reaped, so that neither is left a zombie.
    process = manager.launched
    if process is not None and process.poll() is None:
        if manager.mode == "bubblewrap":
            _stop_sandbox(process)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


class CappedNotebookClient(NotebookClient):
    """nbclient, keeping the execute reply of each cell and at most `output_cap` bytes of output.

    Outputs beyond the cap are dropped as they arrive (the worker's memory stays bounded however
    much the kernel prints) and replaced by one note. Sealed values (SEALED_MIME: what tests hand
    to the grader) have a budget of their own, as large: whatever an answer printed before, a
    test's values still reach the judge.
    """

    def __init__(self, *args, output_cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_cap = output_cap
        self.output_size = 0
        self.output_truncated = False
        self.truncated_cells: set[int] = set()
        self.sealed_size = 0
        self.sealed_truncated = False
        self.last_reply: dict | None = None
        self.went_idle = False  # the current cell's kernel said it was idle (see below)
        self.output_complete = True  # all of the current cell's outputs were read
        self.on_cell_executed = self._keep_reply

    def _keep_reply(self, cell, cell_index, execute_reply) -> None:
        self.last_reply = execute_reply

    async def _async_poll_for_reply(
        self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive
    ):
        """nbclient's wait for the execute reply, which does not wait for ever once the kernel
        has said it is idle: then the reply is either there already or never coming (NoReply).

        Without this, a kernel whose execution path was replaced by one that breaks its reply
        made every later cell wait out its time limit and the interrupt after it, and the run
        ended with the grader's checks not run: seen as a slow notebook, not as tampering.
        """
        reply = asyncio.ensure_future(
            super()._async_poll_for_reply(
                msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive
            )
        )
        try:
            await asyncio.wait({reply, task_poll_output_msg}, return_when=asyncio.FIRST_COMPLETED)
            if not reply.done() and _finished_cleanly(task_poll_output_msg):
                # The reply usually sits in the socket already (the kernel sends it before it
                # says it is idle): let its reader take it before asking anything. A bounded
                # number of turns of the event loop, not a clock.
                for _ in range(REPLY_TURNS):
                    if reply.done():
                        break
                    await asyncio.sleep(0)
            if not reply.done() and _finished_cleanly(task_poll_output_msg):
                self.went_idle = True
                # Idle, and no reply read yet. Ask the kernel for its info on the same channel:
                # it answers requests in order, so an execute reply, if one was ever sent,
                # arrives before the info reply. Which comes first decides; no clock does.
                answered = self.kc.shell_channel.expect(self.kc.kernel_info())
                await asyncio.wait({reply, answered}, return_when=asyncio.FIRST_COMPLETED)
                if not reply.done():
                    task_poll_kernel_alive.cancel()
                    raise NoReply("the kernel answered a later request but not this cell")
            answer = await reply
            # nbclient stops reading outputs `iopub_timeout` after the reply (see _resync_output)
            self.output_complete = _finished_cleanly(task_poll_output_msg)
            return answer
        finally:
            if not reply.done():
                reply.cancel()

    def output(self, outs, msg, display_id, cell_index):
        size = len(str(msg.get("content", "")))
        if _is_sealed(msg):
            if self.sealed_size + size > self.output_cap:
                self.sealed_truncated = True
                return None
            self.sealed_size += size
            return self._valid_output(outs, msg, display_id, cell_index)
        if self.output_size + size > self.output_cap:
            self.truncated_cells.add(cell_index)
            if not self.output_truncated:
                self.output_truncated = True
                outs.append(
                    nbformat.v4.new_output(
                        "stream", name="stderr", text="[output limit reached: the rest is cut]\n"
                    )
                )
            return None
        self.output_size += size
        return self._valid_output(outs, msg, display_id, cell_index)

    def _valid_output(self, outs, msg, display_id, cell_index):
        """The output, if the notebook format allows it; otherwise a note says it was dropped.

        The kernel's code chooses what it displays: `display({"application/x-y": {...}},
        raw=True)` (a dict under a MIME type that is not JSON) made nbformat raise here, and
        the whole run with it.
        """
        try:
            return super().output(outs, msg, display_id, cell_index)
        except (NotebookValidationError, ValidationError):
            outs.append(
                nbformat.v4.new_output(
                    "stream",
                    name="stderr",
                    text="[an output the notebook format does not allow was dropped]\n",
                )
            )
            return None


def _finished_cleanly(task: asyncio.Future) -> bool:
    """The IOPub reader ended because it saw the kernel go idle (not cancelled, no error)."""
    return task.done() and not task.cancelled() and task.exception() is None


def _is_sealed(msg: dict) -> bool:
    data = msg.get("content", {}).get("data")
    return msg.get("msg_type") == "display_data" and isinstance(data, dict) and SEALED_MIME in data


class PolledChannel(AsyncZMQSocketChannel):
    """A channel whose wait for a message looks again every POLL_SLICE seconds.

    pyzmq's asyncio sockets learn of new messages from an edge-triggered descriptor; when a
    request is sent on a socket while another task waits to read from it (the shell channel,
    see `CappedNotebookClient`), that edge can be missed, and the wait then lasted its whole
    timeout with the reply already there: cells of the benchmark's bursts took exactly their
    20 or 30 seconds, one run in sixty. Looking again in slices bounds a missed wake-up.
    """

    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await super().get_msg(timeout=min(POLL_SLICE, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class ShellChannel(PolledChannel):
    """The shell channel, telling whoever asked when the reply to a given request is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected: dict[str, asyncio.Future] = {}

    def expect(self, msg_id: str) -> asyncio.Future:
        """A future done once the reply to `msg_id` has been read (by any reader)."""
        return self._expected.setdefault(msg_id, asyncio.get_running_loop().create_future())

    async def get_msg(self, timeout: float | None = None) -> dict:
        msg = await super().get_msg(timeout=timeout)
        waiter = self._expected.pop(msg.get("parent_header", {}).get("msg_id"), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(msg)
        return msg


class ProbingKernelClient(AsyncKernelClient):
    """A kernel client whose every execute request carries `probe` as a user expression."""

    probe = Unicode("")
    shell_channel_class = Type(ShellChannel)
    iopub_channel_class = Type(PolledChannel)

    def execute(self, code, *args, user_expressions=None, **kwargs):
        if self.probe:
            user_expressions = {**(user_expressions or {}), PROBE_KEY: self.probe}
        return super().execute(code, *args, user_expressions=user_expressions, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Ready once the kernel answered kernel_info and IOPub is known to deliver.

        ipykernel says when our IOPub subscription reaches it, with an `iopub_welcome` message
        (Jupyter enhancement proposal 65). jupyter_client's own wait instead listens for 0.2 s
        of IOPub after each kernel_info reply to tell whether it is connected: a fifth of a
        second of every run. A kernel that sends no welcome gets that wait.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else 60.0)
        asked = self.kernel_info()
        while True:
            try:
                reply = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                if not await self.is_alive():
                    raise RuntimeError("the kernel died before it answered") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer in {timeout:.0f} s") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == asked:
                break
        welcome_by = min(deadline, time.monotonic() + WELCOME_WAIT)
        while (left := welcome_by - time.monotonic()) > 0:
            try:
                message = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                break
            if message.get("msg_type") == "iopub_welcome":
                return
        await super().wait_for_ready(timeout=max(1.0, deadline - time.monotonic()))


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside the sandbox and listens on IPC sockets."""

    def __init__(self, *, run_dir: Path, limits: Limits, mode: str, probe: str = "", **kwargs):
        super().__init__(
            transport="ipc",
            ip=str(run_dir / "kernel"),
            connection_file=str(run_dir / "kernel.json"),
            **kwargs,
        )
        self.run_dir = run_dir
        self.limits = limits
        self.mode = mode
        self.probe = probe
        self.launched: subprocess.Popen | None = None
        self.client_factory = ProbingKernelClient
        self._kernel_spec = KernelSpec(
            argv=[], display_name="Cultivate sandbox", language="python", interrupt_mode="message"
        )

    @property
    def kernel_spec(self):
        return self._kernel_spec

    def client(self, **kwargs):
        return super().client(probe=self.probe, context=self.context, **kwargs)

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        if self.mode == "bubblewrap" and os.geteuid() == 0:
            # Written by root with mode 0600; the kernel runs as the sandbox user.
            uid = settings.LABS_SANDBOX_UID
            os.chown(self.connection_file, uid, uid)
        return result

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        return kernel_command(
            run_dir=self.run_dir, limits=self.limits, mode=self.mode, python=kernel_python()
        )

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self.launched = getattr(self.provisioner, "process", None)  # kept: see `_kill`

    async def shutdown_kernel(self, now: bool = False, restart: bool = False):
        if now and self.mode == "bubblewrap":
            _stop_sandbox(getattr(self.provisioner, "process", None) if self.provisioner else None)
        return await super().shutdown_kernel(now=now, restart=restart)


def _stop_sandbox(process) -> None:
    """Kill the sandbox from the inside: its first process, and with it the PID namespace.

    The process we launched is bubblewrap, which waits for its child, the sandbox's PID 1.
    Killing bubblewrap first (what jupyter_client does) orphans that child: the sandbox still
    dies (--die-with-parent) but its zombie is handed to whatever reaps orphans on the machine,
    seconds later or, in a container whose PID 1 is the worker, never. Killed first, PID 1 takes
    every sandboxed process down with it; bubblewrap then reaps it and exits, and we reap that.
    """
    if process is None or process.poll() is not None:
        return
    children = _children(process.pid)
    # A kernel started ahead and discarded at once may still be setting its sandbox up: give
    # bubblewrap a moment to make its child, so that the child is killed here rather than
    # orphaned by killing bubblewrap.
    deadline = time.monotonic() + 2
    while not children and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        children = _children(process.pid)
    if not children:
        process.kill()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        logger.warning("bubblewrap did not exit after its sandbox was killed")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: look for them
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
        return children


# --- the command line ---------------------------------------------------------------------

# Runs inside the sandbox, as the first process: sets the limits, then becomes the kernel.
# The process limit is set here, after bubblewrap made the user namespace, so that it counts
# only the sandbox's processes.
_LIMITS_THEN_KERNEL = """\
import os, resource, sys
a = [int(x) for x in sys.argv[1:6]]
for kind, value in zip((resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC,
                        resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE), a):
    hard = value + 5 if kind == resource.RLIMIT_CPU else value
    resource.setrlimit(kind, (value, hard))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[6:]])
"""

# Runs outside, when the worker is root: become the unprivileged sandbox user, then bubblewrap.
_DROP_PRIVILEGES = """\
import os, sys
uid = int(sys.argv[1])
os.setgroups([])
os.setgid(uid)
os.setuid(uid)
os.execv(sys.argv[2], sys.argv[2:])
"""


def kernel_command(*, run_dir: Path, limits: Limits, mode: str, python: str) -> list[str]:
    limit_args = [
        str(limits.memory_mb * 1024 * 1024),
        str(limits.cpu_seconds),
        str(limits.processes),
        str(limits.file_size_mb * 1024 * 1024),
        str(limits.open_files),
    ]
    kernel = [
        python, "-c", _LIMITS_THEN_KERNEL, *limit_args, "-f", str(run_dir / "kernel.json"),
        *KERNEL_ARGUMENTS,
    ]  # fmt: skip
    return _in_sandbox(kernel, run_dir=run_dir, limits=limits, mode=mode, python=python)


def _in_sandbox(program: list[str], *, run_dir: Path, limits: Limits, mode: str, python: str):
    """`program` as launched in the sandbox: bubblewrap, entered as the sandbox user."""
    if mode != "bubblewrap":
        return program
    command = [*_bwrap_arguments(run_dir=run_dir, limits=limits, python=python), *program]
    if os.geteuid() == 0:
        command = [sys.executable, "-c", _DROP_PRIVILEGES, str(settings.LABS_SANDBOX_UID), *command]
    return command


def _bwrap_arguments(*, run_dir: Path, limits: Limits, python: str) -> list[str]:
    uid = str(settings.LABS_SANDBOX_UID)
    arguments = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid", uid, "--gid", uid,
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--hostname", "sandbox",
        "--clearenv",
        "--ro-bind", "/usr", "/usr",
        "--proc", "/proc",
        "--dev", "/dev",
        # bubblewrap's own root and /dev are tmpfs without a size limit and writable by the
        # sandbox user: left so, code could fill the host's memory with files (RLIMIT_FSIZE caps
        # each file, not their number). The only writable places are sized tmpfs (/tmp,
        # /dev/shm) and the run directory; / and /dev are made read-only below.
        "--size", str(limits.shm_mb * 1024 * 1024), "--tmpfs", "/dev/shm",
        "--size", str(limits.tmpfs_mb * 1024 * 1024), "--tmpfs", "/tmp",
        "--bind", str(run_dir), str(run_dir),
        "--chdir", "/tmp",
    ]  # fmt: skip
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            arguments += ["--symlink", os.readlink(target), str(target)]
    for prefix in _python_prefixes(python):
        arguments += ["--ro-bind", prefix, prefix]
    for name, value in _sandbox_environment().items():
        arguments += ["--setenv", name, value]
    # Last, once every mount point exists (non-recursive: /dev/shm, /tmp stay writable).
    arguments += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return arguments


def _launch_environment(run_dir: Path, mode: str) -> dict[str, str]:
    """The environment of the process we launch (bubblewrap, or the kernel in reduced mode)."""
    if mode == "bubblewrap":
        return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    home = str(run_dir)  # reduced mode: the run directory, not the host's shared /tmp
    return {
        **_sandbox_environment(),
        "HOME": home,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
    }


def _sandbox_environment() -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "USER": "learner",
        "LANG": "C.UTF-8",
        "IPYTHONDIR": "/tmp/.ipython",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        # ipykernel's inline backend: a figure comes back as a PNG output, `%matplotlib inline`
        # or not; it draws with Agg and never opens a window.
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }


@cache
def _python_prefixes(python: str) -> tuple[str, ...]:
    """The folders the kernel's Python needs: its environment and its base installation."""
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [python, "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.split()
    prefixes = []
    for prefix in dict.fromkeys(os.path.realpath(p) for p in out):
        if not prefix.startswith("/usr"):
            prefixes.append(prefix)
    return tuple(prefixes)


def kernel_python() -> str:
    configured = settings.LABS_KERNEL_PYTHON
    return configured if configured else sys.executable


def _prepare_run_dir(run_dir: Path, mode: str) -> None:
    if mode == "bubblewrap" and os.geteuid() == 0:
        uid = settings.LABS_SANDBOX_UID
        os.chown(run_dir, uid, uid)
    run_dir.chmod(0o700)


# --- which sandbox ------------------------------------------------------------------------


def sandbox_mode() -> str:
    """ "bubblewrap" when it works here; "reduced" when allowed; otherwise SandboxUnavailable."""
    policy = settings.LABS_SANDBOX
    if policy != "off" and bubblewrap_works():
        return "bubblewrap"
    if policy == "required":
        raise SandboxUnavailable(
            "LABS_SANDBOX=required but bubblewrap is missing or cannot create namespaces here; "
            "this worker will not grade. Install bubblewrap (Debian: apt-get install bubblewrap)."
        )
    return "reduced"


@cache
def bubblewrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        _announce_reduced("bubblewrap (bwrap) is not installed")
        return False
    probe = subprocess.run(  # noqa: S603 - a fixed command
        [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/usr", "/usr",
         "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
         "--symlink", "usr/lib64", "/lib64", "/usr/bin/true"],
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    if probe.returncode != 0:
        _announce_reduced(f"bubblewrap cannot create namespaces: {probe.stderr.strip()[:300]}")
        return False
    return True


def _announce_reduced(reason: str) -> None:
    logger.warning(
        "REDUCED ISOLATION: %s. Lab code will run with resource limits and an empty environment "
        "but WITHOUT namespaces: it can reach the network and read files this user can read. "
        "Never use this mode with untrusted learners; set LABS_SANDBOX=required in production.",
        reason,
    )
