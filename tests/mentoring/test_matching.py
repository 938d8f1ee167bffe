"""Matching: hard rules, the reasons in words with the numbers behind them, and cohort optimality
against brute force."""

import datetime
import itertools
import os
import random
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Person
from mentoring import selectors
from mentoring.matching import (
    MenteeFacts,
    MentorFacts,
    assign_cohort,
    candidates,
    one_role_each,
    score,
    stage_distance,
    suggestions,
)
from mentoring.models import Mentorship
from tests.mentoring.conftest import active_mentorship, make_expert, open_mentor

WHEN = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def mentee(pk, gaps, team=1, stage="early_career", tz="Europe/Berlin", excluded=(), name=None):
    return MenteeFacts(
        pk, name or f"mentee{pk}", team, stage, tz, gaps, frozenset(excluded), GAP_NAMES
    )


def mentor(pk, levels, capacity=1, active=0, team=2, stage="senior", tz="Europe/Berlin"):
    return MentorFacts(pk, f"mentor{pk}", team, stage, tz, capacity, active, levels)


GAP_NAMES = {10: "Testing", 11: "Evaluation", 12: "Data pipelines", 13: "Privacy", 14: "Telemetry"}


def brute_force_best(mentees, mentors) -> float:
    """Try every way of giving each mentee one of their candidate mentors or none, within
    capacity, with the people who mentor in this run left out as mentees."""
    mentees = one_role_each(mentees, mentors)
    best = 0.0
    for choice in itertools.product(*[[None, *candidates(m, mentors)] for m in mentees]):
        used = {}
        total = 0.0
        for m, chosen in zip(mentees, choice, strict=True):
            if chosen is not None:
                used[chosen.pk] = used.get(chosen.pk, 0) + 1
                total += score(m, chosen, WHEN).score
        if all(used[pk] <= next(x for x in mentors if x.pk == pk).remaining for pk in used):
            best = max(best, total)
    return best


def assert_every_rule_holds(chosen, mentees, mentors):
    """The rules as a person would check them, one by one, on an assignment."""
    mentee_pks = {c.mentee.pk for c in chosen}
    mentor_pks = {c.mentor.pk for c in chosen}
    assert len(mentee_pks) == len(chosen)  # one mentor each
    assert not mentee_pks & mentor_pks  # nobody is both mentor and mentee
    pairs = {(c.mentor.pk, c.mentee.pk) for c in chosen}
    assert not any((b, a) in pairs for a, b in pairs)  # no pair mentors each other
    for m in mentors:
        assert sum(1 for c in chosen if c.mentor.pk == m.pk) <= m.remaining
    for c in chosen:
        assert c.mentor.pk not in c.mentee.excluded_mentors and c.mentor.pk != c.mentee.pk
        assert stage_distance(c.mentor.career_stage, c.mentee.career_stage) >= 0
        if not c.covered:  # only when no free, allowed mentor covers any gap
            assert not any(
                set(c.mentee.gaps) & set(m.levels) for m in candidates(c.mentee, mentors)
            )


# --- Optimality -----------------------------------------------------------------------------


def small_case():
    mentees = [
        mentee(1, {10: 2, 11: 1}),
        mentee(2, {11: 2}, team=2, tz="Asia/Tokyo"),
        mentee(3, {12: 3}, excluded={102}),  # mentor 102 is in their reporting line
        mentee(4, {10: 1, 12: 1}, stage="senior"),
    ]
    mentors = [
        mentor(101, {10: 4, 11: 3}, capacity=2),
        mentor(102, {12: 4}, capacity=1, tz="Asia/Tokyo"),
        mentor(103, {11: 3, 12: 3}, capacity=2, active=1, team=1, stage="staff"),
    ]
    return mentees, mentors


