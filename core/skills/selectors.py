"""Reads for the skill matrix. Whose matrix you may see is decided by `Person.objects.visible_to`;
who may assess whom and who may read assessment notes is decided here, once.

Every page and API endpoint that lists many people (heatmap, coverage, experts) runs a fixed
number of queries, whatever the number of people: levels come from one window-function query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.urls import reverse

from core.models import CareerStage, Person, Team
from core.selectors import person_get_visible, person_of
from core.skills import charts
from core.skills.access import assessor_rules
from core.skills.models import (
    Assessment,
    AssessorRole,
    Evidence,
    Level,
    ReviewRequest,
    Skill,
    SkillGroup,
    SkillTarget,
)
from core.skills.suggestions import Suggestion, suggestions_for

EXPERT = Level.EXPERT  # "strong in a skill" and "an expert" both mean level 3 or more
HEATMAP_PAGE_SIZE = 100
GROWTH_PLAN_SIZE = 5

# --- The catalog ----------------------------------------------------------------------------


def skill_list_with_targets() -> QuerySet[Skill]:
    return Skill.objects.active().prefetch_related("targets")


def skill_get(*, slug: str) -> Skill:
    """Any skill, retired ones included: their pages and history stay readable."""
    skill = Skill.objects.prefetch_related("targets").filter(slug=slug).first()
    if skill is None:
        raise Http404("No such skill.")
    return skill


def targets_by_stage(*, skill: Skill) -> list[tuple[str, int | None]]:
    levels = {t.career_stage: t.level for t in skill.targets.all()}
    return [(label, levels.get(value)) for value, label in CareerStage.choices]


# --- Who may assess whom, and read what -----------------------------------------------------


def is_manager_of(*, manager: Person, subject: Person) -> bool:
    return Person.objects.reports_of(manager).filter(pk=subject.pk).exists()


def assessor_role_for(*, assessor: Person | None, subject: Person) -> str | None:
    """The role in which `assessor` may rate `subject`, or None if they may not.

    Self first, then manager (direct or transitive), then roles registered by other apps
    (mentor), then staff: the most specific role wins.
    """
    if assessor is None or not assessor.user.is_active:
        return None
    if assessor.pk == subject.pk:
        return AssessorRole.SELF
    if is_manager_of(manager=assessor, subject=subject):
        return AssessorRole.MANAGER
    for rule in assessor_rules():
        role, holders = rule(subject)
        if Person.objects.filter(holders, pk=assessor.pk).exists():
            return role
    if assessor.user.is_staff:
        return AssessorRole.STAFF
    return None


def person_get_assessable(*, user: AbstractBaseUser, pk: int) -> tuple[Person, str]:
    """The person and the role in which `user` may assess them; 404 for anyone else."""
    subject = person_get_visible(user=user, pk=pk)
    role = assessor_role_for(assessor=person_of(user), subject=subject)
    if role is None:
        raise Http404("No such person.")
    return subject, role


def managers_of(person: Person) -> list[Person]:
    """The reporting line above `person`, nearest first (a few rows: one query a level)."""
    chain: list[Person] = []
    seen = {person.pk}
    manager_id = person.manager_id
    while manager_id and manager_id not in seen:
        manager = Person.objects.select_related("user").get(pk=manager_id)
        chain.append(manager)
        seen.add(manager.pk)
        manager_id = manager.manager_id
    return chain


def reviewer_candidates(*, person: Person) -> QuerySet[Person]:
    """Whom `person` may ask for a review: their managers, and mentors once mentoring exists."""
    q = Q(pk__in=[m.pk for m in managers_of(person)])
    for rule in assessor_rules():
        q |= rule(person)[1]
    return (
        Person.objects.filter(q, user__is_active=True)
        .exclude(pk=person.pk)
        .select_related("user")
        .distinct()
    )


def with_note_visibility(
    assessments: QuerySet[Assessment], *, user: AbstractBaseUser
) -> QuerySet[Assessment]:
    """Annotate `note_visible`: notes are for the subject, the assessor, the subject's managers
    (transitively) and staff. Everyone else who may see the matrix sees levels, not notes."""
    if user.is_staff:
        return assessments.annotate(note_visible=Value(True, output_field=BooleanField()))
    viewer = person_of(user)
    if viewer is None:
        return assessments.annotate(note_visible=Value(False, output_field=BooleanField()))
    reports = Person.objects.reports_of(viewer).values("pk")
    return assessments.annotate(
        note_visible=Case(
            When(
                Q(subject=viewer) | Q(assessor=viewer) | Q(subject__in=reports),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# --- One person's matrix --------------------------------------------------------------------


@dataclass
class MatrixRow:
    skill: Skill
    target: int | None = None
    current: int | None = None  # the latest level given by a reviewer
    current_role: str = ""
    assessed_at: datetime | None = None
    self_level: int | None = None
    history: list[int] = field(default_factory=list)  # reviewer levels, oldest first
    evidence_count: int = 0

    @property
    def gap(self) -> int | None:
        """Target − current; an unassessed skill counts as level 0. Negative: above target."""
        if self.target is None:
            return None
        return self.target - (self.current or 0)

    @property
    def self_difference(self) -> int | None:
        """Self − reviewer: positive when people rate themselves higher than reviewers do."""
        if self.self_level is None or self.current is None:
            return None
        return self.self_level - self.current

    @property
    def trend(self) -> int | None:
        """Change since the previous reviewer assessment, or None with fewer than two."""
        if len(self.history) < 2:
            return None
        return self.history[-1] - self.history[-2]

    @property
    def next_level(self) -> int | None:
        level = (self.current or 0) + 1
        return level if level <= Level.LEADING else None


@dataclass
class GrowthItem:
    row: MatrixRow
    suggestions: list[Suggestion]

    @property
    def next_step(self) -> str:
        return self.row.skill.rubric_for(self.row.next_level) if self.row.next_level else ""


@dataclass
class Matrix:
    person: Person
    rows: list[MatrixRow]

    @property
    def groups(self) -> list[tuple[str, list[MatrixRow]]]:
        by_group = defaultdict(list)
        for row in self.rows:
            by_group[row.skill.group].append(row)
        return [(label, by_group[value]) for value, label in SkillGroup.choices if by_group[value]]

    @property
    def assessed(self) -> bool:
        return any(row.current is not None or row.self_level is not None for row in self.rows)

    def gaps(self) -> list[MatrixRow]:
        """Rows below target, biggest gap first (catalog order breaks ties)."""
        below = [row for row in self.rows if row.gap and row.gap > 0]
        return sorted(below, key=lambda row: -row.gap)


def person_matrix(*, person: Person) -> Matrix:
    """Every active skill with current, self, target, history and evidence: four queries."""
    skills = list(Skill.objects.active())
    targets = dict(
        SkillTarget.objects.filter(career_stage=person.career_stage).values_list(
            "skill_id", "level"
        )
    )
    rows = {skill.pk: MatrixRow(skill=skill, target=targets.get(skill.pk)) for skill in skills}
    assessments = (
        Assessment.objects.filter(subject=person, skill_id__in=rows)
        .order_by("created_at", "pk")
        .values_list("skill_id", "assessor_role", "level", "created_at")
    )
    for skill_id, role, level, created_at in assessments:
        row = rows[skill_id]
        if role == AssessorRole.SELF:
            row.self_level = level
        else:
            row.current, row.current_role, row.assessed_at = level, role, created_at
            row.history.append(level)
    evidence = (
        Evidence.objects.filter(person=person, skill_id__in=rows)
        .values("skill_id")
        .annotate(n=Count("pk"))
        .values_list("skill_id", "n")
    )
    for skill_id, n in evidence:
        rows[skill_id].evidence_count = n
    return Matrix(person=person, rows=list(rows.values()))


def growth_plan(*, matrix: Matrix, limit: int = GROWTH_PLAN_SIZE) -> list[GrowthItem]:
    """The biggest gaps first, each with what other apps suggest to close it."""
    return [
        GrowthItem(
            row=row,
            suggestions=suggestions_for(person=matrix.person, skill=row.skill, gap=row.gap),
        )
        for row in matrix.gaps()[:limit]
    ]


def assessment_history(
    *, user: AbstractBaseUser, subject: Person, skill: Skill
) -> QuerySet[Assessment]:
    return with_note_visibility(
        Assessment.objects.filter(subject=subject, skill=skill).select_related("assessor__user"),
        user=user,
    )


def evidence_for(*, person: Person, skill: Skill) -> QuerySet[Evidence]:
    return Evidence.objects.filter(person=person, skill=skill).select_related("created_by__user")


# --- Many people at once: heatmap, coverage, experts ----------------------------------------


def latest_reviewer_levels(*, people_ids) -> dict[tuple[int, int], int]:
    """{(person id, skill id): current level} for active skills, in one query."""
    rows = (
        Assessment.objects.by_reviewers()
        .filter(subject_id__in=people_ids, skill__retired=False)
        .latest_per_person_and_skill()
        .values_list("subject_id", "skill_id", "level")
    )
    return {(subject_id, skill_id): level for subject_id, skill_id, level in rows}


def team_and_subteams(team: Team) -> list[int]:
    """The ids of `team` and every team nested in it, from one query over all teams."""
    children = defaultdict(list)
    for pk, parent_id in Team.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, todo = [], [team.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children[pk])
    return found


@dataclass
class HeatCell:
    skill: Skill
    level: int | None
    target: int | None

    @property
    def gap(self) -> int | None:
        if self.target is None:
            return None
        return self.target - (self.level or 0)


@dataclass
class HeatRow:
    person: Person
    cells: list[HeatCell]

    @property
    def gap_count(self) -> int:
        return sum(1 for cell in self.cells if cell.gap and cell.gap > 0)


@dataclass
class Heatmap:
    skills: list[Skill]
    rows: list[HeatRow]
    page: Page


def heatmap_people(
    *, user: AbstractBaseUser, team: Team | None = None, career_stage: str = ""
) -> QuerySet[Person]:
    people = (
        Person.objects.visible_to(user).filter(user__is_active=True).select_related("user", "team")
    )
    if team is not None:
        people = people.filter(team_id__in=team_and_subteams(team))
    if career_stage:
        people = people.filter(career_stage=career_stage)
    return people


def heatmap(
    *,
    user: AbstractBaseUser,
    team: Team | None = None,
    career_stage: str = "",
    page_number=None,
    per_page: int = HEATMAP_PAGE_SIZE,
) -> Heatmap:
    """People you may see × active skills, a page at a time, in a fixed number of queries."""
    people = heatmap_people(user=user, team=team, career_stage=career_stage)
    page = Paginator(people, per_page).get_page(page_number)
    return heatmap_for(people=list(page.object_list), page=page)


def heatmap_for(*, people: list[Person], page: Page | None = None) -> Heatmap:
    skills = list(Skill.objects.active())
    targets = {
        (stage, skill_id): level
        for stage, skill_id, level in SkillTarget.objects.values_list(
            "career_stage", "skill_id", "level"
        )
    }
    levels = latest_reviewer_levels(people_ids=[person.pk for person in people])
    rows = [
        HeatRow(
            person=person,
            cells=[
                HeatCell(
                    skill=skill,
                    level=levels.get((person.pk, skill.pk)),
                    target=targets.get((person.career_stage, skill.pk)),
                )
                for skill in skills
            ],
        )
        for person in people
    ]
    return Heatmap(skills=skills, rows=rows, page=page)


@dataclass
class CoverageRow:
    skill: Skill
    per_level: list[int]  # people at level 0, 1, 2, 3, 4
    not_assessed: int

    @property
    def experts(self) -> int:
        return sum(self.per_level[EXPERT:])


def coverage() -> tuple[int, list[CoverageRow]]:
    """How many active people sit at each level of each skill: three queries."""
    people = Person.objects.filter(user__is_active=True)
    total = people.count()
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(Level.choices))
    latest = (
        Assessment.objects.by_reviewers()
        .filter(subject__in=people.values("pk"), skill__retired=False)
        .latest_per_person_and_skill()
        .values_list("skill_id", "level")
    )
    for skill_id, level in latest:
        counts[skill_id][level] += 1
    rows = [
        CoverageRow(
            skill=skill,
            per_level=counts[skill.pk],
            not_assessed=total - sum(counts[skill.pk]),
        )
        for skill in Skill.objects.active()
    ]
    return total, rows


def skill_experts(*, skill: Skill) -> QuerySet[Assessment]:
    """Who is strong in `skill` (current level 3 or 4), across teams: for "who can help me?"."""
    latest = (
        Assessment.objects.by_reviewers()
        .filter(skill=skill, subject__user__is_active=True)
        .latest_per_person_and_skill()
    )
    return (
        Assessment.objects.filter(pk__in=latest.values("pk"), level__gte=EXPERT)
        .select_related("subject__user", "subject__team")
        .order_by("-level", "subject__user__first_name", "subject__user__last_name", "pk")
    )


# --- Lists for the API ----------------------------------------------------------------------


def assessment_list_visible(*, user: AbstractBaseUser) -> QuerySet[Assessment]:
    """Assessments of people whose matrix `user` may see, with `note_visible` annotated."""
    visible = Person.objects.visible_to(user).values("pk")
    return with_note_visibility(
        Assessment.objects.filter(subject__in=visible).select_related("skill", "assessor__user"),
        user=user,
    )


def evidence_list_visible(*, user: AbstractBaseUser) -> QuerySet[Evidence]:
    visible = Person.objects.visible_to(user).values("pk")
    return Evidence.objects.filter(person__in=visible).select_related("skill", "created_by__user")


# --- Review requests ------------------------------------------------------------------------


def review_requests_of(*, person: Person) -> QuerySet[ReviewRequest]:
    """Requests `person` sent or received, open ones first."""
    return (
        ReviewRequest.objects.filter(Q(requester=person) | Q(reviewer=person))
        .select_related("skill", "requester__user", "reviewer__user")
        .order_by("-status", "-created_at", "-pk")  # "open" sorts after "done": reversed
    )


def review_requests_received(*, person: Person, open_only: bool = False) -> QuerySet[ReviewRequest]:
    requests = review_requests_of(person=person).filter(reviewer=person)
    return requests.filter(status=ReviewRequest.Status.OPEN) if open_only else requests


def review_requests_sent(*, person: Person) -> QuerySet[ReviewRequest]:
    return review_requests_of(person=person).filter(requester=person)


# --- Home dashboard panels ------------------------------------------------------------------

HOME_GAPS = 3  # the gaps the home page names, each with what closes it
HOME_ROWS = 5


def skills_panel_context(request: HttpRequest) -> dict | None:
    """An engineer's radar, their three biggest gaps with what other apps suggest to close
    them (labs, modules, people), and the reviews others asked of them."""
    person = person_of(request.user)
    if person is None:
        return None
    matrix = person_matrix(person=person)
    open_requests = review_requests_received(person=person, open_only=True)
    plan = growth_plan(matrix=matrix, limit=HOME_GAPS)
    for item in plan:
        item.suggestions = _first_of_each_source(item.suggestions)
    return {
        "person": person,
        "matrix": matrix,
        "radar": charts.radar(matrix.rows),
        "plan": plan,
        "gap_count": len(matrix.gaps()),
        "requests": list(open_requests[:HOME_ROWS]),
        "request_count": open_requests.count(),
    }


def _first_of_each_source(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One lab, one module, one mentor… for a gap: the home page is short; the growth plan
    lists them all."""
    seen: set[str] = set()
    kept = []
    for suggestion in suggestions:
        if suggestion.source not in seen:
            seen.add(suggestion.source)
            kept.append(suggestion)
    return kept


