"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's own transport (kombu issue #1551) creates a message file and only then writes it, so a
consumer can take an empty file and the worker dies on `JSONDecodeError`; its consumers claim a
file by moving it to the system's temp folder, which is a copy, not an atomic rename, when that
folder is on another filesystem; and it rewrites the exchange tables in place, so a process can
read half a table. Here every file appears whole or not at all:

- a producer writes a message under `.staging/` and renames it into the queue folder (a rename
  within one filesystem is atomic), so a file in the queue is always complete;
- a consumer reads a message, then claims it by deleting it (or moving it to the processed
  folder): exactly one process succeeds. A file it cannot read yet (written by some other writer)
  is left where it is for a later poll; one still unreadable after a minute is moved to
  `.unreadable/` with an error in the log, never a crash;
- the exchange tables in the control folder are rewritten the same way, under a lock, so that
  processes declaring queues at once neither lose a binding nor read half a table.

Settings name it with `CELERY_BROKER_TRANSPORT = "core.broker:Transport"` beside the URL
`filesystem://`. POSIX only (the lock is `flock`), like the embedded mode itself.
"""

import fcntl
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

STAGING = ".staging"
UNREADABLE = ".unreadable"
# A writer that is still writing touches the file; one unreadable for this long never will be.
UNREADABLE_AFTER_SECONDS = 60


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whichever process comes first (a producer, say, before any worker) makes the folders.
        for folder in (self.data_folder_in, self.data_folder_out):
            Path(folder).mkdir(parents=True, exist_ok=True)

    def _put(self, queue, payload, **kwargs):
        # Zero-padded milliseconds first, so that sorting the names delivers oldest first.
        name = f"{time.monotonic_ns() // 1_000_000:015d}_{uuid.uuid4()}.{queue}.msg"
        write_atomically(Path(self.data_folder_out) / name, dumps(payload))

    def _get(self, queue):
        folder = Path(self.data_folder_in)
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            payload = self._read(folder / name)
            if payload is not None and self._claim(folder / name):
                return payload
        raise Empty()

    def _read(self, path: Path) -> dict | None:
        try:
            return loads(bytes_to_str(path.read_bytes()))
        except FileNotFoundError:
            return None  # another consumer claimed it
        except (OSError, ValueError):
            _set_aside_if_stale(path)
            return None

    def _claim(self, path: Path) -> bool:
        try:
            if self.store_processed:
                processed = Path(self.processed_folder)
                processed.mkdir(parents=True, exist_ok=True)
                path.rename(processed / path.name)
            else:
                path.unlink()
        except FileNotFoundError:
            return False  # another consumer was first
        return True

    def get_table(self, exchange):
        try:
            rows = loads(bytes_to_str(self._exchange_file(exchange).read_bytes()))
        except FileNotFoundError:
            return []
        return [filesystem.exchange_queue_t(*row) for row in rows]

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._tables_locked():
            rows = self.get_table(exchange)
            if row not in rows:
                self._write_table(exchange, [row, *rows])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # kombu's virtual channel forgets the queue; the table file is ours to rewrite.
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._tables_locked():
            rows = self.get_table(exchange)
            if row in rows:
                self._write_table(exchange, [r for r in rows if r != row])

    def _write_table(self, exchange, rows) -> None:
        write_atomically(self._exchange_file(exchange), dumps(rows))

    @contextmanager
    def _tables_locked(self) -> Iterator[None]:
        """Read-modify-write of a table by one process at a time (closing the file unlocks)."""
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with (self.control_folder / ".lock").open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield


class Transport(filesystem.Transport):
    Channel = Channel
    # How long to wait before looking again after finding nothing: from 10 ms after a message,
    # doubling up to a quarter of a second. kombu waits a fixed second, which also holds a worker
    # that has just finished its one task (prefetch 1) to about a task a second; a short fixed
    # interval would list the queue folders dozens of times a second while idle.
    polling_interval = 0.25
    first_polling_interval = 0.01

    def drain_events(self, connection, timeout=None):
        started = time.monotonic()
        pause = self.first_polling_interval
        while True:
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                if timeout is not None and time.monotonic() - started >= timeout:
                    raise TimeoutError from None  # socket.timeout, what kombu expects
                time.sleep(min(pause, timeout) if timeout else pause)
                pause = min(pause * 2, self.polling_interval)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that no reader ever sees the file partly written."""
    staging = path.parent / STAGING
    temporary = staging / f"{path.name}.{uuid.uuid4().hex}"
    try:
        staging.mkdir(exist_ok=True)
        temporary.write_text(text)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ChannelError(f"Cannot add {path.name} to {path.parent}") from exc


def _set_aside_if_stale(path: Path) -> None:
    try:
        age = time.time() - path.stat().st_mtime
        if age < UNREADABLE_AFTER_SECONDS:
            return  # perhaps still being written: try again at the next poll
        aside = path.parent / UNREADABLE
        aside.mkdir(exist_ok=True)
        path.rename(aside / path.name)
    except OSError:
        return  # claimed or moved by another consumer meanwhile
    logger.error("Broker message %s could not be read; moved to %s", path.name, aside)