def test_cohort_assignment_is_optimal_against_brute_force():
    mentees, mentors = small_case()

    chosen = assign_cohort(mentees, mentors, WHEN)

    total = sum(match.score for match in chosen)
    assert total == pytest.approx(brute_force_best(mentees, mentors), abs=1e-3)
    assert_every_rule_holds(chosen, mentees, mentors)


@pytest.mark.parametrize("seed", range(6))
def test_random_cohorts_are_optimal_and_respect_capacity(seed):
    rng = random.Random(seed)
    skills = [1, 2, 3, 4]
    mentees = [
        mentee(
            i,
            {s: rng.randint(1, 3) for s in rng.sample(skills, 2)},
            team=rng.randint(1, 3),
            excluded={rng.choice([100, 101, 102])},
        )
        for i in range(1, 5)
    ]
    mentors = [
        mentor(
            100 + j,
            {s: rng.randint(3, 4) for s in rng.sample(skills, 2)},
            capacity=rng.randint(1, 2),
            team=rng.randint(1, 3),
        )
        for j in range(3)
    ]

    chosen = assign_cohort(mentees, mentors, WHEN)

    assert sum(m.score for m in chosen) == pytest.approx(
        brute_force_best(mentees, mentors), abs=1e-3
    )
    assert_every_rule_holds(chosen, mentees, mentors)


@pytest.mark.parametrize("seed", range(8))
def test_random_mixed_cohorts_keep_every_rule_and_stay_optimal(seed):
    """Everyone at any stage, some people both looking for a mentor and open to mentoring,
    open pairs both ways, mentees with no gaps and mentors who cover nothing."""
    rng = random.Random(seed)
    stages = ["early_career", "senior", "staff", "principal"]
    skills = [1, 2, 3, 4, 5]
    people = range(1, 8)
    mentees = [
        mentee(
            pk,
            {s: rng.randint(1, 3) for s in rng.sample(skills, rng.randint(0, 2))},
            team=rng.randint(1, 2),
            stage=rng.choice(stages),
            tz=rng.choice(["Europe/Berlin", "Asia/Kolkata", "America/New_York"]),
            excluded=set(rng.sample(people, 2)),
        )
        for pk in rng.sample(people, 5)
    ]
    mentors = [
        mentor(
            pk,
            {s: rng.randint(3, 4) for s in rng.sample(skills, rng.randint(0, 2))},
            capacity=rng.randint(1, 2),
            active=rng.randint(0, 1),
            team=rng.randint(1, 2),
            stage=rng.choice(stages),
        )
        for pk in rng.sample(people, 4)
    ]

    chosen = assign_cohort(mentees, mentors, WHEN)

    assert sum(m.score for m in chosen) == pytest.approx(
        brute_force_best(mentees, mentors), abs=1e-3
    )
    assert_every_rule_holds(chosen, mentees, mentors)


# --- The hard rules -------------------------------------------------------------------------


def test_hard_rules_exclude_reporting_line_full_mentors_and_open_pairs():
    someone = mentee(1, {10: 2}, excluded={101, 103})  # 101 manages them, 103 already pairs
    mentors = [
        mentor(101, {10: 4}),
        mentor(102, {10: 4}, capacity=1, active=1),  # full
        mentor(103, {10: 4}),
        mentor(104, {10: 3}),
        mentor(1, {10: 4}),  # themself
    ]

    found = suggestions(someone, mentors, WHEN)

    assert [m.mentor.pk for m in found] == [104]


def test_nobody_is_both_mentor_and_mentee_and_no_pair_mentors_each_other():
    """Two seniors without a mentor, both open to mentoring and each strong where the other is
    weak: they are not offered to each other, and they mentor the early-career engineer."""
    seniors = [
        mentee(1, {10: 1}, stage="senior", team=1),
        mentee(2, {11: 1}, stage="senior", team=2),
    ]
    junior = mentee(3, {10: 3, 11: 1}, team=3)
    mentors = [
        mentor(1, {11: 4}, capacity=1, team=1),
        mentor(2, {10: 4}, capacity=1, team=2),
    ]

    chosen = assign_cohort([*seniors, junior], mentors, WHEN)

    assert [(c.mentee.pk, c.mentor.pk) for c in chosen] == [(3, 2)]
    assert_every_rule_holds(chosen, [*seniors, junior], mentors)


