"""Acceptance 4: cadence warnings, and the weekly digest and reminders sent by the periodic
task, with a controlled clock."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from mentoring import selectors, services, tasks
from mentoring.models import FeedbackNote, Session
from tests.mentoring.conftest import active_mentorship, open_mentor

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 31, 9, 0, tzinfo=datetime.UTC)


def at(days_ago: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days_ago)


@pytest.fixture
def history(org):
    """engineer: feedback 40 days ago; peer: feedback 10 days ago and an active weekly
    mentorship (with outsider) whose last session was 15 days ago (> 2 × 7)."""
    FeedbackNote.objects.create(
        author=org.peer,
        recipient=org.engineer,
        category="coding",
        kind="praise",
        body="SECRET-A",
        visibility="private",
        created_at=at(40),
    )
    FeedbackNote.objects.create(
        author=org.engineer,
        recipient=org.peer,
        category="coding",
        kind="praise",
        body="SECRET-B",
        visibility="private",
        created_at=at(10),
    )
    open_mentor(org.outsider)
    mentorship = active_mentorship(org.outsider, org.peer, cadence="weekly")
    Session.objects.create(mentorship=mentorship, date=at(15).date())
    return mentorship


def test_cadence_rows_and_warnings(org, history):
    rows = {
        row.person.pk: row
        for row in selectors.cadence_for(people=[org.engineer, org.peer], now=NOW)
    }

    assert rows[org.engineer.pk].days_since_feedback == 40
    assert rows[org.engineer.pk].warnings == ["No feedback for more than 30 days."]
    assert (rows[org.peer.pk].days_since_feedback, rows[org.peer.pk].days_since_session) == (10, 15)
    assert rows[org.peer.pk].warnings == [
        f"No session with {org.outsider.display_name} for 15 days (weekly cadence)."
    ]
    # Thirteen days after the session the weekly mentorship is not yet overdue.
    later = selectors.cadence_for(people=[org.peer], now=NOW - datetime.timedelta(days=2))
    assert later[0].warnings == []


def test_the_warning_threshold_is_a_setting(org, history, settings):
    settings.MENTORING_FEEDBACK_WARNING_DAYS = 45

    rows = selectors.cadence_for(people=[org.engineer], now=NOW)

    assert rows[0].warnings == []


def test_the_periodic_task_sends_the_digest_and_reminders(org, history, mailoutbox, monkeypatch):
    assert (
        settings.CELERY_BEAT_SCHEDULE["mentoring-digests"]["task"] == "mentoring.tasks.send_digests"
    )
    monkeypatch.setattr(timezone, "now", lambda: NOW)

    sent = tasks.send_digests.apply().get()

    assert sent == {"digests": 2, "reminders": 1}  # manager and director; the outsider mentor
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    digest = by_recipient[org.manager.user.email].body
    assert f"{org.engineer.display_name}: last feedback 40 days ago" in digest
    assert "! No feedback for more than 30 days." in digest
    assert f"! No session with {org.outsider.display_name} for 15 days" in digest
    assert "SECRET" not in digest  # dates only, never what a note says
    reminder = by_recipient[org.outsider.user.email]
    assert f"Check in with {org.peer.display_name}" == reminder.subject


def test_nothing_is_overdue_on_a_kinder_clock(org, history, mailoutbox):
    sent = services.digests_send(now=at(12))

    assert sent["reminders"] == 0
