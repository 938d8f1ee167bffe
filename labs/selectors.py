"""Reads for labs. Submissions are scoped by `Submission.objects.visible_to(user)`.

What a learner reads about a grade is decided here, once, for the pages, the status endpoint the
submission page polls, and the API: passed or not against the passing score of the version that
graded it, the attempts used and left, and the words of the status banner.
"""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import Person
from core.selectors import person_of
from labs.models import (
    GradeAdjustment,
    GradingRun,
    Lab,
    LabProblemReport,
    Submission,
    SubmissionReview,
    SubmissionStatus,
)
from labs.querysets import DEFAULT_PASSING_SCORE

# What the submission page's banner says in each state, and its tone (an `alert--` style).
STATUS_BANNERS = {
    SubmissionStatus.QUEUED: (
        "info",
        "In the queue: grading starts as soon as a worker is free. This page updates by itself.",
    ),
    SubmissionStatus.RUNNING: (
        "info",
        "Being graded: the notebook is running in the sandbox. This page updates by itself.",
    ),
    SubmissionStatus.GRADED: ("success", "Graded: the results are below."),
    SubmissionStatus.NEEDS_REVIEW: (
        "warning",
        "Graded, waiting for a reviewer: a mentor or a member of staff signs this grade off "
        "before it counts.",
    ),
    SubmissionStatus.FAILED: (
        "error",
        "Failed to grade: the grader could not finish this notebook. It does not count as an "
        "attempt; you can submit it again.",
    ),
    SubmissionStatus.REJECTED: (
        "error",
        "Sent back by a reviewer: read their comment below. It does not count as an attempt; "
        "submit the lab again.",
    ),
}

# What each flag the grader raises means, for reviewers (unknown flags are shown as they are).
FLAG_WORDS = {
    "tamper_suspected": "Signs that the notebook's kernel was tampered with",
}


