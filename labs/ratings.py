"""Learners' feedback on labs: a rating (1–5) after grading, and reports of problems that the
lab's authors (staff) resolve. Writes are services, reads selectors, as in the rest of labs.

Authors read it beside the lab's analytics: `templates/labs/_lab_feedback_summary.html` renders
`lab_feedback_summary(lab)`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import Person
from core.services import enqueue_on_commit, mail_safely
from core.shortcuts import staff_only
from labs.models import Lab, LabProblemReport, LabRating, Submission, SubmissionStatus

# Statuses after which a learner has seen what the lab is like: a grade, waiting for a sign-off
# or final, or one a reviewer sent back. (Failed to grade: they saw the grader's problem; they
# report it rather than rate the lab.)
RATEABLE = (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW, SubmissionStatus.REJECTED)
STARS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}
COMMENT_MAX = 2000
REPORT_MAX = 5000
LATEST = 5  # comments and open reports the summary shows

NOT_YET = "Rate the lab after one of your attempts is graded."
STARS_RANGE = "Rate the lab from 1 to 5 stars."
REPORT_EMPTY = "Say what the problem is: the lab's authors read it."
RESOLUTION_EMPTY = "Say how the problem was resolved: the learner who reported it reads it."


# --- rating ---------------------------------------------------------------------------------


def may_rate(*, lab: Lab, person: Person | None) -> bool:
    """Whether the person has an attempt at the lab that was graded (final, waiting for a
    sign-off, or sent back)."""
    if person is None:
        return False
    return lab.submissions.filter(person=person, status__in=RATEABLE).exists()


def lab_rate(*, lab: Lab, person: Person, stars: int, comment: str = "") -> LabRating:
    """Rate the lab; rating again replaces the earlier rating. The rating records the version
    the learner last submitted to, so that authors can tell versions apart."""
    if not may_rate(lab=lab, person=person):
        raise ValidationError(NOT_YET)
    if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STARS:
        raise ValidationError({"stars": STARS_RANGE})
    comment = (comment or "").strip()
    _check_length("comment", comment, COMMENT_MAX, "the comment")
    latest = lab.submissions.filter(person=person).order_by("-created_at", "-pk").first()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one rating at a time
        rating = LabRating.objects.filter(lab=lab, person=person).first()
        rating = rating or LabRating(lab=lab, person=person)
        rating.version_id, rating.stars, rating.comment = latest.version_id, stars, comment
        rating.full_clean()
        rating.save()
    return rating


def _check_length(field: str, text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise ValidationError(
            {field: f"Keep {what} to {limit:,} characters (it has {len(text):,})."}
        )


def my_rating(lab: Lab, person: Person | None) -> LabRating | None:
    if person is None:
        return None
    return LabRating.objects.filter(lab=lab, person=person).select_related("version").first()


# --- problem reports --------------------------------------------------------------------------


def problem_report(
    *, lab: Lab, person: Person, text: str, submission: Submission | None = None
) -> LabProblemReport:
    """Report a problem with a lab (a wrong test, unclear text), about one of the reporter's
    own attempts or the lab as it is now."""
    if not lab.is_published or lab.current_version_id is None:
        raise ValidationError("This lab has no released version yet.")
    if submission is not None and (
        submission.person_id != person.pk or submission.lab_id != lab.pk
    ):
        raise ValidationError({"submission": "Report a problem about one of your own attempts."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": REPORT_EMPTY})
    _check_length("text", text, REPORT_MAX, "the report")
    version_id = submission.version_id if submission else lab.current_version_id
    report = LabProblemReport(
        lab=lab, version_id=version_id, submission=submission, person=person, text=text
    )
    report.full_clean()
    report.save()
    return report


def may_manage_feedback(user) -> bool:
    """Who reads every report and resolves them: the labs' authors (staff)."""
    return user.is_authenticated and user.is_active and user.is_staff


