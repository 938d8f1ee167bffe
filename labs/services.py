"""Writes for labs: importing versions, taking submissions, grading them on workers."""

import dataclasses
import logging
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from core.audit.models import AuditAction
from core.audit.services import audit_record
from core.models import Person
from core.notifications.models import NotificationKind
from core.notifications.services import notification_create
from core.services import enqueue_on_commit
from labs import executor, judge
from labs.feedback import feedback_html, feedback_notebook
from labs.format import build_release, load_lab, load_labs
from labs.models import (
    GradeAdjustment,
    GradingRun,
    Lab,
    LabVersion,
    ReviewDecision,
    Submission,
    SubmissionReview,
    SubmissionStatus,
)
from labs.selectors import may_grade, may_review, percent_passes
from labs.spec import LabSpec, SpecCell
from labs.uploads import UploadError, parse_upload

logger = logging.getLogger(__name__)

VALIDATION_RUNS = 3


class LabImportError(ValueError):
    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


@dataclasses.dataclass
class Graded:
    grade: judge.Grade
    execution: executor.ExecutionResult
    plan: judge.RunPlan


# --- running ---------------------------------------------------------------------------------


def grading_run(*, spec: LabSpec, answers: dict, use_reference: bool = False) -> Graded:
    plan = judge.build_run(spec, answers, use_reference=use_reference)
    limits = judge.limits_for(spec, output_bytes=settings.LABS_MAX_OUTPUT_BYTES)
    # The grader's own cells (tests, canaries, preamble) stay out of the kernel's history.
    unrecorded = frozenset(i for i, c in enumerate(plan.cells) if c.role != "answer")
    execution = executor.execute(
        [c.code for c in plan.cells], limits, unrecorded=unrecorded, probe=plan.probe
    )
    return Graded(grade=judge.judge(spec, plan, execution), execution=execution, plan=plan)


# --- importing -------------------------------------------------------------------------------


def lab_import(*, path: Path, fmt: str = "auto", user=None, force: bool = False) -> LabVersion:
    """Parse, validate and store a lab version; the same content twice gives the same version."""
    return lab_import_spec(spec=load_lab(Path(path), fmt=fmt), user=user, force=force)


def lab_import_all(
    *, path: Path, fmt: str = "auto", user=None, force: bool = False
) -> list[LabVersion]:
    """Import every lab at `path`: a notebook, an assignment folder or an nbgrader course.

    Every notebook is parsed before any is stored, so that a course with one broken notebook
    imports nothing and the author sees every problem at once.
    """
    specs = load_labs(Path(path), fmt=fmt)
    return [lab_import_spec(spec=spec, user=user, force=force) for spec in specs]


# Addresses under /labs/ that are pages of their own: a lab with one of these slugs would be
# unreachable at /labs/<slug>/.
RESERVED_SLUGS = frozenset({"reviews", "people", "submissions", "regrades", "health", "problems"})


def lab_import_spec(*, spec: LabSpec, user=None, force: bool = False) -> LabVersion:
    if spec.settings.slug in RESERVED_SLUGS:
        raise LabImportError(
            f"The slug “{spec.settings.slug}” names a page of Cultivate's own; give the lab "
            "another slug in its settings (lab.toml `slug`).",
            {},
        )
    source_hash = spec.content_hash()
    known = LabVersion.objects.filter(
        lab__slug=spec.settings.slug, validation__source_hash=source_hash
    ).first()
    if known is not None and not force:
        # The same notebook was imported and validated before; its settings may have changed.
        stored = known.get_spec()
        spec = dataclasses.replace(stored, settings=spec.settings, notes=spec.notes)
        return lab_store(spec=spec, report=known.validation, user=user)
    spec, report = lab_validate(spec=spec)
    report["source_hash"] = source_hash
    if not report["ok"] and not force:
        problems = "; ".join(report["problems"])
        raise LabImportError(f"The lab did not pass validation: {problems}", report)
    return lab_store(spec=spec, report=report, user=user)


