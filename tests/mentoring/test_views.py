"""The pages: matching with its breakdown, proposing, answering, sessions, feedback, and the
rule breaks shown as form errors."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Person
from mentoring import selectors
from mentoring.models import FeedbackNote, Mentorship
from tests.mentoring.conftest import make_expert, open_mentor

pytestmark = pytest.mark.django_db


def test_a_manager_matches_proposes_and_both_accept_through_the_pages(org, client):
    make_expert(org.outsider, "coding", level=4)
    open_mentor(org.outsider, capacity=1, skills=["coding"])
    client.force_login(org.manager.user)

    page = client.get(reverse("mentoring:match"), {"mentee": org.peer.pk}).content.decode()
    assert "Why this match" in page and "cross-team: 1.00" in page and "covers: Coding" in page

    response = client.post(
        reverse("mentoring:propose"),
        {"mentor": org.outsider.pk, "mentee": org.peer.pk, "cadence": "weekly"},
    )
    mentorship = Mentorship.objects.get()
    assert response.url == mentorship.get_absolute_url()
    assert mentorship.match_breakdown["cross-team"] == 1.0

    for person in (org.outsider, org.peer):
        client.force_login(person.user)
        client.post(
            reverse("mentoring:mentorship-respond", args=[mentorship.pk]), {"answer": "accept"}
        )
    mentorship.refresh_from_db()
    assert mentorship.status == "active"

    response = client.post(
        reverse("mentoring:session-create", args=[mentorship.pk]),
        {
            "date": "2026-03-02",
            "agenda": "Goals",
            "notes": "Went well",
            "action_items": "Read\nWrite",
        },
    )
    session = mentorship.sessions.get()
    assert response.url == session.get_absolute_url()
    assert client.get(session.get_absolute_url()).status_code == 200


def test_proposing_your_reports_own_manager_is_a_form_error(org, client):
    open_mentor(org.manager, capacity=1)
    client.force_login(org.director.user)

    response = client.post(
        reverse("mentoring:propose"),
        {"mentor": org.manager.pk, "mentee": org.peer.pk, "cadence": "weekly"},
        follow=True,
    )

    assert "reporting line" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_feedback_to_yourself_and_capacity_0_are_form_errors(org, client):
    client.force_login(org.peer.user)

    feedback = client.post(
        reverse("mentoring:feedback"),
        {
            "recipient": org.peer.pk,
            "category": "coding",
            "kind": "praise",
            "visibility": "private",
            "body": "Me",
        },
    )
    availability = client.post(
        reverse("mentoring:availability"), {"open_to_mentoring": "on", "capacity": 0}
    )

    assert feedback.status_code == 400
    assert "not yourself" in feedback.content.decode()
    assert availability.status_code == 400
    assert "at least 1" in availability.content.decode()
    assert not FeedbackNote.objects.exists()


def test_writing_and_acknowledging_feedback(org, client):
    client.force_login(org.engineer.user)
    client.post(
        reverse("mentoring:feedback"),
        {
            "recipient": org.peer.pk,
            "category": "collaboration",
            "kind": "praise",
            "visibility": "with_managers",
            "body": "Thanks!",
        },
    )
    note = FeedbackNote.objects.get()

    client.force_login(org.peer.user)
    client.post(note.get_absolute_url())

    note.refresh_from_db()
    assert note.acknowledged_at is not None
    client.force_login(org.manager.user)
    assert "Acknowledged" in client.get(note.get_absolute_url()).content.decode()


def test_the_demo_cohort_matching_respects_every_hard_rule(db):
    """Acceptance 1 over the demo organisation: the optimal assignment, with its breakdown."""
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
        call_command("seed_demo", stdout=devnull)  # idempotent
    assert Mentorship.objects.active().count() == 3

    matches = selectors.cohort_matches(mentees=list(Person.objects.all()))

    assert matches
    open_pairs = set(Mentorship.objects.open().values_list("mentor_id", "mentee_id"))
    busy = set(Mentorship.objects.open().values_list("mentee_id", flat=True))
    per_mentor = {}
    for match in matches:
        mentee = Person.objects.get(pk=match.mentee.pk)
        line = set(
            Person.objects.filter(pk__in=[m.pk for m in selectors.managers_of(mentee)]).values_list(
                "pk", flat=True
            )
        )
        assert match.mentor.pk not in line and match.mentor.pk != mentee.pk
        assert (match.mentor.pk, mentee.pk) not in open_pairs and mentee.pk not in busy
        assert set(match.breakdown) == {
            "gaps covered",
            "cross-team",
            "career stage",
            "time zones",
            "capacity left",
        }
        per_mentor[match.mentor.pk] = per_mentor.get(match.mentor.pk, 0) + 1
    for mentor_pk, count in per_mentor.items():
        profile = Person.objects.get(pk=mentor_pk).mentor_profile
        assert count + selectors.active_mentee_count(mentor=profile.person) <= profile.capacity
