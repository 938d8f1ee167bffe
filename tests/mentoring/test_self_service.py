"""Mentoring self-service: an engineer finds their best mentors (with the match explained), asks
one directly, the mentor accepts or declines (with a reason), and the mentee's managers see the
request, who asked, and may stop it. Pages and API alike."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.notifications.models import Notification, NotificationKind
from mentoring import selectors, services
from mentoring.models import MentorProfile, Mentorship
from tests.factories import PersonFactory
from tests.mentoring.conftest import active_mentorship, make_expert, open_mentor

pytestmark = pytest.mark.django_db

FIND = reverse("mentoring:find")
API_REQUEST = "/api/mentorships/request/"


@pytest.fixture
def offer(org):
    """outsider (senior, another team, outside peer's line) offers Coding, one place free."""
    make_expert(org.outsider, "coding", level=4)
    open_mentor(org.outsider, capacity=1, skills=["coding"])
    return org.outsider


def first_name(person) -> str:
    return person.display_name.split()[0]


def ask(person, mentor, **kwargs) -> Mentorship:
    return services.mentorship_request(mentee=person, mentor=mentor, **kwargs)


def deliver(callbacks, times: int = 1) -> None:
    """The after-commit callbacks, as a broker would deliver them (eager tasks)."""
    for _ in range(times):
        for callback in callbacks:
            callback()


def senior_mentor(**kwargs):
    """Another open senior mentor from another team, offering Coding."""
    person = PersonFactory(career_stage="senior", **kwargs)
    make_expert(person, "coding", level=3)
    open_mentor(person, capacity=2, skills=["coding"])
    return person


# --- The page -------------------------------------------------------------------------------


def test_the_page_lists_the_best_mentors_with_the_reasons_in_words(org, client, offer):
    make_expert(org.director, "coding", level=4)
    open_mentor(org.director, capacity=2, skills=["coding"])  # in peer's line: never offered
    client.force_login(org.peer.user)

    response = client.get(FIND)

    page = response.content.decode()
    assert response.status_code == 200
    gaps = len(selectors.mentee_facts(org.peer).gaps)
    assert escape(offer.display_name) in page
    assert escape(f"covers 1 of {first_name(org.peer)}'s {gaps} gaps: Coding") in page
    assert "another team" in page and "Senior, one career stage ahead" in page
    assert "cross-team: 1.00" in page  # the numbers, one click away
    assert "<strong>Offers:</strong> Coding" in page
    assert "Ask to be mentored" in page and f'name="mentor" value="{offer.pk}"' in page
    assert f'<label for="ask-{offer.pk}-goals">Your message' in page
    assert escape(org.director.display_name) not in page.split("Suggested mentors")[1]
    assert "only one request or mentorship with each person at a time" in page


def test_the_mentoring_index_and_the_home_panel_link_to_the_page(org, client):
    client.force_login(org.peer.user)

    assert FIND in client.get(reverse("mentoring:index")).content.decode()
    assert FIND in client.get(reverse("home")).content.decode()


def test_with_nobody_free_the_page_says_so_and_names_the_manager(org, client):
    client.force_login(org.peer.user)

    page = client.get(FIND).content.decode()

    assert "Nobody can be suggested to you right now" in page
    assert escape(org.manager.display_name) in page
    assert "Ask to be mentored" not in page


def test_an_open_request_is_shown_with_a_link_and_not_suggested_again(org, client, offer):
    mentorship = ask(org.peer, offer)
    client.force_login(org.peer.user)

    page = client.get(FIND).content.decode()

    assert "Your mentors and requests" in page
    assert mentorship.get_absolute_url() in page
    assert f"waiting for {escape(offer.display_name)}'s answer" in page
    assert f'name="mentor" value="{offer.pk}"' not in page  # one open pair: not offered again


def test_at_the_limit_the_page_explains_and_offers_no_form(org, client, offer):
    for _ in range(services.MAX_OPEN_REQUESTS):
        ask(org.peer, senior_mentor())
    client.force_login(org.peer.user)

    page = client.get(FIND).content.decode()

    assert f"You have {services.MAX_OPEN_REQUESTS} requests waiting for an answer" in page
    assert escape(offer.display_name) in page  # still explained
    assert "Ask to be mentored" not in page


# --- Asking ---------------------------------------------------------------------------------


def test_asking_records_the_mentees_yes_keeps_the_match_and_tells_the_mentor_once(
    org, client, offer, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(org.peer.user)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            FIND,
            {
                "mentor": offer.pk,
                "goals": "Help me **test** pipelines",
                "goal_skills": [offer.mentor_profile.skills_offered.get().pk],
                "cadence": "weekly",
            },
        )

    mentorship = Mentorship.objects.get()
    assert response.status_code == 302 and response.url == mentorship.get_absolute_url()
    assert mentorship.status == Mentorship.Status.PROPOSED
    assert (mentorship.mentor, mentorship.mentee, mentorship.proposed_by) == (
        offer,
        org.peer,
        org.peer,
    )
    assert mentorship.mentee_accepted_at is not None and mentorship.mentor_accepted_at is None
    assert mentorship.cadence == "weekly" and mentorship.goals == "Help me **test** pipelines"
    assert [s.slug for s in mentorship.goal_skills.all()] == ["coding"]
    assert "another team" in mentorship.match_breakdown["reasons"]
    assert mentorship.match_breakdown["cross-team"] == 1.0
    assert not Notification.objects.exists()  # nobody is told inside the request

    deliver(callbacks, times=2)  # delivered twice, told once

    told = Notification.objects.filter(kind=NotificationKind.MENTORSHIP_PROPOSED)
    assert [(n.recipient, n.title) for n in told] == [
        (offer, f"{org.peer.display_name} asked you to mentor them")
    ]
    assert told.get().link == mentorship.get_absolute_url()


def test_the_mentor_reads_the_message_and_the_reasons_and_accepts(org, client, offer):
    mentorship = ask(org.peer, offer, goals="Help me **test**. <script>alert(1)</script>")
    client.force_login(offer.user)

    page = client.get(mentorship.get_absolute_url()).content.decode()

    assert f"{escape(org.peer.display_name)}'s message" in page
    assert "<strong>test</strong>" in page and "<script>alert(1)" not in page  # sanitised
    assert "Why this match" in page and "<li>another team</li>" in page
    assert "asked" in page and "directly" in page
    assert 'value="accept"' in page and 'name="reason"' in page

    client.post(reverse("mentoring:mentorship-respond", args=[mentorship.pk]), {"answer": "accept"})

    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ACTIVE and mentorship.start_date is not None


def test_the_mentor_declines_with_a_reason_and_the_mentee_sees_it(org, client, offer):
    mentorship = ask(org.peer, offer)
    client.force_login(offer.user)

    client.post(
        reverse("mentoring:mentorship-respond", args=[mentorship.pk]),
        {"answer": "decline", "reason": "No time before June, sorry"},
    )

    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.DECLINED
    assert mentorship.end_reason == "No time before June, sorry"
    client.force_login(org.peer.user)
    found = client.get(FIND).content.decode()
    assert "Declined requests" in found and "No time before June, sorry" in found
    detail = client.get(mentorship.get_absolute_url()).content.decode()
    assert "This request was declined" in detail and "No time before June, sorry" in detail


# --- The rules ------------------------------------------------------------------------------


def capacity_full(org, offer):
    active_mentorship(offer, org.engineer)
    return offer, "has no mentoring capacity left"


def mentor_closed(org, offer):
    MentorProfile.objects.filter(person=offer).update(open_to_mentoring=False, capacity=0)
    return offer, "is not open to mentoring"


def manager_as_mentor(org, offer):
    make_expert(org.manager, "coding", level=4, reviewer=org.director)
    open_mentor(org.manager, capacity=2, skills=["coding"])
    return org.manager, "is in your reporting line"


def director_as_mentor(org, offer):  # the line above the manager counts too
    open_mentor(org.director, capacity=2, skills=["coding"])
    return org.director, "is in your reporting line"


def themselves(org, offer):
    open_mentor(org.peer, capacity=2)
    return org.peer, "You cannot be your own mentor"


def duplicate(org, offer):
    ask(org.peer, offer)
    return offer, "You already have a request or a mentorship with"


def someone_they_mentor(org, offer):
    open_mentor(org.peer, capacity=2)
    active_mentorship(org.peer, offer)
    return offer, "two people do not mentor each other"


def too_many_open_requests(org, offer):
    for _ in range(services.MAX_OPEN_REQUESTS):
        ask(org.peer, senior_mentor())
    return offer, f"You already have {services.MAX_OPEN_REQUESTS} requests waiting"


RULES = [
    capacity_full,
    mentor_closed,
    manager_as_mentor,
    director_as_mentor,
    themselves,
    duplicate,
    someone_they_mentor,
    too_many_open_requests,
]


@pytest.mark.parametrize("rule", RULES, ids=[rule.__name__ for rule in RULES])
def test_each_rule_broken_is_a_clear_error_on_the_page_and_creates_nothing(
    rule, org, client, offer
):
    mentor, words = rule(org, offer)
    before = Mentorship.objects.count()
    client.force_login(org.peer.user)

    response = client.post(FIND, {"mentor": mentor.pk, "goals": "Hello", "cadence": "monthly"})

    assert response.status_code == 400
    assert escape(words) in response.content.decode()
    assert Mentorship.objects.count() == before


@pytest.mark.parametrize("rule", RULES, ids=[rule.__name__ for rule in RULES])
def test_each_rule_broken_is_a_400_in_the_products_words_and_creates_nothing(rule, org, api, offer):
    mentor, words = rule(org, offer)
    before = Mentorship.objects.count()

    response = api(org.peer).post(API_REQUEST, {"mentor": mentor.pk}, format="json")

    assert response.status_code == 400
    assert words in response.json()["mentor"][0]
    assert Mentorship.objects.count() == before


def test_a_declined_or_stopped_request_frees_a_place_under_the_limit(org, offer):
    requests = [ask(org.peer, senior_mentor()) for _ in range(services.MAX_OPEN_REQUESTS)]
    services.mentorship_respond(
        mentorship_id=requests[0].pk, person=requests[0].mentor, accept=False
    )

    assert ask(org.peer, offer).status == Mentorship.Status.PROPOSED


# --- Who may answer, see and stop it --------------------------------------------------------


@pytest.fixture
def request_to_offer(org, offer) -> Mentorship:
    return ask(org.peer, offer, goals="Private-ish goals")


@pytest.mark.parametrize("who", ["engineer", "stranger", "manager"])
def test_nobody_but_the_mentor_answers_and_only_the_line_sees_it(
    who, org, client, api, request_to_offer
):
    person = PersonFactory() if who == "stranger" else getattr(org, who)
    url = request_to_offer.get_absolute_url()
    client.force_login(person.user)

    page = client.get(url)
    answered = client.post(
        reverse("mentoring:mentorship-respond", args=[request_to_offer.pk]), {"answer": "accept"}
    )
    by_api = api(person).post(
        reverse("api:mentorship-respond", args=[request_to_offer.pk]),
        {"accept": False},
        format="json",
    )

    # The manager sees it (their report's), the others find nothing; nobody of them answers.
    assert page.status_code == (200 if who == "manager" else 404)
    assert answered.status_code == 404 and by_api.status_code == 404
    request_to_offer.refresh_from_db()
    assert request_to_offer.status == Mentorship.Status.PROPOSED
    assert request_to_offer.mentor_accepted_at is None
    listed = api(person).get(reverse("api:mentorship-list")).json()
    ids = [row["id"] for row in (listed["results"] if isinstance(listed, dict) else listed)]
    assert (request_to_offer.pk in ids) == (who == "manager")


def test_the_managers_see_who_asked_and_stop_it_with_a_reason(org, client, request_to_offer):
    mentee, mentor = escape(org.peer.display_name), escape(request_to_offer.mentor.display_name)
    for manager in (org.manager, org.director):  # the whole line above
        client.force_login(manager.user)
        index = client.get(reverse("mentoring:index")).content.decode()
        assert "Mentorship requests in your team" in index
        assert f"{mentee}</a> asked" in index or f"{mentee} asked" in index
        page = client.get(request_to_offer.get_absolute_url()).content.decode()
        assert "directly on" in page and "Stop this request" in page and mentor in page

    end = reverse("mentoring:mentorship-end", args=[request_to_offer.pk])
    client.post(end, {"outcome": "ended", "reason": ""})
    request_to_offer.refresh_from_db()
    assert request_to_offer.status == Mentorship.Status.PROPOSED  # a reason is needed

    client.post(end, {"outcome": "ended", "reason": "Let us talk about goals first"})

    request_to_offer.refresh_from_db()
    assert request_to_offer.status == Mentorship.Status.ENDED
    assert request_to_offer.end_reason == "Let us talk about goals first"


def test_the_managers_of_someone_else_do_not_see_it(org, client, request_to_offer):
    other_manager = PersonFactory(career_stage="staff")
    PersonFactory(manager=other_manager)
    client.force_login(other_manager.user)

    assert (
        "Mentorship requests in your team"
        not in client.get(reverse("mentoring:index")).content.decode()
    )
    assert client.get(request_to_offer.get_absolute_url()).status_code == 404


# --- The API --------------------------------------------------------------------------------


def test_the_api_asks_and_tells_the_mentor_once(
    org, api, offer, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(org.peer).post(
            API_REQUEST,
            {"mentor": offer.pk, "goals": "Evaluation, *please*", "goal_skills": ["coding"]},
            format="json",
        )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "proposed" and data["cadence"] == "fortnightly"
    assert data["proposed_by"]["id"] == org.peer.pk and data["mentee"]["id"] == org.peer.pk
    assert data["mentee_accepted_at"] and data["mentor_accepted_at"] is None
    assert "<em>please</em>" in data["goals_html"] and data["goal_skills"] == ["coding"]
    assert "another team" in data["match_breakdown"]["reasons"]
    deliver(callbacks, times=2)
    told = Notification.objects.filter(kind=NotificationKind.MENTORSHIP_PROPOSED)
    assert [n.recipient for n in told] == [offer]


def test_the_api_mentor_accepts_or_declines_and_the_manager_ends(org, api, offer):
    other = senior_mentor()
    accepted = ask(org.peer, offer)
    declined = ask(org.peer, other)
    stopped = ask(org.peer, senior_mentor())

    response = api(offer).post(
        reverse("api:mentorship-respond", args=[accepted.pk]), {"accept": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "active"

    response = api(other).post(
        reverse("api:mentorship-respond", args=[declined.pk]),
        {"accept": False, "reason": "Out of my depth"},
        format="json",
    )
    assert response.json()["status"] == "declined"
    seen = api(org.peer).get(reverse("api:mentorship-detail", args=[declined.pk])).json()
    assert seen["end_reason"] == "Out of my depth"

    response = api(org.manager).post(
        reverse("api:mentorship-end", args=[stopped.pk]),
        {"completed": False, "reason": "Wrong moment"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "ended"


def test_the_api_needs_a_signed_in_person(org, api, offer):
    assert api(None).post(API_REQUEST, {"mentor": offer.pk}, format="json").status_code == 401
    assert not Mentorship.objects.exists()


def test_a_manager_proposal_still_reads_as_a_proposal(
    org, offer, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.mentorship_propose(proposed_by=org.manager, mentor=offer, mentee=org.peer)

    titles = dict(
        Notification.objects.filter(kind=NotificationKind.MENTORSHIP_PROPOSED).values_list(
            "recipient_id", "title"
        )
    )
    assert titles == {
        offer.pk: f"{org.manager.display_name} proposes that you mentor {org.peer.display_name}",
        org.peer.pk: f"{org.manager.display_name} proposes {offer.display_name} as your mentor",
    }
