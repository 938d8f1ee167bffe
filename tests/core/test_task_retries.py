"""A database away for a moment does not drop a notification: its task is tried again (found
with the fault tests in tests/faults: an outage during grading acknowledged and lost them)."""

from django.db import OperationalError

from core.celery import app
from mentoring import tasks


def test_every_notification_task_is_tried_again_while_the_database_is_away():
    app.loader.import_default_modules()
    notify = [task for name, task in app.tasks.items() if ".tasks.notify_" in name]

    assert len(notify) >= 14
    assert [t.name for t in notify if OperationalError not in t.autoretry_for] == []


def test_a_notification_sent_when_the_database_is_back(eager_tasks, monkeypatch):
    calls = []

    def away_twice(*, note_id):
        calls.append(note_id)
        if len(calls) < 3:
            raise OperationalError("the database system is starting up")
        return True

    monkeypatch.setattr(tasks.services, "feedback_received_notify", away_twice)

    result = tasks.notify_feedback_received.delay(42)

    assert result.get() is True
    assert calls == [42, 42, 42]
