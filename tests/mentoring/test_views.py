"""The pages: matching with its breakdown, proposing, answering, sessions, feedback, and the
rule breaks shown as form errors."""

import datetime
import os
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Person
from mentoring import demo, selectors, services
from mentoring.models import FeedbackNote, Mentorship
from tests.mentoring.conftest import active_mentorship, make_expert, open_mentor

pytestmark = pytest.mark.django_db


def test_a_manager_matches_proposes_and_both_accept_through_the_pages(org, client):
    make_expert(org.outsider, "coding", level=4)
    open_mentor(org.outsider, capacity=1, skills=["coding"])
    client.force_login(org.manager.user)

    page = client.get(reverse("mentoring:match"), {"mentee": org.peer.pk}).content.decode()
    assert "Why this match" in page and "cross-team: 1.00" in page and "gaps: Coding" in page

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
    assert Mentorship.objects.active().count() == len(demo.PAIRS)

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


def _log_session(client, mentorship, date, items):
    client.post(
        reverse("mentoring:session-create", args=[mentorship.pk]),
        {"date": date, "agenda": "", "notes": "", "action_items": "\n".join(items)},
    )
    return mentorship.sessions.get(date=date)


def _done_buttons(page: str) -> list[str]:
    """The action items a Done button is offered for, in page order."""
    return re.findall(r'type="submit">Done<span class="visually-hidden">: ([^<]*)</span>', page)


def test_a_session_lists_each_action_item_once_and_carries_over_only_earlier_open_ones(
    org, client, mentor
):
    mentorship = active_mentorship(mentor, org.peer)
    client.force_login(org.peer.user)
    first = _log_session(client, mentorship, "2026-03-02", ["Read the paper", "Fix the flaky test"])
    second = _log_session(client, mentorship, "2026-03-09", ["Write the design note"])
    later = _log_session(client, mentorship, "2026-03-16", ["Present the demo"])
    client.post(
        reverse(
            "mentoring:action-item-done", args=[first.action_items.get(text__startswith="Fix").pk]
        )
    )

    page = client.get(second.get_absolute_url()).content.decode()

    own, carried = page.split("Carried over")
    assert _done_buttons(own) == ["Write the design note"]
    assert _done_buttons(carried) == ["Read the paper"]  # done and later items are not carried
    assert page.count("Write the design note") == 2  # the text and the button's spoken label
    assert "Fix the flaky test" not in page and "Present the demo" not in page

    first_page = client.get(first.get_absolute_url()).content.decode()
    assert "Carried over" not in first_page  # nothing came before the first session
    assert _done_buttons(first_page) == ["Read the paper"]
    assert "<del>Fix the flaky test</del>" in first_page

    last_page = client.get(later.get_absolute_url()).content.decode()
    own, carried = last_page.split("Carried over")
    assert _done_buttons(own) == ["Present the demo"]
    assert _done_buttons(carried) == ["Read the paper", "Write the design note"]


def test_two_sessions_on_one_day_carry_over_by_the_order_they_were_logged(org, client, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    client.force_login(mentor.user)
    _log_session(client, mentorship, "2026-03-02", [])
    morning, afternoon = (
        services.session_create(
            mentorship=mentorship,
            author=mentor,
            date=datetime.date(2026, 3, 3),
            action_items=[text],
        )
        for text in ("Morning item", "Afternoon item")
    )

    morning_page = client.get(morning.get_absolute_url()).content.decode()
    afternoon_page = client.get(afternoon.get_absolute_url()).content.decode()

    assert _done_buttons(morning_page) == ["Morning item"]
    assert _done_buttons(afternoon_page.split("Carried over")[1]) == ["Morning item"]


def test_marking_an_item_done_from_a_session_page_returns_to_that_page(org, client, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    session = services.session_create(
        mentorship=mentorship, author=mentor, date=datetime.date(2026, 3, 2), action_items=["Read"]
    )
    client.force_login(org.peer.user)

    response = client.post(
        reverse("mentoring:action-item-done", args=[session.action_items.get().pk]),
        {"next": session.get_absolute_url()},
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == session.get_absolute_url()
    assert "<del>Read</del>" in page and _done_buttons(page) == []


def test_the_session_api_lists_only_the_sessions_own_items_once(org, api, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    first = services.session_create(
        mentorship=mentorship, author=mentor, date=datetime.date(2026, 3, 2), action_items=["Old"]
    )
    second = services.session_create(
        mentorship=mentorship, author=mentor, date=datetime.date(2026, 3, 9), action_items=["New"]
    )

    detail = api(org.peer).get(f"/api/mentoring-sessions/{second.pk}/").json()
    listing = api(org.peer).get(f"/api/mentorships/{mentorship.pk}/sessions/").json()

    assert [item["text"] for item in detail["action_items"]] == ["New"]
    assert {row["id"]: [i["text"] for i in row["action_items"]] for row in listing} == {
        second.pk: ["New"],
        first.pk: ["Old"],
    }


def test_marking_an_item_done_never_sends_you_off_site(org, client, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    session = services.session_create(
        mentorship=mentorship, author=mentor, date=datetime.date(2026, 3, 2), action_items=["Read"]
    )
    client.force_login(org.peer.user)

    response = client.post(
        reverse("mentoring:action-item-done", args=[session.action_items.get().pk]),
        {"next": "https://elsewhere.example/"},
    )

    assert response.url == mentorship.get_absolute_url()