def test_someone_you_mentor_is_never_suggested_as_your_mentor(org):
    """outsider (senior, full) mentors peer; peer, though a senior expert in what outsider
    lacks, is never offered to mentor outsider back: an open pair counts either way round."""
    org.peer.career_stage = "senior"
    org.peer.save()
    make_expert(org.peer, "coding", level=4)
    open_mentor(org.peer, capacity=2, skills=["coding"])
    open_mentor(org.outsider, capacity=1)
    assert [m.mentor.pk for m in selectors.match_suggestions(mentee=org.outsider)] == [
        org.peer.pk
    ]  # without the pair, peer would be suggested

    active_mentorship(org.outsider, org.peer)

    assert selectors.match_suggestions(mentee=org.outsider) == []
    assert selectors.cohort_matches(mentees=[org.outsider, org.peer]) == []


def test_a_mentor_is_never_suggested_for_someone_at_a_higher_career_stage():
    manager = mentee(1, {10: 2}, stage="staff", name="Tomás Silva")
    mentors = [
        mentor(101, {10: 4}, stage="senior"),  # covers the gap, but one stage behind
        mentor(102, {10: 3}, stage="staff"),
        mentor(103, {10: 3}, stage="principal"),
        mentor(104, {10: 4}, stage="early_career"),
    ]

    assert [m.mentor.pk for m in suggestions(manager, mentors, WHEN)] == [103, 102]
    assert assign_cohort([manager], [mentors[0], mentors[3]], WHEN) == []
    senior = mentee(2, {10: 2}, stage="senior")
    assert {m.mentor.pk for m in suggestions(senior, mentors, WHEN)} == {101, 102, 103}


def test_a_mentor_covering_no_gap_is_offered_only_when_nobody_else_is_free_and_says_so():
    amara = mentee(1, {10: 2, 11: 1}, name="Amara Nwosu")
    useful = mentor(101, {10: 4})
    useless = mentor(102, {12: 4})

    assert [m.mentor.pk for m in suggestions(amara, [useful, useless], WHEN)] == [101]

    full = mentor(101, {10: 4}, capacity=1, active=1)
    (only,) = suggestions(amara, [full, useless], WHEN)
    assert only.mentor.pk == 102
    assert only.reasons[0] == (
        "covers none of Amara's 2 gaps: suggested only because no mentor with a free place "
        "covers any of them"
    )
    assert useful.pk not in {m.mentor.pk for m in suggestions(amara, [full], WHEN)}


def test_in_a_cohort_a_mentee_waits_rather_than_get_a_mentor_who_covers_nothing():
    """The one useful mentor goes to one of the two who need Testing; the other is left for a
    later run instead of being paired with someone who can teach them none of it."""
    mentees = [mentee(1, {10: 2}), mentee(2, {10: 1})]
    mentors = [mentor(101, {10: 4}), mentor(102, {12: 4})]

    chosen = assign_cohort(mentees, mentors, WHEN)

    assert [(c.mentee.pk, c.mentor.pk) for c in chosen] == [(1, 101)]


def test_someone_with_no_gaps_may_get_any_allowed_mentor_and_is_told_why():
    (match,) = suggestions(mentee(1, {}, name="Léa Dubois"), [mentor(101, {10: 4})], WHEN)

    assert match.reasons[0] == "Léa has no skill gaps to cover"


# --- Why this match -------------------------------------------------------------------------