def lab_list(*, user) -> QuerySet[Lab]:
    """Released labs (the same for everyone: `lab_progress` adds the person's standing)."""
    return (
        Lab.objects.filter(is_published=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("title")
    )


@dataclass(frozen=True)
class Attempts:
    """A person's attempts at a lab. One that failed to grade does not count (nor does it
    count against the limit when they submit again)."""

    used: int
    limit: int  # 0: the lab does not limit attempts

    @property
    def left(self) -> int | None:
        return max(self.limit - self.used, 0) if self.limit else None

    def __str__(self) -> str:
        if not self.limit:
            return f"{_count(self.used, 'attempt')} used; this lab does not limit attempts."
        allowed = _count(self.limit, "attempt")
        return f"{allowed} allowed: {self.used} used, {self.left or 'none'} left."


@dataclass(frozen=True)
class LabProgress:
    """One person's standing in one lab, for their lab list."""

    lab: Lab
    max_score: float
    passing_score: float
    attempts: Attempts
    state: str  # a key of LAB_STATES
    best_score: float | None = None
    best_max_score: float = 0.0

    @property
    def best_percent(self) -> float | None:
        return percent_of(self.best_score, self.best_max_score)

    @property
    def state_label(self) -> str:
        return LAB_STATES[self.state]


# A person's standing in a lab, strongest first: the first that applies is shown.
LAB_STATES = {
    "passed": "Passed",
    "review": "Waiting for a reviewer's sign-off",
    "grading": "Being graded",
    "not_passed": "Not passed yet",
    "failed": "Not graded: grading failed, submit again",
    "rejected": "Sent back by a reviewer: submit again",
    "not_tried": "Not tried yet",
}


# Statuses that do not use up an attempt (as SubmissionQuerySet.counting_attempts).
NOT_COUNTING = (SubmissionStatus.FAILED, SubmissionStatus.REJECTED)


def lab_progress(*, user) -> list[LabProgress]:
    """Released labs with the signed-in person's best score out of the maximum, attempts and
    pass state; two queries whatever the number of labs and submissions."""
    labs = list(lab_list(user=user))
    person = person_of(user)
    rows: dict[int, list] = {lab.pk: [] for lab in labs}
    if person is not None:
        submissions = (
            Submission.objects.filter(person=person, lab__in=labs)
            .with_outcome()
            .values_list("lab_id", "status", "score", "max_score", "pass_mark")
        )
        for lab_id, *row in submissions:
            rows[lab_id].append(row)
    return [_lab_progress(lab, rows[lab.pk]) for lab in labs]


def lab_attempts(*, lab: Lab, user) -> Attempts:
    """The signed-in person's attempts at the lab, against its current limit."""
    person = person_of(user)
    used = lab.submissions.filter(person=person).counting_attempts().count() if person else 0
    return Attempts(used=used, limit=lab.current_version.get_spec().settings.max_attempts)


def _lab_progress(lab: Lab, rows: list) -> LabProgress:
    spec = lab.current_version.get_spec()
    scored = [
        (score, max_score)
        for status, score, max_score, _ in rows
        if score is not None and status in (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)
    ]
    best = max(scored, key=lambda pair: percent_of(*pair) or 0.0, default=(None, 0.0))
    return LabProgress(
        lab=lab,
        max_score=spec.max_score,
        passing_score=spec.settings.passing_score,
        attempts=Attempts(
            used=sum(status not in NOT_COUNTING for status, *_ in rows),
            limit=spec.settings.max_attempts,
        ),
        state=lab_state(rows),
        best_score=best[0],
        best_max_score=best[1],
    )


def lab_state(rows: list) -> str:
    statuses = {status for status, *_ in rows}
    if any(grade_passes(status, score, max_score, mark) for status, score, max_score, mark in rows):
        return "passed"
    for status, state in (
        (SubmissionStatus.NEEDS_REVIEW, "review"),
        (SubmissionStatus.QUEUED, "grading"),
        (SubmissionStatus.RUNNING, "grading"),
        (SubmissionStatus.GRADED, "not_passed"),
        (SubmissionStatus.REJECTED, "rejected"),
        (SubmissionStatus.FAILED, "failed"),
    ):
        if status in statuses:
            return state
    return "not_tried"


def lab_get(*, slug: str) -> Lab:
    lab = (
        Lab.objects.filter(slug=slug, is_published=True, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if lab is None:
        raise Http404("No such lab.")
    return lab


def submission_list(*, user, lab: Lab | None = None, mine_only: bool = True) -> QuerySet:
    submissions = (
        Submission.objects.visible_to(user)
        .with_outcome()
        .select_related("lab", "person__user", "version", "graded_version")
    )
    if mine_only:
        submissions = submissions.filter(person__user=user)
    if lab is not None:
        submissions = submissions.filter(lab=lab)
    return submissions


def submission_get(*, user, pk: int) -> Submission:
    submission = (
        Submission.objects.visible_to(user)
        .with_outcome()
        .select_related("lab", "version", "graded_version", "person__user")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    return submission


def submission_status(submission: Submission) -> dict:
    """What the submission page shows and polls: the status with its banner, the grade and
    whether it passed, in words too, the attempts, and the per-test results."""
    tone, banner = STATUS_BANNERS.get(submission.status, ("info", ""))
    attempts = submission_attempts(submission)
    return {
        "id": submission.pk,
        "lab": submission.lab.slug,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "banner": banner,
        "banner_tone": tone,
        "score": submission.score,
        "max_score": submission.max_score,
        "percent": submission.percent,
        "passing_score": submission_passing_score(submission),
        "passed": submission_passed(submission),
        "verdict": submission_verdict(submission),
        "attempts": {"used": attempts.used, "limit": attempts.limit, "left": attempts.left},
        "attempts_text": str(attempts),
        "results": submission.result_rows,
        "flags": submission.flags,
        "finished": submission.is_finished,
    }


def submission_passing_score(submission: Submission) -> float:
    """The passing score (percent) of the version that graded the submission."""
    mark = getattr(submission, "pass_mark", None)  # annotated by with_outcome()
    if mark is None:
        graded_by = submission.graded_version or submission.version
        settings = graded_by.spec.get("settings", {})
        mark = settings.get("passing_score", DEFAULT_PASSING_SCORE)
    return float(mark)


def submission_passed(submission: Submission) -> bool | None:
    """Whether a final grade reaches the passing score (the rule that records the pass as
    evidence); None while there is none: queued, being graded, waiting for a reviewer, or
    failed to grade."""
    if submission.status != SubmissionStatus.GRADED:
        return None
    return percent_passes(submission)


def submission_verdict(submission: Submission) -> str:
    """The grade in words: "Passed: 8 of 10 points (80%), the lab asks for 70%."."""
    if submission.status == SubmissionStatus.REJECTED:
        return "Not accepted: a reviewer sent this attempt back; it does not count."
    if submission.score is None or submission.status not in (
        SubmissionStatus.GRADED,
        SubmissionStatus.NEEDS_REVIEW,
    ):
        return ""
    grade = f"{_number(submission.score)} of {_count(submission.max_score, 'point')}"
    if submission.percent is not None:
        grade += f" ({_number(submission.percent)}%)"
    asks = f"the lab asks for {_number(submission_passing_score(submission))}%"
    if submission.status == SubmissionStatus.NEEDS_REVIEW:
        return f"Not final yet: {grade}, {asks}; it counts once a reviewer signs it off."
    verdict = "Passed" if submission_passed(submission) else "Not passed"
    return f"{verdict}: {grade}, {asks}."


def submission_attempts(submission: Submission) -> Attempts:
    """The attempts the submitter has used at the lab, against the lab's current limit."""
    used = getattr(submission, "attempts_used", None)  # annotated by with_outcome()
    limit = getattr(submission, "attempts_limit", None)
    if used is None or limit is None:
        mine = submission.lab.submissions.filter(person_id=submission.person_id)
        used = mine.counting_attempts().count()
        version = submission.lab.current_version
        limit = version.get_spec().settings.max_attempts if version else 0
    return Attempts(used=used, limit=limit)


def grade_passes(status: str, score: float | None, max_score: float, mark: float) -> bool:
    percent = percent_of(score, max_score)
    return status == SubmissionStatus.GRADED and percent is not None and percent >= mark


def percent_passes(submission: Submission) -> bool:
    """Whether a submission's grade is final and reaches its passing score."""
    mark = submission_passing_score(submission)
    return grade_passes(submission.status, submission.score, submission.max_score, mark)


def percent_of(score: float | None, max_score: float) -> float | None:
    """As `Submission.percent`: rounded to one decimal before it is compared with the mark."""
    if score is None or not max_score:
        return None
    return round(100 * score / max_score, 1)


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def _count(value: float, noun: str) -> str:
    return f"{_number(value)} {noun}{'' if value == 1 else 's'}"


# --- sign-off ---------------------------------------------------------------------------------


def may_review(*, submission: Submission, person: Person | None) -> bool:
    """Who signs a grade off: staff, or one of the learner's reviewers (their managers up the
    line, their active mentors: `reviewer_candidates`); never the learner themself."""
    if person is None or person.pk == submission.person_id or not person.user.is_active:
        return False
    return person.user.is_staff or _reviews(person, submission.person)


def may_grade(*, submission: Submission, person: Person | None) -> bool:
    """Who grades by hand and overrides points: staff, or the learner's active mentors (an
    assessor rule with the mentor role, registered by mentoring); never the learner."""
    from core.skills.access import assessor_rules
    from core.skills.models import AssessorRole

    if person is None or person.pk == submission.person_id or not person.user.is_active:
        return False
    if person.user.is_staff:
        return True
    mentors = Q(pk__in=[])
    for rule in assessor_rules():
        role, who = rule(submission.person)
        if role == AssessorRole.MENTOR:
            mentors |= who
    return Person.objects.filter(mentors, pk=person.pk).exists()


def review_queue(*, user) -> QuerySet[Submission]:
    """The submissions waiting for a sign-off that the user may give, the longest waiting first:
    staff see all of them; others those of the people they are a reviewer of."""
    viewer = person_of(user)
    if viewer is None or not user.is_active:
        return Submission.objects.none()
    waiting = (
        Submission.objects.visible_to(user)
        .awaiting_review()
        .exclude(person=viewer)
        .select_related("lab", "person__user")
    )
    if user.is_staff:
        return waiting
    from core.skills.access import assessed_by

    # The viewer reviews the people below them and those the apps' rules give them (mentees).
    others = assessed_by(viewer)
    if others is not None:
        below = Q(pk__in=Person.objects.reports_of(viewer).values("pk"))
        return waiting.filter(person__in=Person.objects.filter(below | others).values("pk"))
    # A rule that cannot list its people from the reviewer's side: asked once for each learner
    # who has something waiting, among those the viewer may see.
    learners = Person.objects.filter(pk__in=waiting.values("person_id"))
    mine = [p.pk for p in learners if _reviews(viewer, p)]
    return waiting.filter(person__in=mine)


def _reviews(viewer: Person, learner: Person) -> bool:
    from core.skills.selectors import reviewer_candidates

    return reviewer_candidates(person=learner).filter(pk=viewer.pk).exists()


def submission_to_review(*, user, pk: int) -> Submission:
    """A submission the user may sign off (waiting or not: the page shows what was decided);
    404 for anyone else."""
    submission = submission_get(user=user, pk=pk)
    if not may_review(submission=submission, person=person_of(user)):
        raise Http404("No such submission.")
    return submission


def submission_to_grade(*, user, pk: int) -> Submission:
    """A submission the user may grade by hand (staff, the learner's mentors); 404 otherwise."""
    submission = submission_get(user=user, pk=pk)
    if not may_grade(submission=submission, person=person_of(user)):
        raise Http404("No such submission.")
    return submission


def gradable_items(submission: Submission) -> list[dict]:
    """Each graded cell of the version that graded the submission, with its current points and
    the learner's answer where a person grades it: the rows of the grading page."""
    spec = (submission.graded_version or submission.version).get_spec()
    current = {r.get("id"): r for r in submission.result_rows}
    items = []
    for cell in spec.cells:
        if not cell.graded:
            continue
        result = current.get(cell.grade_id, {})
        manual = cell.role != "test"
        answer = submission.answers.get(cell.grade_id or "", {}) if manual else {}
        items.append(
            {
                "id": cell.grade_id,
                "title": cell.display_title,
                "manual": manual,
                "max_points": cell.points,
                "points": None if result.get("pending") else result.get("points"),
                "passed": result.get("passed"),
                "message": result.get("message", ""),
                "answer": answer.get("source", ""),
                "answer_type": answer.get("cell_type", "markdown"),
            }
        )
    return items


def grade_adjustments(submission: Submission) -> QuerySet[GradeAdjustment]:
    """Points given or changed by hand, oldest first: who, when, old → new, why."""
    return submission.adjustments.select_related("by__user")


def submission_reviews(submission: Submission) -> QuerySet[SubmissionReview]:
    """The sign-off history, oldest first."""
    return submission.reviews.select_related("reviewer__user")


def flag_words(flags: list[str]) -> list[str]:
    return [FLAG_WORDS.get(flag, flag.replace("_", " ").capitalize()) for flag in flags]


def labs_panel_context(request) -> dict | None:
    """An engineer's labs: how many of the released labs they passed, the ones in progress with
    their state (being graded, waiting for a sign-off, not passed yet…), and labs to try."""
    if person_of(request.user) is None:
        return None
    progress = lab_progress(user=request.user)
    in_progress = [p for p in progress if p.state not in ("passed", "not_tried")]
    return {
        "released": len(progress),
        "passed": sum(1 for p in progress if p.state == "passed"),
        "in_progress": in_progress[:HOME_ROWS],
        "in_progress_count": len(in_progress),
        "to_try": [p for p in progress if p.state == "not_tried"][:3],
    }


# --- Home panels (core.dashboard) -----------------------------------------------------------

HOME_ROWS = 5  # what a home panel lists before it points to the full page
ATTENTION_DAYS = 30  # the gradings "labs needing attention" looks at
ATTENTION_FAILED_SHARE = 10.0  # percent of gradings that produced no grade
ATTENTION_PASS_RATE = 20.0  # percent: a test almost nobody passes may be wrong
ATTENTION_MIN_ATTEMPTS = 5  # gradings of a test before its pass rate says anything


def signoff_panel_context(request) -> dict | None:
    """The submissions waiting for the signed-in reviewer's sign-off, the longest waiting
    first. None for someone who reviews nobody (no reports, no mentees, not staff)."""
    person = person_of(request.user)
    if person is None:
        return None
    waiting = review_queue(user=request.user)
    count = waiting.count()
    if not count and not (request.user.is_staff or _reviews_anyone(person)):
        return None
    return {"waiting": list(waiting[:HOME_ROWS]), "count": count}


def _reviews_anyone(person: Person) -> bool:
    from core.skills.access import assessed_by

    others = assessed_by(person)
    below = Q(pk__in=Person.objects.reports_of(person).values("pk"))
    return Person.objects.filter(below | others if others is not None else below).exists()


def grading_health_panel_context(request) -> dict | None:
    """Staff: the grading queue now, the last 24 hours' gradings and failures, and when a
    worker was last seen (a queue nobody consumes grows unnoticed otherwise)."""
    if not request.user.is_staff:
        return None
    from django.conf import settings

    from core.selectors import latest_worker_heartbeat
    from labs.analytics import grading_health

    health = grading_health()
    heartbeat = latest_worker_heartbeat()
    silent = (health.now - heartbeat.seen_at).total_seconds() if heartbeat else None
    return {
        "health": health,
        "heartbeat": heartbeat,
        "worker_ok": silent is not None and silent <= settings.HEALTH_WORKER_STALE_SECONDS,
        "oldest_wait": (
            timezone.now() - health.oldest_queued_at if health.oldest_queued_at else None
        ),
    }


@dataclass
class LabAttention:
    """What may be wrong with a released lab, from its recent gradings and open reports."""

    lab: Lab
    gradings: int = 0
    failed: int = 0  # gradings that produced no grade
    flaky: set = field(default_factory=set)  # titles of tests that disagreed on identical code
    hard: list = field(default_factory=list)  # (title, pass rate, attempts) of tests few pass
    problems: int = 0  # open problem reports

    @property
    def failed_share(self) -> float | None:
        return round(100 * self.failed / self.gradings, 1) if self.gradings else None

    @property
    def flaky_titles(self) -> list[str]:
        return sorted(self.flaky)

    @property
    def needs_attention(self) -> bool:
        failing = (self.failed_share or 0) >= ATTENTION_FAILED_SHARE
        return failing or bool(self.flaky or self.hard or self.problems)


def labs_attention_panel_context(request) -> dict | None:
    """Staff: the released labs whose last `ATTENTION_DAYS` days of gradings show failed
    gradings, flaky tests (labs.analytics' definition: one test passed and failed on identical
    code graded against the same version) or tests almost nobody passes, or that have open
    problem reports. Four queries whatever the number of gradings."""
    if not request.user.is_staff:
        return None
    labs = {
        lab.pk: LabAttention(lab)
        for lab in Lab.objects.filter(is_published=True, current_version__isnull=False)
        .only("slug", "title")
        .order_by("title")
    }
    runs = GradingRun.objects.filter(
        created_at__gte=timezone.now() - timedelta(days=ATTENTION_DAYS),
        submission__lab__in=list(labs),
    )
    _count_failed_gradings(labs, runs)
    _judge_tests(labs, runs)
    problems = (
        LabProblemReport.objects.filter(lab__in=list(labs), resolved_at__isnull=True)
        .values("lab_id")
        .annotate(n=Count("pk"))
        .values_list("lab_id", "n")
    )
    for lab_id, n in problems:
        labs[lab_id].problems = n
    attention = [lab for lab in labs.values() if lab.needs_attention]
    return {"labs": attention, "released": len(labs), "days": ATTENTION_DAYS}


def _count_failed_gradings(labs: dict[int, LabAttention], runs: QuerySet) -> None:
    from labs.analytics import FAILED_RUN

    counts = (
        runs.values("submission__lab_id")
        .annotate(n=Count("pk"), failed=Count("pk", filter=FAILED_RUN))
        .values_list("submission__lab_id", "n", "failed")
    )
    for lab_id, n, failed in counts:
        labs[lab_id].gradings, labs[lab_id].failed = n, failed


def _judge_tests(labs: dict[int, LabAttention], runs: QuerySet) -> None:
    """Pass rates and flaky tests from the gradings that judge tests (labs.analytics' rule),
    streamed one group of identical code and
    version at a time."""
    rows = (
        runs.order_by("submission__lab_id", "submission__answers_digest", "version_id", "pk")
        .values_list(
            "submission__lab_id",
            "submission__answers_digest",
            "version_id",
            "status",
            "telemetry__ended",
            "results",
        )
        .iterator(chunk_size=500)
    )
    from labs.analytics import judges_tests, tests_judged

    titles: dict[str, str] = {}
    tallies: dict[int, dict[str, list]] = {}  # lab → test id → [attempts, passed]
    for (lab_id, digest, _), group in itertools.groupby(rows, key=lambda row: row[:3]):
        seen: dict[str, set[bool]] = {}  # test id → its outcomes on this code
        graded = 0
        for *_, status, ended, results in group:
            if not judges_tests(status, ended):
                continue
            graded += 1
            for test, title, passed in tests_judged(results):
                titles.setdefault(test, title)
                tally = tallies.setdefault(lab_id, {}).setdefault(test, [0, 0])
                tally[0] += 1
                tally[1] += passed
                seen.setdefault(test, set()).add(passed)
        if digest and graded > 1:
            labs[lab_id].flaky |= {titles[t] for t, outcomes in seen.items() if len(outcomes) > 1}
    for lab_id, tests in tallies.items():
        for test, (attempts, passed) in tests.items():
            rate = round(100 * passed / attempts, 1)
            if attempts >= ATTENTION_MIN_ATTEMPTS and rate < ATTENTION_PASS_RATE:
                labs[lab_id].hard.append((titles[test], rate, attempts))


# --- Person page section (core.person_sections) ---------------------------------------------


@dataclass(frozen=True)
class PersonLab:
    """One lab a person has submitted to, as their page shows it."""

    lab: Lab
    latest_pk: int
    latest_status: str
    attempts: int  # those that count: not failed to grade, not sent back
    state: str  # a key of LAB_STATES
    best_percent: float | None

    @property
    def state_label(self) -> str:
        return LAB_STATES[self.state]

    @property
    def latest_status_label(self) -> str:
        return SubmissionStatus(self.latest_status).label


def person_labs_section(*, viewer, person: Person) -> dict:
    """The labs the person has submitted to, with the submissions the viewer may see
    (`Submission.objects.visible_to`): attempts, the latest status, the best score and whether
    they passed, the most recently tried first. Two queries whatever the number of submissions
    (three with the check for the gradebook link)."""
    rows = (
        Submission.objects.visible_to(viewer)
        .filter(person=person)
        .with_outcome()
        .order_by("-created_at", "-pk")
        .values_list("lab_id", "pk", "status", "score", "max_score", "pass_mark")
    )
    by_lab: dict[int, list] = {}  # the most recently tried first, each newest first
    for lab_id, *row in rows:
        by_lab.setdefault(lab_id, []).append(row)
    labs = Lab.objects.filter(pk__in=by_lab).only("slug", "title").in_bulk()
    found = [_person_lab(labs[lab_id], submissions) for lab_id, submissions in by_lab.items()]
    return {
        "labs": found,
        "passed": sum(row.state == "passed" for row in found),
        "gradebook": _opens_gradebook_of(viewer=viewer, person=person),
    }


def _person_lab(lab: Lab, submissions: list) -> PersonLab:
    """From (pk, status, score, max score, pass mark) rows, the latest first."""
    outcomes = [row[1:] for row in submissions]
    scored = (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)
    percents = [percent_of(score, top) for status, score, top, _ in outcomes if status in scored]
    return PersonLab(
        lab=lab,
        latest_pk=submissions[0][0],
        latest_status=submissions[0][1],
        attempts=sum(status not in NOT_COUNTING for status, *_ in outcomes),
        state=lab_state(outcomes),
        best_percent=max((p for p in percents if p is not None), default=None),
    )


def _opens_gradebook_of(*, viewer, person: Person) -> bool:
    from labs.gradebook import gradebook_people  # it builds on this module

    try:
        return gradebook_people(user=viewer).filter(pk=person.pk).exists()
    except Http404:
        return False
