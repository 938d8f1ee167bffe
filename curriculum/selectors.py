"""Reads for curriculum: paths, enrolments and progress.

Progress is derived from what happened, never ticked by hand: a lab step is done when the person
has a passing grade in the lab, an evidence step when evidence of the skill (of the kind, if one
is named) is on their matrix, an activity step when the app that owns the activity says when they
did it (`core.activities`). A module is done when all its steps are.

`progress_for` works for many people and paths at once in a fixed number of queries (one per
kind of step, one per activity), whatever the number of people: a manager's team page stays cheap.
Whose progress you may see is `Person.objects.visible_to` (the person, their managers up the line,
their active mentors, staff).
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Min, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from core.activities import activity_done_at, activity_get
from core.models import Person
from core.selectors import person_of
from core.skills.models import Evidence, EvidenceKind
from core.skills.selectors import is_manager_of
from curriculum.models import Enrolment, Module, Path, Step, StepKind
from labs.models import Lab, Submission, SubmissionStatus

# --- Paths ----------------------------------------------------------------------------------


def path_queryset() -> QuerySet[Path]:
    """Paths with their modules, their skills and steps prefetched (four queries)."""
    return _with_steps(Path.objects.all())


def path_list() -> list[Path]:
    return list(path_queryset())


def path_get(*, slug: str) -> Path:
    path = _with_steps(Path.objects.filter(slug=slug)).first()
    if path is None:
        raise Http404("No such path.")
    return path


def _with_steps(paths: QuerySet[Path]) -> QuerySet[Path]:
    steps = Step.objects.select_related("skill").order_by("position")
    modules = Module.objects.prefetch_related("skills", Prefetch("steps", queryset=steps))
    return paths.prefetch_related(Prefetch("modules", queryset=modules.order_by("position")))


# --- Who may enrol whom ---------------------------------------------------------------------


def may_enrol(*, by: Person | None, person: Person) -> bool:
    """Yourself, or someone who reports to you (directly or through others)."""
    if by is None or not by.user.is_active:
        return False
    return by.pk == person.pk or is_manager_of(manager=by, subject=person)


def enrolment_list_visible(*, user: AbstractBaseUser) -> QuerySet[Enrolment]:
    return Enrolment.objects.visible_to(user).select_related(
        "person__user", "path", "enrolled_by__user"
    )


def enrolment_get(*, person: Person, path: Path) -> Enrolment:
    enrolment = Enrolment.objects.filter(person=person, path=path).select_related("person").first()
    if enrolment is None:
        raise Http404("Not enrolled in this path.")
    return enrolment


def reports_to_enrol(*, manager: Person, path: Path) -> QuerySet[Person]:
    """The people who report to `manager` and are not enrolled in `path` yet."""
    return (
        Person.objects.reports_of(manager)
        .filter(user__is_active=True)
        .exclude(path_enrolments__path=path)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


def team_of(*, user: AbstractBaseUser) -> QuerySet[Person]:
    """The people who report to the signed-in person (transitively) and whom they may see."""
    person = person_of(user)
    if person is None:
        return Person.objects.none()
    return (
        Person.objects.visible_to(user)
        .filter(pk__in=Person.objects.reports_of(person).values("pk"), user__is_active=True)
        .select_related("user", "team")
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- Progress -------------------------------------------------------------------------------


@dataclass
class StepProgress:
    step: Step
    title: str
    url: str  # where to go to do it; empty when there is nowhere (a lab not released yet)
    done_at: datetime.datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass
class ModuleProgress:
    module: Module
    steps: list[StepProgress]

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def steps_total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> bool:
        return self.steps_done == self.steps_total


@dataclass
class PathProgress:
    path: Path
    person: Person | None  # None: the outline, for an account without a profile
    modules: list[ModuleProgress]
    enrolment: Enrolment | None = None

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None

    @property
    def steps_done(self) -> int:
        return sum(module.steps_done for module in self.modules)

    @property
    def steps_total(self) -> int:
        return sum(module.steps_total for module in self.modules)

    @property
    def modules_done(self) -> int:
        return sum(module.done for module in self.modules)

    @property
    def modules_total(self) -> int:
        return len(self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def finished(self) -> bool:
        return self.steps_total > 0 and self.steps_done == self.steps_total


@dataclass
class Facts:
    """What happened, for some people and the steps of some paths: each kind in one query."""

    lab_passed: dict[tuple[int, str], datetime.datetime] = field(default_factory=dict)
    evidence_any: dict[tuple[int, int], datetime.datetime] = field(default_factory=dict)
    evidence_kind: dict[tuple[int, int, str], datetime.datetime] = field(default_factory=dict)
    activities: dict[str, dict[int, datetime.datetime]] = field(default_factory=dict)
    lab_titles: dict[str, str] = field(default_factory=dict)  # released labs only

    def done_at(self, step: Step, person_id: int) -> datetime.datetime | None:
        if step.kind == StepKind.LAB:
            return self.lab_passed.get((person_id, step.lab_slug))
        if step.kind == StepKind.EVIDENCE and step.evidence_kind:
            return self.evidence_kind.get((person_id, step.skill_id, step.evidence_kind))
        if step.kind == StepKind.EVIDENCE:
            return self.evidence_any.get((person_id, step.skill_id))
        return self.activities.get(step.activity, {}).get(person_id)


def progress_for(
    *, people: Iterable[Person], paths: Iterable[Path]
) -> dict[tuple[int, int], PathProgress]:
    """{(person id, path id): progress} for every pair, enrolled or not. `paths` come from
    `path_list()` (modules and steps prefetched)."""
    people, paths = list(people), list(paths)
    steps = [step for path in paths for module in path.modules.all() for step in module.steps.all()]
    facts = gather_facts(people_ids=[p.pk for p in people], steps=steps)
    enrolments = {
        (e.person_id, e.path_id): e
        for e in Enrolment.objects.filter(
            person__in=[p.pk for p in people], path__in=[p.pk for p in paths]
        ).select_related("enrolled_by__user")
    }
    return {
        (person.pk, path.pk): _path_progress(
            person, path, facts, enrolments.get((person.pk, path.pk))
        )
        for person in people
        for path in paths
    }


def gather_facts(*, people_ids: list[int], steps: list[Step]) -> Facts:
    lab_slugs = {s.lab_slug for s in steps if s.kind == StepKind.LAB}
    skill_ids = {s.skill_id for s in steps if s.kind == StepKind.EVIDENCE}
    activity_keys = {s.activity for s in steps if s.kind == StepKind.ACTIVITY}
    facts = Facts()
    if lab_slugs:
        facts.lab_titles = dict(
            Lab.objects.filter(
                slug__in=lab_slugs, is_published=True, current_version__isnull=False
            ).values_list("slug", "title")
        )
    if not people_ids:
        return facts
    if lab_slugs:
        facts.lab_passed = lab_passes(people_ids=people_ids, lab_slugs=lab_slugs)
    if skill_ids:
        _add_evidence(facts, people_ids=people_ids, skill_ids=skill_ids)
    for key in activity_keys:
        facts.activities[key] = activity_done_at(key, people_ids=people_ids)
    return facts


def _add_evidence(facts: Facts, *, people_ids: list[int], skill_ids: set[int]) -> None:
    """When each person first had evidence of each skill: of each kind, and of any kind."""
    rows = (
        Evidence.objects.filter(person_id__in=people_ids, skill_id__in=skill_ids)
        .values("person_id", "skill_id", "kind")
        .annotate(first=Min("created_at"))
    )
    for row in rows:
        key = (row["person_id"], row["skill_id"])
        facts.evidence_kind[(*key, row["kind"])] = row["first"]
        known = facts.evidence_any.get(key)
        facts.evidence_any[key] = min(known, row["first"]) if known else row["first"]


def lab_passes(
    *, people_ids: list[int], lab_slugs: Iterable[str]
) -> dict[tuple[int, str], datetime.datetime]:
    """{(person id, lab slug): when they first passed}: a graded submission whose score reaches
    the passing score of the version it was graded against (the rule labs applies when it records
    the pass as evidence). A submission still waiting for a human sign-off has not passed yet."""
    rows = Submission.objects.filter(
        person_id__in=people_ids,
        lab__slug__in=list(lab_slugs),
        status=SubmissionStatus.GRADED,
        score__isnull=False,
        max_score__gt=0,
    ).values_list(
        "person_id",
        "lab__slug",
        "score",
        "max_score",
        "graded_at",
        "version__spec__settings__passing_score",
    )
    passed: dict[tuple[int, str], datetime.datetime] = {}
    for person_id, slug, score, max_score, graded_at, passing_score in rows:
        percent = round(100 * score / max_score, 1)
        if percent < (100.0 if passing_score is None else passing_score) or graded_at is None:
            continue
        key = (person_id, slug)
        passed[key] = min(passed[key], graded_at) if key in passed else graded_at
    return passed


def _path_progress(person: Person | None, path: Path, facts: Facts, enrolment) -> PathProgress:
    modules = [
        ModuleProgress(
            module=module,
            steps=[
                StepProgress(
                    step=step,
                    title=step_title(step, facts),
                    url=_step_url(step, person, facts),
                    done_at=facts.done_at(step, person.pk) if person else None,
                )
                for step in module.steps.all()
            ],
        )
        for module in path.modules.all()
    ]
    return PathProgress(path=path, person=person, modules=modules, enrolment=enrolment)


def step_title(step: Step, facts: Facts) -> str:
    if step.title:
        return step.title
    if step.kind == StepKind.LAB:
        return f"Pass the lab “{facts.lab_titles.get(step.lab_slug, step.lab_slug)}”"
    if step.kind == StepKind.EVIDENCE:
        kind = f" ({EvidenceKind(step.evidence_kind).label.lower()})" if step.evidence_kind else ""
        return f"Evidence of {step.skill.name} on your skill matrix{kind}"
    activity = activity_get(step.activity)
    return activity.label if activity else step.activity


def _step_url(step: Step, person: Person | None, facts: Facts) -> str:
    if step.kind == StepKind.LAB:
        if step.lab_slug not in facts.lab_titles:
            return ""  # not imported or not released: no page to go to yet
        return reverse("labs:detail", kwargs={"slug": step.lab_slug})
    if step.kind == StepKind.EVIDENCE and person is None:
        return step.skill.get_absolute_url()
    if step.kind == StepKind.EVIDENCE:
        return reverse("skills:person-skill", kwargs={"pk": person.pk, "slug": step.skill.slug})
    activity = activity_get(step.activity)
    return activity.url if activity else ""


# --- Pages ----------------------------------------------------------------------------------


def path_progress(*, person: Person | None, path: Path) -> PathProgress:
    """`person`'s progress in `path`; without a person, the path's outline (nothing done)."""
    if person is None:
        steps = [step for module in path.modules.all() for step in module.steps.all()]
        return _path_progress(None, path, gather_facts(people_ids=[], steps=steps), None)
    return progress_for(people=[person], paths=[path])[(person.pk, path.pk)]


def paths_for(*, person: Person) -> list[PathProgress]:
    """Every path, with `person`'s progress in it (enrolled or not)."""
    paths = path_list()
    found = progress_for(people=[person], paths=paths)
    return [found[(person.pk, path.pk)] for path in paths]