def test_why_this_match_reads_as_sentences():
    amara = mentee(
        1, {10: 3, 11: 2, 12: 2, 13: 1, 14: 1}, team=1, tz="Europe/Berlin", name="Amara Nwosu"
    )
    later = mentor(101, {10: 4, 12: 3, 13: 4, 99: 4}, capacity=2, team=2, tz="Atlantic/Azores")

    match = score(amara, later, WHEN)

    assert match.reasons == [
        "covers 3 of Amara's 5 gaps: Testing, Data pipelines, Privacy",
        "another team",
        "Senior, one career stage ahead",
        "works 2 hours later than Amara: 6 hours of the working day shared",
        "2 of 2 mentoring places free",
    ]


def test_the_reasons_follow_what_differs():
    amara = mentee(1, {10: 1}, team=1, stage="senior", name="Amara Nwosu")
    earlier = mentor(101, {10: 4}, capacity=3, active=2, team=1, tz="Asia/Kolkata")
    far = mentor(102, {10: 4}, team=1, stage="principal", tz="America/Los_Angeles")

    assert score(amara, earlier, WHEN).reasons == [
        "covers Amara's only gap: Testing",
        "the same team as Amara",
        "Senior, the same career stage as Amara",
        "works 4 hours 30 minutes earlier than Amara: 3 hours 30 minutes of the working day shared",
        "1 of 3 mentoring places free",
    ]
    reasons = score(amara, far, WHEN).reasons
    assert reasons[2] == "Principal, two career stages ahead"
    assert reasons[3] == "works 9 hours later than Amara: no working hours shared"
    assert score(amara, mentor(103, {10: 4}), WHEN).reasons[3] == "works the same hours as Amara"
    two = mentee(2, {10: 2, 11: 1}, name="Ben Carter")
    assert score(two, mentor(104, {10: 4, 11: 3}), WHEN).reasons[0] == (
        "covers all 2 of Ben's gaps: Testing, Evaluation"
    )


def test_the_breakdown_names_every_criterion():
    match = score(
        mentee(1, {10: 2, 11: 1}, team=1, tz="Europe/Berlin"),
        mentor(101, {10: 4}, capacity=2, team=2, stage="staff", tz="Europe/London"),
        WHEN,
    )

    assert match.breakdown == {
        "gaps covered": 2.0,  # gap 2 × level 4 / 4; skill 11 is not offered
        "cross-team": 1.0,
        "career stage": 0.75,  # two stages ahead
        "time zones": 0.875,  # one hour apart: 7 of 8 working hours shared
        "capacity left": 0.5,
    }
    assert match.covered == [10]
    assert match.score == pytest.approx(5.125)


# --- The page and the API -------------------------------------------------------------------


@pytest.fixture
def offer(org):
    """outsider (senior, another team, no line to the manager) offers Coding to the peer."""
    make_expert(org.outsider, "coding", level=4)
    open_mentor(org.outsider, capacity=1, skills=["coding"])
    return org.outsider


def _first_name(person: Person) -> str:
    return person.display_name.split()[0]


def test_the_match_page_says_why_in_words_with_the_numbers_one_click_away(org, client, offer):
    client.force_login(org.manager.user)

    page = client.get(reverse("mentoring:match"), {"mentee": org.peer.pk}).content.decode()

    gaps = len(selectors.mentee_facts(org.peer).gaps)
    assert f"covers 1 of {_first_name(org.peer)}&#x27;s {gaps} gaps: Coding" in page
    assert "another team" in page and "Senior, one career stage ahead" in page
    assert "works the same hours as" in page
    numbers = page[page.index('<details class="small">') :].split("</details>")[0]
    assert "<summary>" in numbers and "cross-team: 1.00" in numbers
    assert "cross-team: 1.00" not in page.replace(numbers, "")  # only behind the click


