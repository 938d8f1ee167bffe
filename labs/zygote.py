"""The zygote: a warm interpreter inside the sandbox that forks a fresh kernel per submission.

This file is not imported by the worker. `labs.executor` starts the kernel environment's Python
inside bubblewrap (or the reduced mode) with a short bootstrap, and sends it this file's source
with its configuration: only the standard library and what that environment holds (IPython)
may be imported here, never Django.

Started once per worker process, it imports the libraries labs commonly use (the `preload`
list), makes IPython's shell (as ipykernel makes it, its outputs going to a socket instead of
ZeroMQ), then waits. For each submission the worker listens on a socket in the run's folder and
asks for a kernel; the zygote forks, and the child (sharing nothing writable with the zygote: it
is a copy) closes everything it inherited, connects to that socket, sets the submission's
rlimits and runs each cell it is sent through the shell, as ipykernel's `do_execute` does. It
sends Jupyter's output messages, the execute reply and "idle", each as a length-prefixed JSON
frame carrying the id of the request it answers; judging stays outside. When the run ends the
worker asks for a cleanup: the zygote kills every process but itself (all descendants of the
child, wherever they moved), reaps them, empties every writable place (the sandbox's /tmp and
/dev/shm, its run folder) and removes the System V IPC objects left in the sandbox's IPC
namespace, then answers. The next child starts from the zygote's untouched memory and empty
folders.

The zygote is not dumpable (PR_SET_DUMPABLE 0): a child, which runs as the same user, cannot
ptrace it or write its memory through /proc. It can still signal it; the worker then finds the
zygote gone or silent, kills the sandbox and starts another.

Control protocol, one JSON object per line: requests on stdin, events on stdout. First comes
the configuration (read by the bootstrap, see labs.executor), with a token that every event
carries: a child cannot know it, so a line it managed to write into the pipe would be ignored.

    → {"token": t, "preload": [...], "wipe": [...], "keep": [...], "namespaces": bool}
    ← {"event": "ready", "vm": bytes, "preloaded": [...], "missing": [...], "threads": n}
    → {"op": "fork", "id": n, "socket": path, "cwd": path, "home": path,
       "limits": {"memory": bytes, "cpu": s, "processes": n, "file_size": bytes, "files": n}}
    ← {"event": "forked", "id": n, "pid": pid}   or   {"event": "error", "id": n, "error": text}
    ← {"event": "exited", "id": n, "status": code}        (whenever the child ends)
    → {"op": "interrupt", "id": n}      (SIGINT to the child's process group: a cell timed out)
    ← {"event": "interrupted", "id": n}
    → {"op": "clean", "id": n}
    ← {"event": "clean", "id": n, "killed": count, "left": [paths it could not remove]}
"""

import builtins
import contextlib
import ctypes
import gc
import importlib
import io
import json
import os
import resource
import select
import shutil
import signal
import socket
import stat
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
IPC_RMID = 0

_libc = ctypes.CDLL(None, use_errno=True)
_token = ""  # from the configuration line


def main(config: dict) -> None:
    global _token
    _token = config["token"]
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a child come back here
    if not config["namespaces"]:  # no bubblewrap --die-with-parent: go with the worker
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    preloaded, missing = _preload(config["preload"])
    # Out of the collector's sight: a child's first full collection would otherwise walk every
    # preloaded object (a third of a second) and copy each page it touched.
    gc.collect()
    gc.freeze()
    _wipe(config["wipe"], config["keep"])
    _send(
        event="ready",
        vm=_vm_size(),
        preloaded=preloaded,
        missing=missing,
        threads=len(os.listdir("/proc/self/task")),
    )
    Zygote(config).serve()


def _preload(modules: list[str]) -> tuple[list[str], list[str]]:
    """Import what every kernel will need, once: its shell first, then the labs' libraries."""
    global _shell
    _warm_tracebacks()
    preloaded, missing = [], []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a lab that imports it will say so itself
            missing.append(name)
        else:
            preloaded.append(name)
    _shell = _make_shell()
    return preloaded, missing


