"""The zygote: a warm interpreter inside the sandbox that forks a fresh kernel per submission.

This file is not imported by the worker. `labs.executor` starts the kernel environment's Python
inside bubblewrap (or the reduced mode) with a short bootstrap, and sends it this file's source
with its configuration: only the standard library and what that environment holds (ipykernel)
may be imported here, never Django.

Started once per worker process, it imports IPython, ipykernel and the libraries labs commonly
use (the `preload` list), then waits. For each submission the worker writes a connection file
and asks for a kernel; the zygote forks, and the child (sharing nothing writable with the
zygote: it is a copy) sets the submission's rlimits, closes everything it inherited, and becomes
a real ipykernel on that connection file. The worker talks to it over Jupyter's protocol as to
any kernel; judging stays outside. When the run ends the worker asks for a cleanup: the zygote
kills every process but itself (all descendants of the child, wherever they moved), reaps them,
empties every writable place (the sandbox's /tmp and /dev/shm, its run folder) and removes the
System V IPC objects left in the sandbox's IPC namespace, then answers. The next child starts
from the zygote's untouched memory and empty folders.

The zygote is not dumpable (PR_SET_DUMPABLE 0): a child, which runs as the same user, cannot
ptrace it or write its memory through /proc. It can still signal it; the worker then finds the
zygote gone or silent, kills the sandbox and starts another.

Control protocol, one JSON object per line: requests on stdin, events on stdout. First comes
the configuration (read by the bootstrap, see labs.executor), with a token that every event
carries: a child cannot know it, so a line it managed to write into the pipe would be ignored.

    → {"token": t, "preload": [...], "wipe": [...], "keep": [...], "namespaces": bool}
    ← {"event": "ready", "vm": bytes, "preloaded": [...], "missing": [...], "threads": n}
    → {"op": "fork", "id": n, "connection_file": path, "cwd": path, "home": path,
       "limits": {"memory": bytes, "cpu": s, "processes": n, "file_size": bytes, "files": n}}
    ← {"event": "forked", "id": n, "pid": pid}   or   {"event": "error", "id": n, "error": text}
    ← {"event": "exited", "id": n, "status": code}        (whenever the child ends)
    → {"op": "clean", "id": n}
    ← {"event": "clean", "id": n, "killed": count, "left": [paths it could not remove]}
"""

import contextlib
import ctypes
import gc
import importlib
import json
import os
import resource
import select
import shutil
import signal
import stat
import sys

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
IPC_RMID = 0
# Tracebacks as Python prints them (the cell, the line, the error), without IPython's context
# and colouring of every frame: the same help to a learner, and a tenth of the time (every
# grading has errors: the canaries that must fail, the tests that do). Also in labs.executor.
KERNEL_ARGUMENTS = ("--InteractiveShell.xmode=Plain",)

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
    """Import what every kernel will need, once: its own code first, then the labs' libraries."""
    import ipykernel.ipkernel  # noqa: F401 - what the kernel app imports as it starts
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401

    for optional in ("ipykernel.debugger", "matplotlib_inline.backend_inline"):
        try:
            importlib.import_module(optional)
        except Exception:  # noqa: BLE001, S112 - only time lost in each kernel
            continue
    _warm_tracebacks()
    preloaded, missing = [], []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a lab that imports it will say so itself
            missing.append(name)
        else:
            preloaded.append(name)
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


# --- in the child ----------------------------------------------------------------------------


def _become_kernel(request: dict, config: dict) -> None:
    """Turn this fresh fork into the submission's kernel. Never returns."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # the zygote's control pipes are not the kernel's to read or write
    os.closerange(3, 65536)
    os.setsid()  # its own session and process group: an interrupt reaches all it started
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as any fresh process; the zygote stays closed
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
    os.chdir(request["cwd"])
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # a fresh interpreter seeds it from the system; a fork inherits it
        numpy.random.seed()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", request["connection_file"], *KERNEL_ARGUMENTS])
    app.start()
    os._exit(0)
