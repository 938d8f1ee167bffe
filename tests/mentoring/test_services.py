"""Availability, proposals and answers, ending, sessions and carried-over action items, and the
rules that answer 400 (API) or a form error (pages)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Person
from core.skills.selectors import assessor_role_for, growth_plan, person_matrix
from mentoring import services
from mentoring.models import Mentorship
from tests.factories import PersonFactory
from tests.mentoring.conftest import active_mentorship, make_expert, open_mentor

pytestmark = pytest.mark.django_db


def test_skills_offered_must_be_at_level_3_or_more(org):
    make_expert(org.outsider, "coding", level=3)
    make_expert(org.outsider, "testing", level=2)
    from core.skills.models import Skill

    coding, testing = Skill.objects.get(slug="coding"), Skill.objects.get(slug="testing")

    profile = services.mentor_profile_update(
        person=org.outsider, open_to_mentoring=True, capacity=2, skills=[coding]
    )
    assert list(profile.skills_offered.all()) == [coding]
    with pytest.raises(ValidationError) as error:
        services.mentor_profile_update(
            person=org.outsider, open_to_mentoring=True, capacity=2, skills=[testing]
        )
    assert "level 3" in str(error.value)


def test_a_proposal_becomes_active_when_both_accept(org, mentor):
    mentorship = services.mentorship_propose(
        proposed_by=org.manager, mentor=mentor, mentee=org.peer, cadence="weekly"
    )
    assert mentorship.status == "proposed"

    services.mentorship_respond(mentorship_id=mentorship.pk, person=mentor, accept=True)
    mentorship.refresh_from_db()
    assert mentorship.status == "proposed"
    services.mentorship_respond(mentorship_id=mentorship.pk, person=org.peer, accept=True)

    mentorship.refresh_from_db()
    assert mentorship.status == "active"
    assert mentorship.start_date is not None


def test_a_declined_proposal_frees_the_pair(org, mentor):
    mentorship = services.mentorship_propose(
        proposed_by=org.manager, mentor=mentor, mentee=org.peer
    )
    services.mentorship_respond(mentorship_id=mentorship.pk, person=org.peer, accept=False)

    assert Mentorship.objects.get(pk=mentorship.pk).status == "declined"
    services.mentorship_propose(proposed_by=org.manager, mentor=mentor, mentee=org.peer)


def test_only_managers_or_staff_propose_and_only_the_two_answer(org, mentor):
    with pytest.raises(PermissionDenied):
        services.mentorship_propose(proposed_by=org.engineer, mentor=mentor, mentee=org.peer)
    mentorship = services.mentorship_propose(proposed_by=org.staff, mentor=mentor, mentee=org.peer)
    with pytest.raises(PermissionDenied):
        services.mentorship_respond(mentorship_id=mentorship.pk, person=org.manager, accept=True)


def test_no_duplicate_open_pair_and_never_over_capacity(org, mentor):
    services.mentorship_propose(proposed_by=org.manager, mentor=mentor, mentee=org.peer)
    with pytest.raises(ValidationError):
        services.mentorship_propose(proposed_by=org.manager, mentor=mentor, mentee=org.peer)

    open_mentor(mentor, capacity=1)
    active_mentorship(mentor, org.engineer)
    with pytest.raises(ValidationError, match="no mentoring capacity left"):
        services.mentorship_propose(
            proposed_by=org.director, mentor=mentor, mentee=PersonFactory(manager=org.director)
        )


def test_the_last_place_goes_to_whoever_completes_first(org, mentor):
    open_mentor(mentor, capacity=1)
    first = services.mentorship_propose(proposed_by=org.manager, mentor=mentor, mentee=org.peer)
    second = services.mentorship_propose(
        proposed_by=org.manager, mentor=mentor, mentee=org.engineer
    )
    for m in (first, second):
        services.mentorship_respond(mentorship_id=m.pk, person=mentor, accept=True)

    services.mentorship_respond(mentorship_id=first.pk, person=org.peer, accept=True)
    with pytest.raises(ValidationError, match="no mentoring capacity left"):
        services.mentorship_respond(mentorship_id=second.pk, person=org.engineer, accept=True)

    assert Mentorship.objects.active().filter(mentor=mentor).count() == 1


def test_ending_early_needs_a_reason(org, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    with pytest.raises(ValidationError):
        services.mentorship_end(mentorship=mentorship, person=org.peer, completed=False)

    services.mentorship_end(
        mentorship=mentorship, person=org.peer, completed=False, reason="Changed teams."
    )
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason) == ("ended", "Changed teams.")
    assert mentorship.end_date is not None


def test_action_items_carry_over_until_done(org, mentor):
    from mentoring.selectors import open_action_items

    mentorship = active_mentorship(mentor, org.peer)
    services.session_create(
        mentorship=mentorship,
        author=mentor,
        date=datetime.date(2026, 2, 1),
        action_items=["Read the runbook", "Write a test"],
    )
    second = services.session_create(
        mentorship=mentorship, author=org.peer, date=datetime.date(2026, 2, 15)
    )
    assert [i.text for i in open_action_items(mentorship=mentorship)] == [
        "Read the runbook",
        "Write a test",
    ]

    item = mentorship.action_items.get(text="Write a test")
    services.action_item_complete(item=item, person=org.peer)

    assert [i.text for i in open_action_items(mentorship=mentorship)] == ["Read the runbook"]
    item.refresh_from_db()
    assert item.done_in == second


def test_sessions_only_for_active_mentorships_and_their_two_people(org, mentor):
    mentorship = active_mentorship(mentor, org.peer)
    with pytest.raises(PermissionDenied):
        services.session_create(
            mentorship=mentorship, author=org.manager, date=datetime.date(2026, 2, 1)
        )
    services.mentorship_end(mentorship=mentorship, person=mentor, completed=True)
    with pytest.raises(ValidationError):
        services.session_create(
            mentorship=mentorship, author=mentor, date=datetime.date(2026, 2, 1)
        )


def test_active_mentors_see_and_may_assess_their_mentees(org, mentor):
    assert not Person.objects.visible_to(mentor.user).filter(pk=org.peer.pk).exists()
    assert assessor_role_for(assessor=mentor, subject=org.peer) is None

    active_mentorship(mentor, org.peer)

    assert Person.objects.visible_to(mentor.user).filter(pk=org.peer.pk).exists()
    assert assessor_role_for(assessor=mentor, subject=org.peer) == "mentor"
    assert not Person.objects.visible_to(mentor.user).filter(pk=org.engineer.pk).exists()


def test_the_growth_plan_suggests_mentors_offering_the_skill(org):
    make_expert(org.outsider, "coding", level=4)
    open_mentor(org.outsider, capacity=1, skills=["coding"])
    open_mentor(org.manager, capacity=1, skills=["coding"])  # their own manager: never

    plan = growth_plan(matrix=person_matrix(person=org.peer), limit=20)

    coding = next(item for item in plan if item.row.skill.slug == "coding")
    texts = [s.text for s in coding.suggestions if s.source == "mentoring"]
    assert texts == [f"Mentoring from {org.outsider.display_name}, who offers Coding"]


# --- The three clear 400s -------------------------------------------------------------------


def test_feedback_to_yourself_is_a_400(org, api):
    response = api(org.peer).post(
        "/api/feedback-notes/",
        {"recipient": org.peer.pk, "category": "coding", "kind": "praise", "body": "Me!"},
        format="json",
    )

    assert response.status_code == 400
    assert "not yourself" in response.json()["recipient"][0]


def test_a_mentorship_with_your_own_manager_is_a_400(org, api):
    open_mentor(org.manager, capacity=2)

    response = api(org.director).post(
        "/api/mentorships/", {"mentor": org.manager.pk, "mentee": org.peer.pk}, format="json"
    )

    assert response.status_code == 400
    assert "reporting line" in response.json()["mentor"][0]
    assert not Mentorship.objects.exists()


def test_capacity_0_is_a_400(org, api):
    response = api(org.outsider).put(
        "/api/mentoring/availability/",
        {"open_to_mentoring": True, "capacity": 0, "skills_offered": []},
        format="json",
    )
    assert response.status_code == 400
    assert "at least 1" in response.json()["capacity"][0]

    # …and proposing someone whose capacity is 0 is one too.
    open_mentor(org.outsider, capacity=0)
    response = api(org.manager).post(
        "/api/mentorships/", {"mentor": org.outsider.pk, "mentee": org.peer.pk}, format="json"
    )
    assert response.status_code == 400
    assert "capacity 0" in response.json()["mentor"][0]