def enrolled_progress(*, person: Person) -> list[PathProgress]:
    """The paths `person` is enrolled in, with their progress."""
    return [progress for progress in paths_for(person=person) if progress.enrolled]


@dataclass
class TeamRow:
    person: Person
    cells: list[PathProgress]  # one per path, in the order of the page's columns

    @property
    def enrolled(self) -> int:
        return sum(cell.enrolled for cell in self.cells)


def team_progress(*, user: AbstractBaseUser) -> tuple[list[Path], list[TeamRow]]:
    """The signed-in manager's reports × every path, in a fixed number of queries."""
    people = list(team_of(user=user))
    paths = path_list()
    found = progress_for(people=people, paths=paths)
    rows = [TeamRow(person, [found[(person.pk, path.pk)] for path in paths]) for person in people]
    return paths, rows


# --- A people filter for other apps (core.people_filters) -----------------------------------


def path_choices() -> list[tuple[str, str]]:
    return list(Path.objects.values_list("slug", "title"))


def people_enrolled_in(people: QuerySet[Person], slug: str) -> QuerySet[Person]:
    """Those of `people` enrolled in the path `slug` (e.g. a gradebook filtered by path)."""
    return people.filter(path_enrolments__path__slug=slug)


# --- Home panel (core.dashboard) ------------------------------------------------------------

