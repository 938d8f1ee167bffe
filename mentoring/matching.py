"""Mentor matching: scores per criterion, hard rules, and the optimal cohort assignment.

Everything here works on plain data (`MenteeFacts`, `MentorFacts`) so that scoring and the
assignment can be checked without a database; `mentoring.selectors` builds the facts.

Hard rules are constraints, never penalties: a pair they forbid is not a candidate at all, so no
score can outweigh them. Per pair: not yourself, nobody in your reporting line, no open pair in
either direction, a free place, and a mentor at your career stage or above. Per mentee: a mentor
who covers none of the gaps is a candidate only when no allowed mentor covers any. Per cohort run:
everyone has one role, so people with a free place as mentor are not matched as mentees.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.models import CareerStage

STAGE_RANK = {stage: rank for rank, stage in enumerate(CareerStage.values)}
STAGE_WORDS = {1: "one career stage", 2: "two career stages", 3: "three career stages"}
CROSS_TEAM_BONUS = 1.0
WORKDAY_HOURS = 8


@dataclass(frozen=True)
class MenteeFacts:
    pk: int
    name: str
    team_id: int | None
    career_stage: str
    timezone: str
    gaps: dict[int, int]  # skill id -> target − current (> 0), biggest first
    # Managers (the whole line) and anyone they share an open mentorship with, either way round.
    excluded_mentors: frozenset[int] = frozenset()
    gap_names: dict[int, str] = field(default_factory=dict)  # skill id -> name, for the reasons

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.name


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
    reasons: list[str] = field(default_factory=list)  # the breakdown in words, for people

    @property
    def score(self) -> float:
        return round(sum(self.breakdown.values()), 3)


# --- Criteria -------------------------------------------------------------------------------


def utc_offset_hours(tz_name: str, when: datetime.datetime) -> float:
    offset = when.astimezone(zoneinfo.ZoneInfo(tz_name)).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def hours_later(mentor_tz: str, mentee_tz: str, when: datetime.datetime) -> float:
    """How many hours after the mentee the mentor starts work (negative: before), -12..12."""
    later = (utc_offset_hours(mentee_tz, when) - utc_offset_hours(mentor_tz, when)) % 24
    return later - 24 if later > 12 else later


def timezone_overlap(a: str, b: str, when: datetime.datetime) -> float:
    """Share of an 8-hour working day (same local hours) the two have in common, 0..1."""
    return max(0.0, WORKDAY_HOURS - abs(hours_later(a, b, when))) / WORKDAY_HOURS


def stage_distance(mentor_stage: str, mentee_stage: str) -> int:
    return STAGE_RANK.get(mentor_stage, 0) - STAGE_RANK.get(mentee_stage, 0)


def stage_fit(mentor_stage: str, mentee_stage: str) -> float:
    """One or two stages ahead is best; the same stage scores nothing (behind is forbidden)."""
    return {1: 1.0, 2: 0.75, 3: 0.5}.get(stage_distance(mentor_stage, mentee_stage), 0.0)


# --- Hard rules -----------------------------------------------------------------------------


def allowed(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    """Rules for one pair: not yourself, nobody in your reporting line, no open pair either way,
    a free place, and never a mentor at a lower career stage than the mentee."""
    return (
        mentee.pk != mentor.pk
        and mentor.pk not in mentee.excluded_mentors
        and mentor.remaining > 0
        and stage_distance(mentor.career_stage, mentee.career_stage) >= 0
    )


def covers_a_gap(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    return any(skill in mentor.levels for skill in mentee.gaps)


def candidates(mentee: MenteeFacts, mentors: list[MentorFacts]) -> list[MentorFacts]:
    """The mentors one mentee may be offered. Someone who covers none of the gaps is offered
    only when no allowed mentor covers any: a person would rather wait for a useful mentor."""
    free = [mentor for mentor in mentors if allowed(mentee, mentor)]
    useful = [mentor for mentor in free if covers_a_gap(mentee, mentor)]
    return useful or free


def one_role_each(mentees: list[MenteeFacts], mentors: list[MentorFacts]) -> list[MenteeFacts]:
    """The mentees of a cohort run: people with a free place as mentor take part as mentors, so
    nobody is both in one assignment and no two people are matched to mentor each other."""
    mentoring = {mentor.pk for mentor in mentors if mentor.remaining > 0}
    return [mentee for mentee in mentees if mentee.pk not in mentoring]


# --- Scores and reasons ---------------------------------------------------------------------


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
    reasons = [
        gaps_reason(mentee, covered),
        team_reason(mentee, mentor),
        stage_reason(mentee, mentor),
        hours_reason(mentee, hours_later(mentor.timezone, mentee.timezone, when)),
        f"{mentor.remaining} of {mentor.capacity} mentoring places free",
    ]
    return Match(
        mentee=mentee, mentor=mentor, breakdown=breakdown, covered=covered, reasons=reasons
    )


def gaps_reason(mentee: MenteeFacts, covered: list[int]) -> str:
    whose, total = f"{mentee.first_name}'s", len(mentee.gaps)
    names = ", ".join(mentee.gap_names.get(skill, f"skill {skill}") for skill in covered)
    if not total:
        return f"{mentee.first_name} has no skill gaps to cover"
    if not covered:
        return (
            f"covers none of {whose} {_count(total, 'gap')}: suggested only because no mentor "
            "with a free place covers any of them"
        )
    if total == 1:
        return f"covers {whose} only gap: {names}"
    if len(covered) == total:
        return f"covers all {total} of {whose} gaps: {names}"
    return f"covers {len(covered)} of {whose} {total} gaps: {names}"


def team_reason(mentee: MenteeFacts, mentor: MentorFacts) -> str:
    if mentor.team_id != mentee.team_id:
        return "another team"
    return f"the same team as {mentee.first_name}"


def stage_reason(mentee: MenteeFacts, mentor: MentorFacts) -> str:
    label = dict(CareerStage.choices).get(mentor.career_stage, mentor.career_stage)
    distance = stage_distance(mentor.career_stage, mentee.career_stage)
    if distance <= 0:
        return f"{label}, the same career stage as {mentee.first_name}"
    return f"{label}, {STAGE_WORDS.get(distance, 'several career stages')} ahead"


def hours_reason(mentee: MenteeFacts, later: float) -> str:
    shared = max(0.0, WORKDAY_HOURS - abs(later))
    if not later:
        return f"works the same hours as {mentee.first_name}"
    direction = "later" if later > 0 else "earlier"
    overlap = f"{_hours(shared)} of the working day shared" if shared else "no working hours shared"
    return f"works {_hours(abs(later))} {direction} than {mentee.first_name}: {overlap}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _hours(hours: float) -> str:
    whole, minutes = int(hours), round((hours % 1) * 60)
    text = _count(whole, "hour") if whole else ""
    return f"{text} {minutes} minutes".strip() if minutes else text


# --- Suggestions and the cohort -------------------------------------------------------------


def suggestions(
    mentee: MenteeFacts, mentors: list[MentorFacts], when: datetime.datetime
) -> list[Match]:
    """Every mentor one mentee may be offered, best first."""
    found = [score(mentee, mentor, when) for mentor in candidates(mentee, mentors)]
    return sorted(found, key=lambda m: (-m.score, m.mentor.name))


def assign_cohort(
    mentees: list[MenteeFacts], mentors: list[MentorFacts], when: datetime.datetime
) -> list[Match]:
    """At most one mentor per mentee and no mentor over capacity, maximising the total score.

    Each unit of a mentor's remaining capacity is one column; a cell the hard rules forbid is
    worth 0 and dropped afterwards (every score is >= 0, so leaving a mentee unmatched is never
    worse than a forbidden pair, and a forbidden pair can never be chosen)."""
    mentees = one_role_each(mentees, mentors)
    slots = [mentor for mentor in mentors for _ in range(mentor.remaining)]
    if not mentees or not slots:
        return []
    matches: dict[tuple[int, int], Match] = {}
    weights = np.zeros((len(mentees), len(slots)))
    for i, mentee in enumerate(mentees):
        offered = {mentor.pk for mentor in candidates(mentee, mentors)}
        for j, mentor in enumerate(slots):
            if mentor.pk in offered:
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