def _warm_tracebacks() -> None:
    """Format one exception as the kernel will: IPython imports its traceback machinery and
    pygments compiles its lexer on the first error, in every grading, which has such errors
    (the canaries that must fail). stack_data, which the Context mode needs, comes too."""
    import linecache

    source = "def failing():\n    raise ValueError('warming up')\n\nfailing()\n"
    name = "<zygote warm-up>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    try:
        from IPython.core.ultratb import AutoFormattedTB

        try:
            exec(compile(source, name, "exec"), {})  # noqa: S102 - our own four lines
        except ValueError:
            AutoFormattedTB(mode="Plain").structured_traceback(*sys.exc_info())
    except Exception:  # noqa: BLE001, S110 - only time lost in each kernel
        pass
    finally:
        linecache.cache.pop(name, None)


class Zygote:
    def __init__(self, config: dict):
        self.config = config
        self.buffer = b""
        self.child: int | None = None  # pid
        self.child_id = None
        self.pidfd: int | None = None
        self.status: int | None = None  # the child's exit status, once it ended

    def serve(self) -> None:
        while True:
            watched = [0] + ([self.pidfd] if self.pidfd is not None else [])
            readable, _, _ = select.select(watched, [], [])
            if self.pidfd in readable:
                self._child_ended()
            if 0 in readable:
                chunk = os.read(0, 65536)
                if not chunk:  # the worker is gone
                    self._clean()
                    return
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    self._handle(json.loads(line))

    def _handle(self, request: dict) -> None:
        if request["op"] == "fork":
            self._fork(request)
        elif request["op"] == "clean":
            killed, left = self._clean()
            _send(event="clean", id=request["id"], killed=killed, left=left)
        elif request["op"] == "interrupt":
            if request["id"] == self.child_id and self.child is not None:
                # The child's process group: what its cell started is interrupted with it.
                with contextlib.suppress(OSError):
                    os.killpg(self.child, signal.SIGINT)
            _send(event="interrupted", id=request["id"])

    def _fork(self, request: dict) -> None:
        if self.child is not None:
            _send(event="error", id=request["id"], error="the previous kernel was not cleaned")
            return
        pid = os.fork()
        if pid == 0:
            try:
                _become_kernel(request, self.config)
            finally:
                os._exit(70)
        self.child, self.child_id, self.status = pid, request["id"], None
        self.pidfd = os.pidfd_open(pid)
        _send(event="forked", id=request["id"], pid=pid)

    def _child_ended(self) -> None:
        try:
            _, status = os.waitpid(self.child, os.WNOHANG)
        except ChildProcessError:
            status = 0
        self.status = os.waitstatus_to_exitcode(status)
        os.close(self.pidfd)
        self.pidfd = None
        _send(event="exited", id=self.child_id, status=self.status)

    def _clean(self) -> tuple[int, list[str]]:
        """Kill and reap every process but this one; empty the writable places."""
        killed = 0
        if self.config["namespaces"]:
            # Every process in the sandbox's PID namespace that this user may signal, but this
            # one and the namespace's init: they all come from the child.
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        while True:
            descendants = _descendants()
            for pid in descendants:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
                except ProcessLookupError:
                    pass
            reaped = _reap()
            if not descendants and not reaped:
                break
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.child = None
        if self.config["namespaces"]:
            _remove_ipc_objects()
        return killed, _wipe(self.config["wipe"], self.config["keep"])


def _descendants() -> list[int]:
    """This process's children (orphans are re-parented to it: it is a subreaper). The kernel's
    list of children can miss one that is being re-parented at that moment (proc(5)), so every
    process's parent is read too."""
    me = os.getpid()
    found = set()
    with contextlib.suppress(OSError, ValueError):
        found.update(int(p) for p in open(f"/proc/{me}/task/{me}/children").read().split())  # noqa: SIM115
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
            except OSError:
                continue
            if int(text.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry))
    return sorted(found)


