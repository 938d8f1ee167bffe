"""Reads for labs. Submissions are scoped by `Submission.objects.visible_to(user)`.

What a learner reads about a grade is decided here, once, for the pages, the status endpoint the
submission page polls, and the API: passed or not against the passing score of the version that
graded it, the attempts used and left, and the words of the status banner.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from core.models import Person
from core.selectors import person_of
from labs.models import GradeAdjustment, Lab, Submission, SubmissionReview, SubmissionStatus
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
    user = request.user
    recent = submission_list(user=user)[:5]
    labs = lab_list(user=user)
    if not labs and not recent:
        return None
    waiting = [s for s in recent if s.status in (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)]
    return {"labs": labs[:5], "recent": recent, "waiting": waiting}
