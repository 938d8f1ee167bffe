"""Mentor matching: scores per criterion, hard rules, and the optimal cohort assignment.

Everything here works on plain data (`MenteeFacts`, `MentorFacts`) so that scoring and the
assignment can be checked without a database; `mentoring.selectors` builds the facts.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

STAGE_RANK = {"early_career": 0, "senior": 1, "staff": 2, "principal": 3}
CROSS_TEAM_BONUS = 1.0
WORKDAY_HOURS = 8


@dataclass(frozen=True)
class MenteeFacts:
    pk: int
    name: str
    team_id: int | None
    career_stage: str
    timezone: str
    gaps: dict[int, int]  # skill id -> target − current (> 0)
    excluded_mentors: frozenset[int] = frozenset()  # managers (whole line) and open pairs


@dataclass(frozen=True)
class MentorFacts:
    pk: int
    name: str
    team_id: int | None
    career_stage: str
    timezone: str
    capacity: int
    active_count: int
    levels: dict[int, int]  # offered skill id -> mentor's current level (>= 3)

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.active_count)


@dataclass
class Match:
    mentee: MenteeFacts
    mentor: MentorFacts
    breakdown: dict[str, float] = field(default_factory=dict)
    covered: list[int] = field(default_factory=list)  # gap skills the mentor offers

    @property
    def score(self) -> float:
        return round(sum(self.breakdown.values()), 3)


def utc_offset_hours(tz_name: str, when: datetime.datetime) -> float:
    offset = when.astimezone(zoneinfo.ZoneInfo(tz_name)).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def timezone_overlap(a: str, b: str, when: datetime.datetime) -> float:
    """Share of an 8-hour working day (same local hours) the two have in common, 0..1."""
    diff = abs(utc_offset_hours(a, when) - utc_offset_hours(b, when))
    diff = min(diff, 24 - diff)
    return max(0.0, WORKDAY_HOURS - diff) / WORKDAY_HOURS


def stage_fit(mentor_stage: str, mentee_stage: str) -> float:
    """One or two stages ahead is best; the same stage or behind scores nothing."""
    distance = STAGE_RANK.get(mentor_stage, 0) - STAGE_RANK.get(mentee_stage, 0)
    return {1: 1.0, 2: 0.75, 3: 0.5}.get(distance, 0.0)


def allowed(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    """Hard rules: not yourself, nobody in your reporting line, no open pair, capacity left."""
    return (
        mentee.pk != mentor.pk and mentor.pk not in mentee.excluded_mentors and mentor.remaining > 0
    )


def score(mentee: MenteeFacts, mentor: MentorFacts, when: datetime.datetime) -> Match:
    covered = [skill for skill in mentee.gaps if skill in mentor.levels]
    gap_points = sum(mentee.gaps[skill] * mentor.levels[skill] / 4 for skill in covered)
    breakdown = {
        "gaps covered": round(gap_points, 3),
        "cross-team": CROSS_TEAM_BONUS if mentor.team_id != mentee.team_id else 0.0,
        "career stage": stage_fit(mentor.career_stage, mentee.career_stage),
        "time zones": round(timezone_overlap(mentor.timezone, mentee.timezone, when), 3),
        "capacity left": round(0.5 * mentor.remaining / mentor.capacity, 3)
        if mentor.capacity
        else 0.0,
    }
    return Match(mentee=mentee, mentor=mentor, breakdown=breakdown, covered=covered)


def suggestions(
    mentee: MenteeFacts, mentors: list[MentorFacts], when: datetime.datetime
) -> list[Match]:
    """Every allowed mentor for one mentee, best first."""
    found = [score(mentee, mentor, when) for mentor in mentors if allowed(mentee, mentor)]
    return sorted(found, key=lambda m: (-m.score, m.mentor.name))


def assign_cohort(
    mentees: list[MenteeFacts], mentors: list[MentorFacts], when: datetime.datetime
) -> list[Match]:
    """At most one mentor per mentee and no mentor over capacity, maximising the total score.

    Each unit of a mentor's remaining capacity is one column; a pair the hard rules forbid is
    worth 0 and dropped afterwards (every score is >= 0, so leaving a mentee unmatched is never
    worse than a forbidden pair)."""
    slots = [mentor for mentor in mentors for _ in range(mentor.remaining)]
    if not mentees or not slots:
        return []
    matches: dict[tuple[int, int], Match] = {}
    weights = np.zeros((len(mentees), len(slots)))
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(slots):
            if allowed(mentee, mentor):
                key = (mentee.pk, mentor.pk)
                if key not in matches:
                    matches[key] = score(mentee, mentor, when)
                # A tiny bonus for being allowed at all, so an allowed pair scoring 0 still
                # beats leaving the mentee without a mentor.
                weights[i, j] = matches[key].score + 1e-6
    rows, cols = linear_sum_assignment(weights, maximize=True)
    chosen = [
        matches[(mentees[i].pk, slots[j].pk)]
        for i, j in zip(rows, cols, strict=True)
        if weights[i, j] > 0
    ]
    return sorted(chosen, key=lambda m: m.mentee.name)