def _reap() -> int:
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped += 1


def _wipe(folders: list[str], keep: list[str]) -> list[str]:
    """Remove everything inside each folder but the `keep` paths (the run folder, bound into
    /tmp by default) and the folders leading to them; the paths that could not be removed."""
    left = []
    for folder in folders:
        if not os.access(folder, os.W_OK):  # the run folder of a root worker: the worker's
            continue
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for name in entries:
            path = os.path.join(folder, name)
            if path in keep:
                continue
            if any(k.startswith(path + "/") for k in keep):
                left += _wipe([path], keep)
                continue
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, onerror=_writable_then_retry)
                else:
                    os.unlink(path)
            except OSError:
                left.append(path)
    return left


def _writable_then_retry(function, path, _exc) -> None:
    """A folder made read-only (or unreadable) by the child: take it back, then remove."""
    parent = os.path.dirname(path)
    os.chmod(parent, stat.S_IRWXU)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, stat.S_IRWXU)
    function(path)


def _remove_ipc_objects() -> None:
    """System V shared memory, semaphores and queues outlive their processes: remove them."""
    for kind, remove in (
        ("shm", lambda i: _libc.shmctl(i, IPC_RMID, None)),
        ("sem", lambda i: _libc.semctl(i, 0, IPC_RMID)),
        ("msg", lambda i: _libc.msgctl(i, IPC_RMID, None)),
    ):
        try:
            lines = open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]  # noqa: SIM115
        except OSError:
            continue
        for line in lines:
            remove(int(line.split()[1]))


def _vm_size() -> int:
    for line in open("/proc/self/status"):  # noqa: SIM115
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _send(**event) -> None:
    event["token"] = _token
    os.write(1, json.dumps(event).encode() + b"\n")


# --- the kernel's shell, made once in the zygote -----------------------------------------------


def _make_shell():
    """IPython's shell, as ipykernel makes it, but publishing to the run's socket (`_channel`).

    Made before any fork, so that each child starts with it ready and untouched: an empty
    namespace, no history, execution count 1. Its outputs become the messages a Jupyter kernel
    would send (stream, display_data, update_display_data, clear_output, execute_result, error).
    """
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Bool, Type
    from traitlets.config import Config

    class PipeDisplayHook(DisplayHook):
        content = None  # the execute_result being made, between start and finish

        def start_displayhook(self):
            self.content = {"data": {}, "metadata": {}}

        def write_output_prompt(self):
            self.content["execution_count"] = self.prompt_count

        def write_format_data(self, format_dict, md_dict=None):
            self.content["data"] = format_dict
            self.content["metadata"] = md_dict or {}

        def finish_displayhook(self):
            content, self.content = self.content, None
            _flush_streams()
            if content and content["data"]:
                _channel.send("execute_result", content)

    class PipeDisplayPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                    **kwargs):  # fmt: skip
            self._validate_data(data, metadata)
            _flush_streams()
            content = {"data": data, "metadata": metadata or {}, "transient": transient or {}}
            _channel.send("update_display_data" if update else "display_data", content)

        def clear_output(self, wait=False):
            _flush_streams()
            _channel.send("clear_output", {"wait": wait})

    class PipeShell(InteractiveShell):
        displayhook_class = Type(PipeDisplayHook)
        display_pub_class = Type(PipeDisplayPublisher)
        readline_use = Bool(False)
        autoindent = Bool(False)

        def run_cell(self, *args, **kwargs):
            self._last_traceback = None
            self._last_traceback_during_displayhook = False
            return super().run_cell(*args, **kwargs)

        def _showtraceback(self, etype, evalue, stb):
            _flush_streams()
            if self.displayhook.content is not None:  # formatting a result failed
                self._last_traceback_during_displayhook = True
            content = {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)}
            _channel.send("error", content)
            self._last_traceback = stb

        def enable_gui(self, gui=None):
            if gui not in (None, "inline"):
                raise NotImplementedError("a graded notebook has no graphical event loop")

        def ask_exit(self):
            self.exit_now = True  # as in ipykernel: the kernel ends after this cell

    config = Config()
    # Tracebacks as Python prints them (the cell, the line, the error), without IPython's
    # context and colouring of every frame: the same help to a learner, and a tenth of the time
    # (every grading has errors: the canaries that must fail). Fresh kernels: KERNEL_ARGUMENTS.
    config.InteractiveShell.xmode = "Plain"
    config.HistoryManager.enabled = False  # no SQLite file, no thread; In and _ih still kept
    shell = PipeShell.instance(config=config)
    shell.kernel = _KernelView()
    if "matplotlib.pyplot" in sys.modules:  # figures shown inline at the end of each cell
        with contextlib.suppress(Exception):
            shell.enable_matplotlib("inline")
    return shell


