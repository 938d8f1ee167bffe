"""A Celery app for the embedded broker's acceptance test (tests/core/test_embedded_broker.py):
Cultivate's own app plus a task that leaves one file per run, and a producer to run as a process:

    python -m tests.core.broker_probe PREFIX COUNT FOLDER
"""

import sys
import uuid
from pathlib import Path

from core.celery import app

__all__ = ["app", "record"]


@app.task(name="tests.broker_probe.record")
def record(token: str, folder: str) -> None:
    """One new file per run, so that a task run twice leaves two."""
    Path(folder, f"{token}.{uuid.uuid4().hex}").touch()


def produce(prefix: str, count: int, folder: str) -> None:
    for number in range(count):
        record.delay(f"{prefix}-{number}", folder)


if __name__ == "__main__":
    # Without django.setup(): publishing needs only the settings, and loading every app would
    # make the producers start long after the worker.
    produce(sys.argv[1], int(sys.argv[2]), sys.argv[3])
