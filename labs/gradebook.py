"""The gradebook: each learner's standing in a lab, per lab and per learner, for their managers
and staff (issue 12).

Who is in it is decided once, in `gradebook_people`: staff see everyone, a manager the people who
report to them (directly or through others) and whom they may see; anybody else gets a 404.

A row is read from the learner's submissions to the lab, oldest attempt first, through the same
rules as a learner's own lab list (`labs.selectors`: what counts as an attempt, what passes against
the passing score of the version that graded it, the state in words), never a second copy. The
rows of a whole lab come from one query, streamed and grouped per learner as they arrive, so the
CSV export of any size holds one learner's submissions in memory at a time.
"""

import csv
import itertools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.timesince import timesince

from core.forms import LongSelect
from core.models import CareerStage, Person
from core.people_filters import filter_people, people_filters
from core.selectors import person_is_manager, person_of
from labs.models import Lab, Submission, SubmissionStatus
from labs.selectors import (
    LAB_STATES,
    NOT_COUNTING,
    Attempts,
    grade_passes,
    lab_list,
    lab_state,
    percent_of,
)

logger = logging.getLogger(__name__)

# What a learner's row is made of: one tuple per submission, oldest attempt first.
SUBMISSION_FIELDS = ("status", "score", "max_score", "pass_mark", "created_at", "graded_at")
PERSON_FIELDS = (
    "person_id",
    "person__user__first_name",
    "person__user__last_name",
    "person__user__username",
    "person__team__name",
    "person__career_stage",
)
NAME_ORDER = ("user__first_name", "user__last_name", "user__username", "pk")
CSV_CHUNK = 500  # rows fetched from the database at a time while the export streams

# Cells that a spreadsheet would run as a formula (OWASP "CSV injection"); tab and carriage
# return start one too in some spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = [
    "Learner",
    "Username",
    "Team",
    "Career stage",
    "Attempts",
    "Attempts allowed",
    "Latest status",
    "Latest score",
    "Best score",
    "Max score",
    "Passing score (%)",
    "Passed",
    "Result",
    "First submitted",
    "Passed at",
    "Time to complete",
]


@dataclass(frozen=True)
class GradebookRow:
    """One learner's standing in one lab."""

    lab: Lab
    attempts: Attempts
    state: str  # a key of labs.selectors.LAB_STATES
    max_score: float
    passing_score: float
    latest_status: str = ""  # "" when they have not submitted
    latest_score: float | None = None
    latest_max_score: float = 0.0
    best_score: float | None = None
    best_max_score: float = 0.0
    first_submitted_at: datetime | None = None
    passed_at: datetime | None = None
    person: Person | None = None

    @property
    def passed(self) -> bool:
        return self.state == "passed"

    @property
    def state_label(self) -> str:
        return LAB_STATES[self.state]

    @property
    def latest_status_label(self) -> str:
        return SubmissionStatus(self.latest_status).label if self.latest_status else ""

    @property
    def latest_percent(self) -> float | None:
        return percent_of(self.latest_score, self.latest_max_score)

    @property
    def best_percent(self) -> float | None:
        return percent_of(self.best_score, self.best_max_score)

    @property
    def time_to_complete(self) -> str:
        """From the first submission to the first passing grade, in words ("2 days")."""
        if self.first_submitted_at is None or self.passed_at is None:
            return ""
        # timesince joins number and unit with a no-break space: a plain one reads the same in a
        # page and does not surprise a spreadsheet.
        return timesince(self.first_submitted_at, self.passed_at, depth=1).replace("\xa0", " ")


# --- Who is in it -----------------------------------------------------------------------------