class _KernelView:
    """What the grader's probe (labs.judge) reads of `get_ipython().kernel`: the functions that
    answer a request, looked up where they are called from, so that a replaced one shows."""

    @property
    def do_execute(self):
        return globals()["_execute"]

    @property
    def send_response(self):
        return globals()["_Channel"].send

    @property
    def execute_request(self):
        return globals()["_flush_streams"]


_shell = None
_channel = None  # the child's socket to the worker (`_Channel`)
_streams: list = []  # the child's stdout and stderr


class _Channel:
    """Length-prefixed JSON frames over the socket the worker listens on."""

    def __init__(self, sock):
        self.sock = sock
        self.parent = ""  # the id of the request being answered: every message carries it

    def send(self, msg_type: str, content: dict) -> None:
        message = {"msg_type": msg_type, "parent": self.parent, "content": content}
        data = json.dumps(message, default=_jsonable).encode()
        # An interrupt must not cut a frame in half: it waits until the frame is written.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.sock.sendall(len(data).to_bytes(4, "big") + data)
        except OSError:
            os._exit(0)  # the worker is gone
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def receive(self) -> dict | None:
        size = self._read(4)
        return json.loads(self._read(int.from_bytes(size, "big"))) if size else None

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return b""
            data += chunk
        return data


def _jsonable(value):
    if isinstance(value, bytes):  # an image's bytes, as Jupyter sends them: base64
        import base64

        return base64.b64encode(value).decode("ascii")
    return str(value)