def lab_validate(*, spec: LabSpec) -> tuple[LabSpec, dict]:
    """Run the reference solution three times and the release once; report what is wrong.

    The reference must score full marks every time, identically (flaky checks are named), and
    the release (the stubs learners start from) must score zero. Expected values that the author
    left to the reference are taken from the first reference run.
    """
    problems: list[str] = []
    reference_runs = [grading_run(spec=spec, answers={}, use_reference=True)]
    spec = _with_expected_values(spec, reference_runs[0])
    reference_runs += [
        grading_run(spec=spec, answers={}, use_reference=True) for _ in range(VALIDATION_RUNS - 1)
    ]
    release = grading_run(spec=spec, answers={})
    auto_max = spec.auto_max_score
    for run in reference_runs:
        run.grade = judge.judge(spec, run.plan, run.execution)  # with the expected values now
    first = reference_runs[0].grade
    if first.score < auto_max:
        failing = [r.title for r in first.results if not r.passed]
        problems.append(f"the reference solution scores {first.score:g}/{auto_max:g} ({failing})")
    flaky = _flaky_tests(reference_runs)
    if flaky:
        problems.append(f"these checks grade differently from run to run: {', '.join(flaky)}")
    if release.grade.score > 0:
        passing = [r.title for r in release.grade.results if r.passed and r.max_points]
        problems.append(f"the release already scores {release.grade.score:g} ({passing})")
    report = {
        "ok": not problems,
        "problems": problems,
        "reference_scores": [r.grade.score for r in reference_runs],
        "release_score": release.grade.score,
        "max_score": spec.max_score,
        "flaky": flaky,
        "sandbox": release.execution.sandbox,
        "seconds": round(sum(r.execution.duration for r in [*reference_runs, release]), 2),
        "notes": _report_notes(spec),
    }
    return spec, report


def _report_notes(spec: LabSpec) -> list[dict]:
    return [{"cell": n.index, "kind": n.kind, "message": n.message} for n in spec.notes]


def _flaky_tests(runs: list[Graded]) -> list[str]:
    outcomes: dict[str, set[bool]] = {}
    for run in runs:
        for result in run.grade.results:
            # By grade id, as the rest of the import report names tests (titles may repeat).
            outcomes.setdefault(result.id or result.title, set()).add(result.passed)
    return sorted(name for name, seen in outcomes.items() if len(seen) > 1)


def _with_expected_values(spec: LabSpec, run: Graded) -> LabSpec:
    """Fill in expected values that come from the reference run (sealed values, outputs)."""
    outputs = {
        id(rc.spec_cell): outcome.text
        for rc, outcome in zip(run.plan.cells, run.execution.cells, strict=True)
        if rc.role == "test"
    }
    values = run.grade.sealed_values
    cells = [_cell_with_expected(c, values, outputs.get(id(c), "")) for c in spec.cells]
    return dataclasses.replace(spec, cells=tuple(cells))


def _cell_with_expected(cell: SpecCell, values: dict, output: str) -> SpecCell:
    if not any(check.expected_from_reference for check in cell.sealed):
        return cell
    checks = []
    for check in cell.sealed:
        if check.expected_from_reference:
            expected = output if check.compare == "output" else values.get(check.name)
            check = dataclasses.replace(check, expected=expected, expected_from_reference=False)
        checks.append(check)
    return dataclasses.replace(cell, sealed=tuple(checks))


