"""Acceptance 2: two mentees accepting a mentor's last place at the same moment, in two real
PostgreSQL transactions on two connections: one becomes active, the other is told there is no
place left. (SQLite serialises every write, so the race cannot happen there: skipped.)"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from mentoring import selectors, services
from mentoring.models import Mentorship
from tests.factories import PersonFactory
from tests.mentoring.conftest import open_mentor

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_cannot_take_more_than_the_last_place(monkeypatch):
    manager = PersonFactory(career_stage="staff")
    mentor = PersonFactory(career_stage="senior")
    open_mentor(mentor, capacity=1)
    mentees = [PersonFactory(manager=manager), PersonFactory(manager=manager)]
    proposals = []
    for mentee in mentees:
        proposal = services.mentorship_propose(proposed_by=manager, mentor=mentor, mentee=mentee)
        services.mentorship_respond(mentorship_id=proposal.pk, person=mentor, accept=True)
        proposals.append(proposal)

    # Widen the window between "count the active mentees" and "save": without the lock on the
    # mentor's row both transactions would count 0 and both would activate.
    count = selectors.active_mentee_count

    def slow_count(*, mentor):
        found = count(mentor=mentor)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(selectors, "active_mentee_count", slow_count)
    barrier = threading.Barrier(2)
    outcomes = {}

    def accept(proposal, mentee):
        try:
            barrier.wait()
            services.mentorship_respond(mentorship_id=proposal.pk, person=mentee, accept=True)
            outcomes[mentee.pk] = "active"
        except ValidationError as error:
            outcomes[mentee.pk] = error.messages[0]
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(p, m))
        for p, m in zip(proposals, mentees, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=len) == [
        "active",
        f"{mentor} has no mentoring capacity left; ask for another match.",
    ]
    assert Mentorship.objects.active().filter(mentor=mentor).count() == 1