@dataclass
class SkillGapCount:
    skill: Skill
    below: int  # people below their target in it


def team_skills_panel_context(request: HttpRequest) -> dict | None:
    """A manager's team at a glance: the heatmap of everyone who reports to them, summed up as
    the skills most people are below target in and the people with the most gaps."""
    person = person_of(request.user)
    if person is None:
        return None
    people = list(
        Person.objects.reports_of(person)
        .filter(user__is_active=True)
        .select_related("user", "team")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    if not people:
        return None
    heat = heatmap_for(people=people)
    by_skill = [
        SkillGapCount(skill, sum(1 for row in heat.rows if (row.cells[i].gap or 0) > 0))
        for i, skill in enumerate(heat.skills)
    ]
    by_skill = sorted((s for s in by_skill if s.below), key=lambda s: -s.below)
    by_person = sorted((row for row in heat.rows if row.gap_count), key=lambda r: -r.gap_count)
    return {
        "people": len(people),
        "skills": len(heat.skills),
        "assessed": sum(1 for row in heat.rows if any(c.level is not None for c in row.cells)),
        "without_gaps": len(people) - len(by_person),
        "gap_skills": by_skill[:HOME_ROWS],
        "gap_people": by_person[:HOME_ROWS],
        "more_gap_people": max(len(by_person) - HOME_ROWS, 0),
    }


@dataclass
class LevelsAt:
    """A team's skill levels as they stood at one moment (the end of a quarter)."""

    moment: datetime
    assessed: int  # (person, skill) pairs with a reviewer level by then
    level_sum: int
    below_target: int  # pairs below the person's target then (unassessed counts as 0)

    @property
    def average(self) -> float | None:
        return round(self.level_sum / self.assessed, 1) if self.assessed else None


def team_levels_over_time(*, people: list[Person], moments: list[datetime]) -> list[LevelsAt]:
    """The team's reviewer levels at each moment (oldest first), from their assessment history:
    three queries whatever the number of people and assessments."""
    skills = [skill.pk for skill in Skill.objects.active()]
    targets = {
        (stage, skill_id): level
        for stage, skill_id, level in SkillTarget.objects.values_list(
            "career_stage", "skill_id", "level"
        )
    }
    history = (
        Assessment.objects.by_reviewers()
        .filter(subject__in=[p.pk for p in people], skill_id__in=skills)
        .filter(created_at__lte=max(moments))
        .order_by("created_at", "pk")
        .values_list("subject_id", "skill_id", "level", "created_at")
        .iterator()
    )
    stages = {p.pk: p.career_stage for p in people}
    levels: dict[tuple[int, int], int] = {}
    found = []
    upcoming = next(history, None)
    for moment in sorted(moments):
        while upcoming is not None and upcoming[3] <= moment:
            levels[upcoming[0], upcoming[1]] = upcoming[2]
            upcoming = next(history, None)
        below = sum(
            1
            for pk, stage in stages.items()
            for skill_id in skills
            if targets.get((stage, skill_id), 0) > levels.get((pk, skill_id), 0)
        )
        found.append(LevelsAt(moment, len(levels), sum(levels.values()), below))
    return found


# --- Person page section (core.person_sections) ---------------------------------------------

PERSON_PAGE_GAPS = 3


def person_skills_section(*, viewer: AbstractBaseUser, person: Person) -> dict:
    """A person's skill matrix in numbers, for their page: skills a reviewer has assessed, at or
    above target, below it (the biggest gaps named), and where the radar and the full matrix
    are. Whoever may see the person may see their matrix (four queries)."""
    matrix = person_matrix(person=person)
    gaps = matrix.gaps()
    own = person.user_id == viewer.pk
    return {
        "skills": len(matrix.rows),
        "assessed": sum(row.current is not None for row in matrix.rows),
        "self_rated": sum(row.self_level is not None for row in matrix.rows),
        "on_target": sum(row.gap is not None and row.gap <= 0 for row in matrix.rows),
        "below": len(gaps),
        "gaps": gaps[:PERSON_PAGE_GAPS],
        "url": reverse("skills:index") if own else reverse("skills:person", args=[person.pk]),
    }