@transaction.atomic
def lab_store(*, spec: LabSpec, report: dict, user=None) -> LabVersion:
    """Store a validated spec as the lab's current version (the same content: the same version)."""
    s = spec.settings
    lab, _ = Lab.objects.select_for_update().get_or_create(slug=s.slug, defaults={"title": s.title})
    lab.title, lab.description, lab.skills = s.title, s.description, list(s.skills)
    content_hash = spec.content_hash()
    version = lab.versions.filter(content_hash=content_hash).first()
    if version is None:
        number = (lab.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = LabVersion.objects.create(
            lab=lab,
            number=number,
            content_hash=content_hash,
            source_format=spec.source_format,
            spec=spec.to_dict(),
            release=build_release(spec),
            validation=report,
            created_by=user,
        )
    elif version.spec.get("settings") != spec.to_dict()["settings"]:
        # Settings are the lab's, not the notebook's (see LabSpec.content_hash): the version of
        # this notebook takes the settings given now, and keeps its number; the import report
        # says what the new settings changed (a slug from the file name no longer, say).
        version.spec = {**version.spec, "settings": spec.to_dict()["settings"]}
        version.release = build_release(spec)
        version.validation = {**version.validation, "notes": _report_notes(spec)}
        version.save(update_fields=["spec", "release", "validation"])
    lab.current_version = version
    lab.save()
    return version


# --- submitting ------------------------------------------------------------------------------


def submission_create(*, lab: Lab, person: Person, data: bytes) -> Submission:
    """Check the upload, store it as `queued` and enqueue grading once the row is committed."""
    version = lab.current_version
    if version is None or not lab.is_published:
        raise UploadError("This lab has no released version yet.")
    spec = version.get_spec()
    answers = parse_upload(data, spec=spec)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one attempt at a time
        used = lab.submissions.filter(person=person).counting_attempts()
        limit = spec.settings.max_attempts
        if limit and used.count() >= limit:
            raise UploadError(f"You have used all {limit} attempts of this lab.", status=409)
        attempt = (lab.submissions.filter(person=person).aggregate(n=Max("attempt"))["n"] or 0) + 1
        submission = Submission.objects.create(
            lab=lab,
            version=version,
            person=person,
            attempt=attempt,
            answers=answers,
            max_score=spec.max_score,
        )
        transaction.on_commit(lambda: submission_enqueue(submission_id=submission.pk))
    return submission


def submission_enqueue(*, submission_id: int) -> bool:
    """Send the grading task; if the broker is down the row stays queued for the sweeper."""
    from labs.tasks import grade_submission

    try:
        grade_submission.apply_async(args=[submission_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the sweeper enqueues it later
        logger.warning("could not enqueue submission %s; the sweeper will", submission_id)
        return False
    return True


# --- grading ---------------------------------------------------------------------------------


def submission_claim(*, submission_id: int, worker: str) -> Submission | None:
    """Take the row for grading, atomically: a duplicate delivery or a live lease gets None."""
    now = timezone.now()
    claimable = Q(status=SubmissionStatus.QUEUED) | Q(
        status=SubmissionStatus.RUNNING, lease_expires_at__lt=now
    )
    updated = Submission.objects.filter(claimable, pk=submission_id).update(
        status=SubmissionStatus.RUNNING,
        claimed_by=worker,
        lease_expires_at=now + timedelta(seconds=settings.LABS_LEASE_SECONDS),
        claims=F("claims") + 1,
        started_at=now,
    )
    if not updated:
        return None
    return Submission.objects.select_related("version", "lab").get(pk=submission_id)


def submission_grade(*, submission_id: int, worker: str | None = None) -> Submission | None:
    """Grade one submission, once, however often the task is delivered."""
    executor.sandbox_mode()  # raises SandboxUnavailable before claiming, when it must
    worker = worker or socket.gethostname()
    submission = submission_claim(submission_id=submission_id, worker=worker)
    if submission is None:
        return None
    spec = submission.version.get_spec()
    graded = grading_run(spec=spec, answers=submission.answers)
    feedback = feedback_notebook(spec, graded.plan, graded.execution.cells, submission.answers)
    return _finish(submission, spec, graded, feedback, worker)


def _finish(submission, spec, graded: Graded, feedback: str, worker: str) -> Submission | None:
    grade, execution = graded.grade, graded.execution
    waits = needs_review_by_policy(spec, grade)
    status = SubmissionStatus.NEEDS_REVIEW if waits else SubmissionStatus.GRADED
    telemetry = grading_telemetry(submission, graded, worker)
    results = with_hand_graded(spec, grade.results, submission)
    # Only the holder of a live claim may write the grade: a worker whose lease ran out and was
    # taken over must not write a second one.
    with transaction.atomic():
        updated = Submission.objects.filter(
            pk=submission.pk, status=SubmissionStatus.RUNNING, claimed_by=worker
        ).update(
            status=status,
            score=total_points(results),
            max_score=grade.max_score,
            results=results,
            flags=grade.flags,
            feedback_notebook=feedback,
            feedback_html="",
            telemetry=telemetry,
            error=execution.startup_error,
            graded_at=timezone.now(),
            graded_version=submission.version_id,
            lease_expires_at=None,
            times_graded=F("times_graded") + 1,
        )
        if not updated:
            logger.warning("submission %s was taken over before %s finished", submission.pk, worker)
            return None
        submission = Submission.objects.select_related("lab", "person").get(pk=submission.pk)
        keep_run(submission)
        # What the grade brings (skill evidence, a re-assessment request, the learner told)
        # commits with it or not at all: a database lost in between must not keep the grade
        # and drop the rest, which no sweep would ever come back for.
        if status == SubmissionStatus.GRADED:
            count_final_grade(submission, spec)
        from labs.tasks import notify_graded

        enqueue_on_commit(notify_graded, submission.pk)
    return submission


def with_hand_graded(
    spec: LabSpec, results: list[judge.Verdict], submission: Submission
) -> list[dict]:
    """The tests' results, then a row for each answer graded by hand: the points a grader gave
    it (kept across regrades: the answer has not changed), or pending until one does. Rows are
    dicts, as the submission keeps them."""
    given = {}
    if submission.pk:
        for adjustment in submission.adjustments.filter(manual=True).order_by("created_at", "pk"):
            given[adjustment.item] = adjustment
    rows = [result.as_dict() for result in results]
    for cell in spec.cells:
        if not cell.graded or cell.role == "test":
            continue
        row = {
            "id": cell.grade_id,
            "title": cell.display_title,
            "max_points": cell.points,
            "hidden": False,
        }
        adjustment = given.get(cell.grade_id)
        if adjustment is None:
            row.update(points=0.0, passed=None, manual=True, pending=True, message=PENDING)
        else:
            points = min(adjustment.new_points, cell.points)
            message = adjustment.comment or "Graded by hand."
            row.update(points=points, passed=None, manual=True, adjusted=True, message=message)
        rows.append(row)
    return rows


PENDING = "Waiting for a grader: a mentor or a member of staff grades this answer by hand."


def total_points(results: list[dict]) -> float:
    return round(sum(r.get("points", 0.0) for r in results), 6)


def submission_feedback_html(submission: Submission) -> str:
    """The feedback of the submission's latest grading as HTML: rendered on first view (the
    learner does not wait for it while grading) and kept. Empty before grading."""
    if submission.feedback_html or not submission.feedback_notebook:
        return submission.feedback_html
    html = feedback_html(submission.feedback_notebook)
    # Only while the same grading is current: a regrade in between brings its own notebook.
    Submission.objects.filter(
        pk=submission.pk, feedback_html="", graded_at=submission.graded_at
    ).update(feedback_html=html)
    submission.feedback_html = html
    return html


def grading_telemetry(submission: Submission, graded: Graded, worker: str) -> dict:
    """What one run cost and how it ended, for the lab's analytics and grading health."""
    execution = graded.execution
    queued_since = submission.created_at
    started = submission.started_at or timezone.now()
    if execution.startup_error:
        ended = "not_started"
    elif execution.kernel_died:
        ended = "died"
    elif {"cell_timeout", "deadline"} & set(execution.limits_hit):
        ended = "timed_out"
    else:
        ended = "finished"
    return {
        "sandbox": execution.sandbox,
        "queue_seconds": round(max(0.0, (started - queued_since).total_seconds()), 3),
        "seconds": round(execution.duration, 3),
        "cells": [round(c.duration, 3) for c in execution.cells],
        "limits_hit": sorted(set(execution.limits_hit)),
        "kernel_died": execution.kernel_died,
        "ended": ended,
        "tamper": graded.grade.tamper,
        "worker": worker,
    }


def keep_run(submission: Submission, regrade=None) -> GradingRun:
    """Copy the grade just written into the submission's history of runs."""
    return GradingRun.objects.create(
        submission=submission,
        version_id=submission.graded_version_id or submission.version_id,
        regrade=regrade,
        status=submission.status,
        score=submission.score,
        max_score=submission.max_score,
        results=submission.results,
        flags=submission.flags,
        telemetry=submission.telemetry,
        error=submission.error,
    )


def needs_review_by_policy(spec: LabSpec, grade: judge.Grade) -> bool:
    """Whether the lab's review policy (spec.REVIEW_POLICIES) holds this grade for sign-off."""
    policy = spec.settings.review_policy
    if policy in ("none", "always"):
        return policy == "always"
    hand_graded = policy == "manual" and spec.max_score > spec.auto_max_score
    return bool(grade.flags) or hand_graded


def count_final_grade(submission: Submission, spec: LabSpec) -> None:
    """A final grade that passes is evidence, and the first pass asks for a re-assessment."""
    if _passed(submission, spec):
        submission_record_evidence(submission=submission)
        if not _passed_before(submission, spec):
            _ask_for_reassessment(submission=submission)


def _passed(submission: Submission, spec: LabSpec) -> bool:
    return submission.percent is not None and submission.percent >= spec.settings.passing_score


def _passed_before(submission: Submission, spec: LabSpec) -> bool:
    return (
        Submission.objects.filter(
            person=submission.person,
            lab=submission.lab,
            status=SubmissionStatus.GRADED,
            max_score__gt=0,
            score__gte=F("max_score") * spec.settings.passing_score / 100,
        )
        .exclude(pk=submission.pk)
        .exists()
    )


def _ask_for_reassessment(*, submission: Submission) -> None:
    """The first pass of a lab asks the person's manager (or a mentor) to re-assess the skills
    the lab trains: a review request, not a level change, because a human decides levels."""
    from core.skills.models import Skill
    from core.skills.services import review_prompt_after_evidence

    review_prompt_after_evidence(
        person=submission.person,
        skills=list(Skill.objects.filter(slug__in=submission.lab.skills)),
        reason=(
            f"{submission.person.display_name} passed the lab “{submission.lab.title}” "
            f"({submission.percent:g}%). Does their level still match?"
        ),
    )


def submission_record_evidence(*, submission: Submission) -> None:
    """A passing grade is evidence, in the skill matrix, for each skill the lab trains: once
    per learner and lab version (passing the same version again adds nothing; the row links
    the first submission that passed it)."""
    from core.skills.models import EvidenceKind, Skill
    from core.skills.services import evidence_record

    for skill in Skill.objects.filter(slug__in=submission.lab.skills):
        evidence_record(
            person=submission.person,
            skill=skill,
            kind=EvidenceKind.LAB_RESULT,
            title=f"Passed the lab “{submission.lab.title}” ({submission.percent:g}%)",
            url=submission.get_absolute_url(),
            source=f"labs.version:{submission.graded_version_id or submission.version_id}",
        )


# --- signing off ------------------------------------------------------------------------------


def submission_approve(*, submission: Submission, by: Person, comment: str = "") -> Submission:
    """Sign a grade off: it becomes final, and a pass counts as an automatic pass does."""
    return _sign_off(submission=submission, by=by, decision=ReviewDecision.APPROVE, comment=comment)


def submission_reject(*, submission: Submission, by: Person, comment: str) -> Submission:
    """Send a grade back: the attempt does not count, and the learner submits again."""
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": "Say why the grade is sent back: the learner reads it before trying again."}
        )
    return _sign_off(submission=submission, by=by, decision=ReviewDecision.REJECT, comment=comment)


@transaction.atomic
def _sign_off(*, submission: Submission, by: Person, decision: str, comment: str) -> Submission:
    submission = (
        Submission.objects.select_for_update()
        .select_related("lab", "person__user", "version")
        .get(pk=submission.pk)
    )
    if not may_review(submission=submission, person=by):
        raise PermissionDenied("You may not review this submission.")
    if submission.status != SubmissionStatus.NEEDS_REVIEW:
        raise ValidationError(
            f"This submission is not waiting for a sign-off: it is "
            f"“{submission.get_status_display().lower()}”."
        )
    review = SubmissionReview(
        submission=submission, reviewer=by, decision=decision, comment=comment.strip()
    )
    review.full_clean()
    review.save()
    approved = decision == ReviewDecision.APPROVE
    submission.status = SubmissionStatus.GRADED if approved else SubmissionStatus.REJECTED
    submission.save(update_fields=["status"])
    if approved:
        count_final_grade(submission, submission.version.get_spec())
    audit_record(
        actor=by,
        action=AuditAction.SIGN_OFF,
        subject=submission.person,
        obj=submission,
        detail={"decision": decision},
    )
    from labs.tasks import notify_review_decision

    enqueue_on_commit(notify_review_decision, review.pk)
    return submission


# --- grading by hand --------------------------------------------------------------------------

# Grades that may be given or changed by hand: a sign-off may still be pending, or already given.
ADJUSTABLE = (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)


@transaction.atomic
def submission_adjust(
    *, submission: Submission, by: Person, item: str, points: float, comment: str = ""
) -> GradeAdjustment:
    """Grade a free-response answer by hand, or override a test's points, with a reason.

    The change is recorded (who, when, old → new, why) and the submission's score follows it.
    A final grade that now passes counts as evidence; one that falls below passing withdraws
    the evidence it gave."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("lab", "person__user", "version", "graded_version")
        .get(pk=submission.pk)
    )
    if not may_grade(submission=submission, person=by):
        raise PermissionDenied("You may not grade this submission.")
    if submission.status not in ADJUSTABLE:
        raise ValidationError(
            f"Only a graded submission can be graded by hand; this one is "
            f"“{submission.get_status_display().lower()}”."
        )
    spec = (submission.graded_version or submission.version).get_spec()
    cell = spec.cell_by_grade_id(item)
    if cell is None or not cell.graded:
        raise ValidationError({"item": "This lab has no graded cell with that name."})
    if points is None or not 0 <= points <= cell.points:
        raise ValidationError(
            {"points": f"Give between 0 and {cell.points:g} points for “{cell.display_title}”."}
        )
    results = [dict(r) for r in submission.results]
    current = next((r for r in results if r.get("id") == item), None)
    old = current["points"] if current is not None and not current.get("pending") else None
    comment = (comment or "").strip()
    if old is not None and not comment:
        raise ValidationError(
            {"comment": "Say why the points change: the learner and later reviewers read it."}
        )
    manual = cell.role != "test"
    if current is None:
        current = {
            "id": item,
            "title": cell.display_title,
            "max_points": cell.points,
            "hidden": False,
        }
        results.append(current)
    current.update(points=float(points), adjusted=True)
    current.pop("pending", None)
    if manual:
        current.update(passed=None, manual=True, message=comment or "Graded by hand.")
    was_passing = _passed(submission, spec) and submission.status == SubmissionStatus.GRADED
    adjustment = GradeAdjustment.objects.create(
        submission=submission,
        item=item,
        title=cell.display_title,
        manual=manual,
        old_points=old,
        new_points=float(points),
        max_points=cell.points,
        comment=comment,
        by=by,
    )
    submission.results = results
    submission.score = total_points(results)
    submission.save(update_fields=["results", "score"])
    audit_record(
        actor=by,
        action=AuditAction.GRADE_OVERRIDE,
        subject=submission.person,
        obj=submission,
        detail={"item": item, "old_points": old, "new_points": float(points)},
    )
    if submission.status == SubmissionStatus.GRADED:
        if _passed(submission, spec):
            count_final_grade(submission, spec)
        elif was_passing:
            submission_withdraw_evidence(submission=submission)
    return adjustment


def graded_by_version(version_id: int) -> Q:
    """Submissions whose current grade comes from that version."""
    return Q(graded_version_id=version_id) | Q(graded_version__isnull=True, version_id=version_id)


def submission_withdraw_evidence(*, submission: Submission) -> int:
    """A grade no longer passing gives no evidence: remove what this lab version's passes
    recorded, unless another of the learner's final grades of that version still passes (then
    the evidence links that one). Returns how many rows were removed."""
    from core.skills.models import Evidence

    version_id = submission.graded_version_id or submission.version_id
    source = f"labs.version:{version_id}"
    removed, _ = Evidence.objects.filter(person=submission.person, source=source).delete()
    still = (
        Submission.objects.filter(person=submission.person, lab=submission.lab)
        .filter(graded_by_version(version_id))
        .exclude(pk=submission.pk)
        .with_outcome()
        .filter(status=SubmissionStatus.GRADED)
        .order_by("graded_at")
    )
    for other in still:
        if percent_passes(other):
            submission_record_evidence(submission=other)
            break
    return removed


def graded_notify(*, submission_id: int) -> int:
    """After grading: the learner hears their result; a grade that waits for a sign-off is
    announced to the reviewers nearest the learner (their manager and their mentors, not the
    whole line above). Returns how many people were told (a grading told once already: none)."""
    from core.skills.selectors import managers_of, reviewer_candidates

    submission = (
        Submission.objects.select_related("lab", "person__user").filter(pk=submission_id).first()
    )
    if submission is None or submission.status not in (
        SubmissionStatus.GRADED,
        SubmissionStatus.NEEDS_REVIEW,
    ):
        return 0
    learner, lab = submission.person, submission.lab
    score = f"{submission.score:g} of {submission.max_score:g} points"
    waits = submission.status == SubmissionStatus.NEEDS_REVIEW
    # A regrade grades the same submission again: each grading is told once.
    grading = f"labs.submission:{submission.pk}:graded:{submission.times_graded}"
    told = [
        notification_create(
            recipient=learner,
            kind=NotificationKind.SUBMISSION_GRADED,
            title=f"Your attempt at “{lab.title}” is graded",
            body=(
                f"Your attempt {submission.attempt} at “{lab.title}” scored {score}."
                + (" A reviewer signs it off before it counts." if waits else "")
                + " The results, test by test, are on its page."
            ),
            link=submission.get_absolute_url(),
            dedupe_key=grading,
        )
    ]
    if waits:
        further_up = {m.pk for m in managers_of(learner)[1:]}
        told += [
            notification_create(
                recipient=reviewer,
                kind=NotificationKind.SUBMISSION_WAITING_SIGNOFF,
                title=f"{learner.display_name}'s grade in “{lab.title}” waits for your sign-off",
                body=(
                    f"{learner.display_name} scored {score} in “{lab.title}”; the lab asks for a "
                    "reviewer's sign-off before the grade counts. Everything that waits for "
                    "you is in your review queue."
                ),
                link=reverse("labs:submission-review", kwargs={"pk": submission.pk}),
                dedupe_key=f"{grading}:sign-off",
                actor=learner,
            )
            for reviewer in reviewer_candidates(person=learner)
            if reviewer.pk not in further_up
        ]
    return sum(1 for notification in told if notification)


def review_decision_notify(*, review_id: int) -> bool:
    """Tell the learner a reviewer's decision on their submission; False when nobody is told."""
    review = (
        SubmissionReview.objects.select_related(
            "submission__lab", "submission__person__user", "reviewer__user"
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return False
    submission = review.submission
    if review.decision == ReviewDecision.APPROVE:
        title = f"Your grade in “{submission.lab.title}” is signed off"
        body = "A reviewer signed off your grade: it is final now."
    else:
        title = f"Your attempt at “{submission.lab.title}” was sent back"
        body = (
            "A reviewer sent your attempt back; it does not count as an attempt. "
            "Read why, then submit the lab again."
        )
    comment = f"\n\nTheir comment:\n{review.comment}" if review.comment else ""
    told = notification_create(
        recipient=submission.person,
        kind=NotificationKind.SUBMISSION_GRADED,
        title=title,
        body=f"{body}{comment}",
        link=submission.get_absolute_url(),
        dedupe_key=f"labs.review:{review.pk}",
        actor=review.reviewer,
    )
    return told is not None


def submissions_sweep(*, older_than_seconds: int = 30) -> list[int]:
    """Re-enqueue rows left `queued` (a broker was down) or `running` with an expired lease."""
    now = timezone.now()
    queued_before = now - timedelta(seconds=older_than_seconds)
    stale = Submission.objects.filter(
        Q(status=SubmissionStatus.QUEUED, created_at__lt=queued_before)
        | Q(status=SubmissionStatus.RUNNING, lease_expires_at__lt=now)
    ).values_list("pk", flat=True)
    ids = list(stale[:500])
    for submission_id in ids:
        submission_enqueue(submission_id=submission_id)
    return ids
