"""`python manage.py run_embedded [ADDR:PORT]`: the development web server and one Celery worker
(with beat), the worker supervised. `make run` calls it.

A web server beside a dead worker keeps taking uploads that nobody grades, so when the worker
exits it is started again, with a line in the log saying so; when it keeps dying as soon as it
starts, everything stops with a message instead. When the web server exits, the worker is stopped
too. Each child runs in its own process group, so that stopping it stops its pool as well.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 1
# A worker that exits sooner than this after starting is crashing, not dying of old age;
# after this many such crashes in a row, restarting it again would only hide the problem.
CRASH_SECONDS = 30
CRASH_LIMIT = 5
STOP_SECONDS = 30  # a warm shutdown finishes the running task; then the group is killed


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_exits: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            self.command, cwd=settings.BASE_DIR, start_new_session=True
        )
        self.started_at = time.monotonic()

    def exited(self) -> int | None:
        return self.process.poll()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Command(BaseCommand):
    help = "Start the development web server and a supervised Celery worker (embedded mode)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--noreload", action="store_true", help="do not restart the web server on code changes"
        )
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes")

    def handle(self, *args, addrport: str, noreload: bool, concurrency: int, **options) -> None:
        web = Child("web server", web_command(addrport, noreload=noreload))
        worker = Child("Celery worker", worker_command(concurrency))
        # SIGTERM (a process manager, `kill`) stops the children as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            for child in (worker, web):
                child.start()
                self.stdout.write(f"Started the {child.name} (pid {child.process.pid})")
            self.supervise(web, worker)
        except KeyboardInterrupt:
            pass
        finally:
            worker.stop()
            web.stop()

    def supervise(self, web: Child, worker: Child) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if (code := web.exited()) is not None:
                raise CommandError(f"The web server exited (code {code}); stopping the worker too.")
            if (code := worker.exited()) is not None:
                self.restart(worker, code)

    def restart(self, worker: Child, code: int) -> None:
        lived = time.monotonic() - worker.started_at
        worker.quick_exits = worker.quick_exits + 1 if lived < CRASH_SECONDS else 0
        if worker.quick_exits >= CRASH_LIMIT:
            raise CommandError(
                f"The Celery worker died {CRASH_LIMIT} times in a row within {CRASH_SECONDS} s of "
                "starting (see its log above); stopping the web server too, since nothing would "
                "grade what it accepts."
            )
        self.stderr.write(f"The Celery worker exited (code {code}); starting it again.")
        worker.start()
        self.stdout.write(f"Started the {worker.name} (pid {worker.process.pid})")


def web_command(addrport: str, *, noreload: bool) -> list[str]:
    command = [sys.executable, "manage.py", "runserver", addrport]
    return [*command, "--noreload"] if noreload else command


def worker_command(concurrency: int) -> list[str]:
    # --beat: the embedded mode has one worker, so it also sends the periodic tasks; the schedule
    # file is CELERY_BEAT_SCHEDULE_FILENAME (under var/).
    return [
        sys.executable, "-m", "celery", "-A", "core", "worker", "--beat",
        "--queues", "default,grading", "--concurrency", str(concurrency), "--loglevel", "INFO",
    ]  # fmt: skip
