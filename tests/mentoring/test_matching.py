"""Matching: hard rules, the per-criterion breakdown, and cohort optimality against brute force."""

import datetime
import itertools

import pytest

from mentoring.matching import MenteeFacts, MentorFacts, assign_cohort, score, suggestions

WHEN = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def mentee(pk, gaps, team=1, stage="early_career", tz="Europe/Berlin", excluded=()):
    return MenteeFacts(pk, f"mentee{pk}", team, stage, tz, gaps, frozenset(excluded))


def mentor(pk, levels, capacity=1, active=0, team=2, stage="senior", tz="Europe/Berlin"):
    return MentorFacts(pk, f"mentor{pk}", team, stage, tz, capacity, active, levels)


def brute_force_best(mentees, mentors) -> float:
    """Try every way of giving each mentee one mentor or none, within capacity."""
    from mentoring.matching import allowed

    best = 0.0
    options = [None, *mentors]
    for choice in itertools.product(options, repeat=len(mentees)):
        used = {}
        total = 0.0
        valid = True
        for m, chosen in zip(mentees, choice, strict=True):
            if chosen is None:
                continue
            used[chosen.pk] = used.get(chosen.pk, 0) + 1
            if not allowed(m, chosen) or used[chosen.pk] > chosen.remaining:
                valid = False
                break
            total += score(m, chosen, WHEN).score
        if valid:
            best = max(best, total)
    return best


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


@pytest.mark.parametrize("seed", range(6))
def test_random_cohorts_are_optimal_and_respect_capacity(seed):
    import random

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
    for m in mentors:
        assert sum(1 for c in chosen if c.mentor.pk == m.pk) <= m.remaining
    assert len({c.mentee.pk for c in chosen}) == len(chosen)
    assert all(c.mentor.pk not in c.mentee.excluded_mentors for c in chosen)


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