def problem_resolve(*, report: LabProblemReport, by: Person, resolution: str) -> LabProblemReport:
    """Close a report, saying how; the reporter hears of it by e-mail after the commit."""
    from labs.tasks import notify_problem_resolved

    if not may_manage_feedback(by.user):
        raise PermissionDenied("Only the labs' authors resolve problem reports.")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": RESOLUTION_EMPTY})
    with transaction.atomic():
        report = LabProblemReport.objects.select_for_update().get(pk=report.pk)
        if report.resolved_at is not None:
            raise ValidationError("This report is resolved already.")
        report.resolved_at, report.resolved_by, report.resolution = timezone.now(), by, resolution
        report.full_clean()
        report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        enqueue_on_commit(notify_problem_resolved, report.pk)
    return report


def problem_resolved_notify(*, report_id: int) -> bool:
    """E-mail the reporter how their report was resolved; False when none is sent."""
    report = (
        LabProblemReport.objects.select_related("lab", "person__user")
        .filter(pk=report_id, resolved_at__isnull=False)
        .first()
    )
    if report is None or report.person is None or not report.person.user.email:
        return False
    lab = report.lab
    link = settings.SITE_URL.rstrip("/") + lab.get_absolute_url()
    return mail_safely(
        subject=f"Your report about “{lab.title}” is resolved",
        body=(
            f"You reported a problem with the lab “{lab.title}” on "
            f"{report.created_at:%d %b %Y}. The lab's authors resolved it:\n\n"
            f"{report.resolution}\n\nYour report:\n{report.text}\n\nThe lab: {link}\n"
        ),
        to=[report.person.user.email],
        what=f"the resolution of problem report {report_id}",
    )


def problem_reports(lab: Lab, *, open_only: bool = False) -> QuerySet[LabProblemReport]:
    """A lab's reports, open ones first, then the most recently resolved; newest first within.
    For staff: callers check `may_manage_feedback`."""
    reports = _reports().filter(lab=lab)
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by(F("resolved_at").desc(nulls_first=True), "-created_at", "-pk")


def problem_report_get(*, user, pk: int) -> LabProblemReport:
    """A report, for staff; 404 for anyone else."""
    staff_only(user)  # learners do not learn what others reported
    report = _reports().filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def _reports() -> QuerySet[LabProblemReport]:
    return LabProblemReport.objects.select_related(
        "lab", "version", "submission", "person__user", "resolved_by__user"
    )


# --- the summary authors read -----------------------------------------------------------------


@dataclass(frozen=True)
class StarCount:
    stars: int
    label: str
    count: int
    percent: float  # of all ratings, for a bar


@dataclass(frozen=True)
class FeedbackSummary:
    lab: Lab
    count: int
    average: float | None  # to one decimal; None without ratings
    distribution: list[StarCount]  # 1 to 5 stars, every one of them
    latest_comments: list[LabRating]
    open_reports: int
    resolved_reports: int
    latest_open_reports: list[LabProblemReport]

    @property
    def average_text(self) -> str:
        """ "4.2 of 5 from 12 learners"."""
        if not self.count:
            return "No ratings yet"
        learners = "learner" if self.count == 1 else "learners"
        return f"{self.average:.1f} of 5 from {self.count} {learners}"


def lab_feedback_summary(lab: Lab) -> FeedbackSummary:
    counts = dict(
        LabRating.objects.filter(lab=lab)
        .values_list("stars")
        .annotate(n=Count("pk"))
        .values_list("stars", "n")
    )
    total = sum(counts.values())
    average = None
    if total:
        exact = Decimal(sum(s * n for s, n in counts.items())) / total
        average = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    distribution = [
        StarCount(
            stars=s,
            label=STARS[s],
            count=counts.get(s, 0),
            percent=round(100 * counts.get(s, 0) / total, 1) if total else 0.0,
        )
        for s in sorted(STARS)
    ]
    reports = LabProblemReport.objects.filter(lab=lab)
    return FeedbackSummary(
        lab=lab,
        count=total,
        average=average,
        distribution=distribution,
        latest_comments=list(
            LabRating.objects.filter(lab=lab)
            .exclude(comment="")
            .select_related("person__user", "version")
            .order_by("-updated_at", "-pk")[:LATEST]
        ),
        open_reports=reports.filter(resolved_at__isnull=True).count(),
        resolved_reports=reports.filter(resolved_at__isnull=False).count(),
        latest_open_reports=list(problem_reports(lab, open_only=True)[:LATEST]),
    )