class _Stream:
    """sys.stdout or sys.stderr: text gathered and sent as one stream message now and then."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str):
        self.name = name
        self.parts: list[str] = []
        self.size = 0
        self.waiting_since = 0.0  # when the oldest text not yet sent was written

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            if not self.parts:
                self.waiting_since = time.monotonic()
            self.parts.append(text)
            self.size += len(text)
            if self.size >= 65536 or time.monotonic() - self.waiting_since > 0.2:
                self.flush()
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.parts:
            text, self.parts, self.size = "".join(self.parts), [], 0
            _channel.send("stream", {"name": self.name, "text": text})

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("a kernel's output stream has no file descriptor")

    @property
    def closed(self) -> bool:
        return False


def _flush_streams() -> None:
    for stream in _streams:
        stream.flush()


# --- in the child ----------------------------------------------------------------------------


def _become_kernel(request: dict, config: dict) -> None:
    """Turn this fresh fork into the submission's kernel. Never returns."""
    global _channel
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # the zygote's control pipes are not the kernel's to read or write
    os.closerange(3, 65536)
    os.setsid()  # its own session and process group: an interrupt reaches all it started
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as any fresh process; the zygote stays closed
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(request["socket"])  # before the limits: its descriptor is the run's first
    limits = request["limits"]
    for kind, value in (
        (resource.RLIMIT_AS, _vm_size() + limits["memory"]),  # on top of what is preloaded
        (resource.RLIMIT_CPU, limits["cpu"]),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_FSIZE, limits["file_size"]),
        (resource.RLIMIT_NOFILE, limits["files"]),
        (resource.RLIMIT_MSGQUEUE, 0),
    ):
        hard = value + 5 if kind == resource.RLIMIT_CPU else value
        resource.setrlimit(kind, (value, hard))
    home = request["home"]
    os.environ.update(HOME=home, IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.chdir(request["cwd"])
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # a fresh interpreter seeds it from the system; a fork inherits it
        numpy.random.seed()
    _channel = _Channel(sock)
    _streams[:] = [_Stream("stdout"), _Stream("stderr")]
    sys.stdout, sys.stderr = _streams
    sys.stdin = open(os.devnull)  # noqa: SIM115
    builtins.input = _no_input
    _serve(_shell)


def _no_input(prompt=""):
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError("input() was called, but a graded notebook cannot ask for input")


def _serve(shell) -> None:
    """Answer execute requests until the worker hangs up; each ends with its reply (unless the
    shell's execution path was broken) and "idle"."""
    import asyncio

    asyncio.set_event_loop(loop := asyncio.new_event_loop())
    _channel.send("ready", {"pid": os.getpid()})
    while True:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt that came late stops nothing
        request = _channel.receive()
        if request is None:
            os._exit(0)
        _channel.parent = str(request.get("id", ""))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            reply = loop.run_until_complete(_execute(shell, request))
        except BaseException:  # noqa: BLE001 - as ipykernel: the handler failed, no reply
            reply = None
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _flush_streams()
        if reply is not None:
            _channel.send("execute_reply", reply)
        _channel.send("idle", {})
        if shell.exit_now:  # exit() or quit() in the cell
            os._exit(0)


async def _execute(shell, request: dict) -> dict:
    """What ipykernel's `do_execute` does (ipykernel 7, ipkernel.py), step for step: the shell's
    own methods decide, so that what a cell changes in them has the same effect as in a kernel."""
    import asyncio

    from IPython.core.interactiveshell import _asyncio_runner

    code, store_history = request["code"], request.get("store_history", True)
    preprocessing_exc_tuple = None
    try:
        transformed_cell = shell.transform_cell(code)
    except Exception:  # noqa: BLE001
        transformed_cell = code
        preprocessing_exc_tuple = sys.exc_info()
    if (
        _asyncio_runner
        and shell.loop_runner is _asyncio_runner
        and asyncio.get_event_loop().is_running()
        and shell.should_run_async(
            code, transformed_cell=transformed_cell, preprocessing_exc_tuple=preprocessing_exc_tuple
        )
    ):
        res = None
        try:
            res = await shell.run_cell_async(
                code,
                store_history=store_history,
                silent=False,
                transformed_cell=transformed_cell,
                preprocessing_exc_tuple=preprocessing_exc_tuple,
            )
        finally:
            shell.events.trigger("post_execute")
            shell.events.trigger("post_run_cell", res)
    else:
        res = shell.run_cell(code, store_history=store_history, silent=False)
    err = res.error_before_exec if res.error_before_exec is not None else res.error_in_exec
    reply = {}
    if res.success and not getattr(shell, "_last_traceback_during_displayhook", False):
        reply["status"] = "ok"
    else:
        reply["status"] = "error"
        reply["traceback"] = shell._last_traceback or []
        reply["ename"] = str(type(err).__name__)
        reply["evalue"] = str(err)
    reply["execution_count"] = shell.execution_count - 1
    if reply["status"] == "ok":
        reply["user_expressions"] = shell.user_expressions(request.get("user_expressions") or {})
    else:
        reply["user_expressions"] = {}
    shell.payload_manager.clear_payload()
    return reply