def test_every_name_on_the_match_page_opens_a_page_about_that_person(org, client, offer):
    client.force_login(org.manager.user)
    page = client.get(reverse("mentoring:match"), {"mentee": org.peer.pk}).content.decode()

    cells = re.findall(r'<td><a href="([^"]+)">([^<]+)</a></td>', page)
    links = {name: href for href, name in cells}

    assert set(links) == {org.peer.display_name, offer.display_name}
    assert links[org.peer.display_name] == org.peer.get_absolute_url()
    for name, href in links.items():
        opened = client.get(href.replace("&amp;", "&"))
        assert opened.status_code == 200 and name in opened.content.decode()


def test_proposing_keeps_the_reasons_on_the_mentorship(org, client, offer):
    client.force_login(org.manager.user)

    client.post(
        reverse("mentoring:propose"),
        {"mentor": offer.pk, "mentee": org.peer.pk, "cadence": "weekly"},
    )

    mentorship = org.peer.mentorships_as_mentee.get()
    assert "another team" in mentorship.match_breakdown["reasons"]
    assert mentorship.match_breakdown["cross-team"] == 1.0
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert "<li>another team</li>" in page and "cross-team: 1.00" in page


def test_proposing_through_the_api_keeps_the_reasons_too(org, api, offer):
    response = api(org.manager).post(
        "/api/mentorships/", {"mentor": offer.pk, "mentee": org.peer.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    mentorship = org.peer.mentorships_as_mentee.get()
    assert "another team" in mentorship.match_breakdown["reasons"]
    assert mentorship.match_breakdown["cross-team"] == 1.0


def test_the_api_gives_the_reasons_and_the_breakdown(org, api, offer):
    response = api(org.manager).get(reverse("api:mentor-matches"), {"mentee": org.peer.pk})

    (match,) = response.json()
    assert match["mentor"] == {"id": offer.pk, "name": offer.display_name}
    assert "another team" in match["reasons"]
    assert match["reasons"][0].startswith(f"covers 1 of {_first_name(org.peer)}'s")
    assert match["breakdown"]["cross-team"] == 1.0
    assert match["score"] == pytest.approx(sum(match["breakdown"].values()), abs=1e-3)


def test_a_staff_manager_is_not_offered_a_senior_mentor_on_the_page(org, client, offer):
    client.force_login(org.director.user)

    page = client.get(reverse("mentoring:match"), {"mentee": org.manager.pk}).content.decode()

    assert offer.display_name not in page
    assert "Nobody can be offered to" in page


def test_the_demo_managers_get_sensible_suggestions(db):
    """Inès and Maya each see a cohort where every pair would make sense to the people in it:
    a useful mentor, at their stage or above, from outside their line. Tomás has nobody left to
    match: both his early-career engineers have a mentor in the demo (Amara, Lars; Ben, Sofia)."""
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    tomas = Person.objects.get(user__username="tomas")
    early = Person.objects.filter(manager=tomas, career_stage="early_career")
    assert early.count() == 2
    assert all(Mentorship.objects.open().filter(mentee=p).exists() for p in early)
    assert (
        selectors.cohort_matches(mentees=list(selectors.matchable_mentees(user=tomas.user))) == []
    )
    mentors = selectors.mentor_facts()
    for login in ("ines", "maya"):
        manager = Person.objects.get(user__username=login)
        mentees = list(selectors.matchable_mentees(user=manager.user))

        chosen = selectors.cohort_matches(mentees=mentees)

        assert chosen, login
        facts = [selectors.mentee_facts(p) for p in mentees]
        assert_every_rule_holds(chosen, facts, mentors)
        assert all(c.covered for c in chosen), login
        assert not any(c.mentee.career_stage in ("staff", "principal") for c in chosen)


def test_a_mentor_above_the_line_is_not_offered_even_as_a_last_resort(org):
    """The director, open to mentoring, is in the peer's reporting line: not offered, even when
    nobody else is free."""
    make_expert(org.director, "coding", level=4)
    open_mentor(org.director, capacity=2, skills=["coding"])

    assert selectors.match_suggestions(mentee=org.peer) == []
