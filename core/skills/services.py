"""Writes for the skill matrix. Keyword-only, typed, validated with full_clean().

Assessments and evidence are append-only: there is a service to add them and none to change
them. `evidence_record` is the one way other apps (labs, hackathons, mentoring) add evidence.
"""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Person
from core.notifications.models import NotificationKind
from core.notifications.services import notification_create
from core.services import enqueue_on_commit
from core.skills import selectors
from core.skills.models import Assessment, Evidence, ReviewRequest, Skill

logger = logging.getLogger(__name__)


@transaction.atomic
def assessment_create(
    *,
    subject: Person,
    skill: Skill,
    assessor: Person,
    level: int,
    note: str = "",
    created_at: datetime | None = None,
) -> Assessment:
    """Rate `subject` in `skill`. The role (self, manager, mentor, staff) follows from who the
    assessor is; it closes the open review request the subject sent this assessor, if any.
    `created_at` is for imports and demo data; it defaults to now."""
    role = selectors.assessor_role_for(assessor=assessor, subject=subject)
    if role is None:
        raise PermissionDenied("You may not assess this person.")
    if skill.retired:
        raise ValidationError({"skill": f"{skill.name} is retired; it is no longer assessed."})
    assessment = Assessment(
        subject=subject,
        skill=skill,
        assessor=assessor,
        assessor_role=role,
        level=level,
        note=note,
        created_at=created_at or timezone.now(),
    )
    assessment.full_clean()
    assessment.save()
    _review_requests_answer(assessment=assessment)
    return assessment


def _review_requests_answer(*, assessment: Assessment) -> None:
    ReviewRequest.objects.filter(
        status=ReviewRequest.Status.OPEN,
        requester=assessment.subject,
        reviewer=assessment.assessor,
        skill=assessment.skill,
    ).update(status=ReviewRequest.Status.DONE, closed_at=timezone.now(), assessment=assessment)


def evidence_record(
    *,
    person: Person,
    skill: Skill,
    kind: str,
    title: str,
    url: str,
    note: str = "",
    created_by: Person | None = None,
    source: str = "",
) -> Evidence:
    """Tie `person` and `skill` to what shows it. `created_by` is None when the system records
    it. With a `source` (e.g. "labs.submission:42") recording the same thing twice returns the
    first row, so a task delivered twice adds one piece of evidence."""
    if source:
        existing = Evidence.objects.filter(person=person, skill=skill, source=source).first()
        if existing is not None:
            return existing
    evidence = Evidence(
        person=person,
        skill=skill,
        kind=kind,
        title=title,
        url=url,
        note=note,
        created_by=created_by,
        source=source,
    )
    evidence.full_clean()
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        # Another process recorded the same source between our check and our insert.
        if not source:
            raise
        return Evidence.objects.get(person=person, skill=skill, source=source)
    return evidence


@transaction.atomic
def review_request_create(
    *, requester: Person, reviewer: Person, skill: Skill, message: str = "", notify: bool = True
) -> ReviewRequest:
    """Ask a manager or mentor to review one skill; they get an e-mail and see it on their
    dashboard. It closes when they assess that skill for the requester."""
    if not selectors.reviewer_candidates(person=requester).filter(pk=reviewer.pk).exists():
        raise ValidationError(
            {"reviewer": "You can ask your manager (or their managers) or a mentor for a review."}
        )
    if skill.retired:
        raise ValidationError({"skill": f"{skill.name} is retired; it is no longer assessed."})
    request = ReviewRequest(requester=requester, reviewer=reviewer, skill=skill, message=message)
    request.full_clean()
    request.save()
    if notify:
        from core import tasks

        enqueue_on_commit(tasks.notify_review_requests, [request.pk])
    return request


@transaction.atomic
def review_prompt_after_evidence(
    *, person: Person, skills: list[Skill], reason: str
) -> list[ReviewRequest]:
    """New evidence (a lab passed, say) asks for a re-assessment: one open review request per
    skill to the person's nearest manager, or to a mentor when they have no manager, with one
    e-mail for all of them. Skills already waiting for that reviewer are left as they are."""
    reviewer = (
        next(iter(selectors.managers_of(person)), None)
        or selectors.reviewer_candidates(person=person).first()
    )
    if reviewer is None or not reviewer.user.is_active:
        return []
    waiting = set(
        ReviewRequest.objects.filter(
            requester=person, reviewer=reviewer, status=ReviewRequest.Status.OPEN
        ).values_list("skill_id", flat=True)
    )
    created = [
        review_request_create(
            requester=person, reviewer=reviewer, skill=skill, message=reason, notify=False
        )
        for skill in skills
        if skill.pk not in waiting and not skill.retired
    ]
    if created:
        from core import tasks

        enqueue_on_commit(tasks.notify_review_requests, [r.pk for r in created])
    return created


def review_requests_notify(*, review_request_ids: list[int]) -> int:
    """Tell the reviewer about requests made together, in one notification (and e-mail);
    returns how many notifications were delivered (0 or 1)."""
    found = list(
        ReviewRequest.objects.filter(pk__in=review_request_ids, status=ReviewRequest.Status.OPEN)
        .select_related("requester__user", "reviewer__user", "skill")
        .order_by("skill__name")
    )
    if not found:
        return 0
    first = found[0]
    requester = first.requester.display_name
    names = ", ".join(r.skill.name for r in found)
    one = len(found) == 1
    level = "level" if one else "levels"
    closes = "It closes when you assess it." if one else "Each closes when you assess its skill."
    message = f"{first.message}\n\n" if first.message else ""
    told = notification_create(
        recipient=first.reviewer,
        kind=NotificationKind.REVIEW_REQUESTED,
        title=f"{requester} asks for a review of {names}",
        body=f"{requester} asks you to review their {level} in {names}.\n\n{message}{closes}",
        link=reverse("skills:review-requests"),
        # Requests made together are told once; a request belongs to one such batch only.
        dedupe_key=f"core.review-requests:{min(review_request_ids)}",
        actor=first.requester,
    )
    return int(told is not None)