def gradebook_people(*, user) -> QuerySet[Person]:
    """The people whose grades `user` may read here: staff everyone, a manager their reports;
    404 for anybody else, so the page does not say that it exists."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such page.")
    if user.is_staff:
        return Person.objects.all()
    viewer = person_of(user)
    if not person_is_manager(viewer):
        raise Http404("No such page.")
    reports = Person.objects.reports_of(viewer).values("pk")
    return Person.objects.filter(
        pk__in=Person.objects.visible_to(user).filter(pk__in=reports).values("pk")
    )


class GradebookFilterForm(forms.Form):
    """One choice per registered people filter (team, career stage, and those apps add)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for people_filter in people_filters():
            self.fields[people_filter.key] = forms.ChoiceField(
                label=people_filter.label,
                required=False,
                choices=[("", "Any")] + list(people_filter.choices()),
                widget=LongSelect,  # the team filter lists every team of the organisation
            )

    def values(self) -> dict[str, str]:
        """The chosen filters; one whose value is not among its choices is left out (and the
        form says so), the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


# --- Per lab ----------------------------------------------------------------------------------


def lab_learners(*, user, lab: Lab, filters: dict[str, str]) -> QuerySet[Person]:
    """The learners of the lab (those who submitted it at least once) that `user` may see,
    narrowed by `filters`, by name."""
    tried = Submission.objects.filter(lab=lab, person=OuterRef("pk"))
    people = filter_people(gradebook_people(user=user), filters).filter(Exists(tried))
    return people.select_related("user", "team").order_by(*NAME_ORDER)


def lab_gradebook_rows(*, lab: Lab, people: Iterable[Person]) -> list[GradebookRow]:
    """A row for each of `people` (a page of `lab_learners`), in their order; one query."""
    people = list(people)
    submissions = (
        Submission.objects.filter(lab=lab, person__in=[p.pk for p in people])
        .with_outcome()
        .order_by("person_id", "attempt")
        .values_list("person_id", *SUBMISSION_FIELDS)
    )
    by_person: dict[int, list] = {}
    for person_id, *row in submissions:
        by_person.setdefault(person_id, []).append(row)
    settings = _lab_settings(lab)
    return [_row(lab, settings, by_person.get(person.pk, []), person=person) for person in people]


def lab_gradebook_csv(*, user, lab: Lab, filters: dict[str, str]) -> Iterator[str]:
    """The lab's gradebook as CSV lines: the header, then one line per learner. One query,
    read `CSV_CHUNK` rows at a time, whatever the number of learners and submissions. Who may
    read it is checked now (404), not when the lines are read."""
    people = filter_people(gradebook_people(user=user), filters)
    submissions = (
        Submission.objects.filter(lab=lab, person__in=people.values("pk"))
        .with_outcome()
        .order_by(*(f"person__{key}" for key in NAME_ORDER[:-1]), "person_id", "attempt")
        .values_list(*PERSON_FIELDS, *SUBMISSION_FIELDS)
    )
    return _csv_lines(lab, submissions)


def _csv_lines(lab: Lab, submissions: QuerySet) -> Iterator[str]:
    settings = _lab_settings(lab)
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    width = len(PERSON_FIELDS)
    rows = submissions.iterator(chunk_size=CSV_CHUNK)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        group = list(group)  # one learner's submissions
        _, first, last, username, team, stage = group[0][:width]
        row = _row(lab, settings, [r[width:] for r in group])
        name = f"{first} {last}".strip() or username
        yield writer.writerow(_csv_safe(_csv_cells(row, name, username, team, stage)))


def log_export(*, user, lab: Lab, filters: dict[str, str]) -> None:
    # No audit log yet (issue 12): an export of people's grades is at least on the record.
    logger.info(
        "Gradebook exported: lab=%s by user=%s (id %s), filters=%s",
        lab.slug,
        user.get_username(),
        user.pk,
        filters or "none",
    )


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_cells(row: GradebookRow, name: str, username: str, team, stage) -> list:
    return [
        name,
        username,
        team or "",
        CareerStage(stage).label if stage in CareerStage.values else stage,
        row.attempts.used,
        row.attempts.limit or "",
        row.latest_status_label,
        _score(row.latest_score),
        _score(row.best_score),
        _score(row.max_score),
        _score(row.passing_score),
        "yes" if row.passed else "no",
        row.state_label,
        row.first_submitted_at.isoformat() if row.first_submitted_at else "",
        row.passed_at.isoformat() if row.passed_at else "",
        row.time_to_complete,
    ]


def _csv_safe(cells: list) -> list:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return [
        f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
        for cell in cells
    ]


def _score(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


# --- Per learner ------------------------------------------------------------------------------


def learner_get(*, user, pk: int) -> Person:
    """A learner in `user`'s gradebook; 404 for anyone else."""
    person = gradebook_people(user=user).select_related("user", "team").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


def learner_gradebook_rows(*, person: Person) -> list[GradebookRow]:
    """A row for every released lab, tried or not; two queries whatever the number of labs."""
    labs = list(lab_list(user=None))
    submissions = (
        Submission.objects.filter(person=person, lab__in=labs)
        .with_outcome()
        .order_by("lab_id", "attempt")
        .values_list("lab_id", *SUBMISSION_FIELDS)
    )
    by_lab: dict[int, list] = {}
    for lab_id, *row in submissions:
        by_lab.setdefault(lab_id, []).append(row)
    return [_row(lab, _lab_settings(lab), by_lab.get(lab.pk, []), person=person) for lab in labs]


# --- One row ----------------------------------------------------------------------------------


def _lab_settings(lab: Lab) -> tuple[float, float, int]:
    """The current version's maximum, passing score and attempts limit (the spec, parsed once)."""
    spec = lab.current_version.get_spec()
    return spec.max_score, spec.settings.passing_score, spec.settings.max_attempts


def _row(lab: Lab, settings: tuple, submissions: list, person: Person | None = None):
    """A learner's row from their submissions (SUBMISSION_FIELDS, oldest attempt first)."""
    max_score, passing_score, limit = settings
    outcomes = [(status, score, top, mark) for status, score, top, mark, *_ in submissions]
    scored = [
        (score, top)
        for status, score, top, _ in outcomes
        if score is not None and status in (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)
    ]
    best = max(scored, key=lambda pair: percent_of(*pair) or 0.0, default=(None, 0.0))
    passes = [graded for *outcome, _, graded in submissions if grade_passes(*outcome) and graded]
    latest = submissions[-1] if submissions else None
    return GradebookRow(
        lab=lab,
        person=person,
        attempts=Attempts(
            used=sum(status not in NOT_COUNTING for status, *_ in outcomes), limit=limit
        ),
        state=lab_state(outcomes),
        max_score=max_score,
        passing_score=passing_score,
        latest_status=latest[0] if latest else "",
        latest_score=latest[1] if latest else None,
        latest_max_score=latest[2] if latest else 0.0,
        best_score=best[0],
        best_max_score=best[1],
        first_submitted_at=min((s[4] for s in submissions), default=None),
        passed_at=min(passes, default=None),
    )