HOME_ROWS = 5


def team_labs_panel_context(request) -> dict | None:
    """A manager's team and the released labs: who passed how many (the rule of `lab_passes`),
    the labs passed most, and who has passed none yet. None for someone without reports."""
    people = list(team_of(user=request.user))
    if not people:
        return None
    labs = list(
        Lab.objects.filter(is_published=True, current_version__isnull=False)
        .only("slug", "title")
        .order_by("title")
    )
    passes = lab_passes(people_ids=[p.pk for p in people], lab_slugs=[lab.slug for lab in labs])
    per_person = Counter(person_id for person_id, _ in passes)
    per_lab = Counter(slug for _, slug in passes)
    most_passed = sorted((lab for lab in labs if per_lab[lab.slug]), key=lambda x: -per_lab[x.slug])
    none_yet = [p for p in people if not per_person[p.pk]]
    possible = len(people) * len(labs)
    return {
        "people": len(people),
        "labs": len(labs),
        "passes": len(passes),
        "possible": possible,
        "percent": round(100 * len(passes) / possible) if possible else None,
        "with_a_pass": len(people) - len(none_yet),
        "most_passed": [(lab, per_lab[lab.slug]) for lab in most_passed[:3]],
        "none_yet": none_yet[:HOME_ROWS],
        "none_yet_count": len(none_yet),
    }


# --- Person page section (core.person_sections) ---------------------------------------------


def person_paths_section(*, viewer: AbstractBaseUser, person: Person) -> dict:
    """The learning paths the person is enrolled in, with their progress, as far as the viewer
    may see their enrolments (`Enrolment.objects.visible_to`). A fixed number of queries, as
    `progress_for`."""
    enrolled = set(
        Enrolment.objects.visible_to(viewer).filter(person=person).values_list("path_id", flat=True)
    )
    return {"paths": [p for p in enrolled_progress(person=person) if p.path.pk in enrolled]}
