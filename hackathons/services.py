"""Writes for hackathons. Keyword-only, typed, validated with full_clean().

Expected user errors are `ValidationError`s naming the field (pages show them, the API answers
400 with the reason); acting on something you may not touch is `PermissionDenied` (a 404: the
judging of your own team, an event you do not organise). The event's phase, derived from its
dates, decides what is allowed when.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.models import Person
from core.notifications.models import NotificationKind
from core.notifications.services import notification_create
from core.services import enqueue_on_commit, mail_safely
from core.skills.models import EvidenceKind, Skill
from core.skills.services import evidence_record
from hackathons import selectors, tasks
from hackathons.models import (
    Attachment,
    Award,
    Comment,
    Criterion,
    DeadlineExtension,
    Event,
    Idea,
    JoinRequest,
    Membership,
    Phase,
    Score,
    Submission,
    Team,
    Vote,
)
from hackathons.uploads import CheckedUpload

logger = logging.getLogger(__name__)

INNOVATION_SKILL = "driving-innovation"
IDEA_PHASES = (Phase.UPCOMING, Phase.IDEAS, Phase.TEAMS)
TEAM_PHASES = (Phase.IDEAS, Phase.TEAMS, Phase.BUILDING)
# `events/new/` is the page that creates events: an event with this slug would be unreachable.
RESERVED_SLUGS = {"new"}
ONE_ORGANISER = "An event keeps at least one organiser."
JUDGES_FIXED = "The results are published: the judges who made them no longer change."
SCORING_STARTED = (
    "Judges have started scoring against these criteria; changing them now would change what "
    "the scores already given mean, so they stay as they are."
)


def _now() -> datetime.datetime:
    return timezone.now()


def _after_commit(task, *args) -> None:
    enqueue_on_commit(task, *args)


def _require_organiser(*, event: Event, by: Person) -> None:
    if not selectors.may_organise(person=by, event=event):
        raise PermissionDenied("Only the event's organisers (and staff) do this.")


def _phase_error(event: Event, what: str) -> ValidationError:
    return ValidationError(
        {"event": f"{what} is not possible while {event.title} is in its "
         f"“{event.get_phase_display()}” phase."}
    )  # fmt: skip


# --- Events ---------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    by: Person,
    slug: str,
    title: str,
    ideas_open_at: datetime.datetime,
    teams_open_at: datetime.datetime,
    building_starts_at: datetime.datetime,
    submission_deadline: datetime.datetime,
    theme: str = "",
    description: str = "",
    max_team_size: int = 5,
    organisers: list[Person] | None = None,
    judges: list[Person] | None = None,
    criteria: list[tuple[str, float]] | None = None,
    awards: list[str] | None = None,
) -> Event:
    """Staff create events; the creator organises it unless other organisers are named."""
    if not by.user.is_staff:
        raise PermissionDenied("Only staff create hackathons.")
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; choose another address."})
    event = Event(
        slug=slug,
        title=title,
        theme=theme,
        description=description,
        max_team_size=max_team_size,
        ideas_open_at=ideas_open_at,
        teams_open_at=teams_open_at,
        building_starts_at=building_starts_at,
        submission_deadline=submission_deadline,
    )
    event.full_clean()
    event.save()
    event.organisers.set(organisers or [by])
    for position, (name, weight) in enumerate(criteria or [("Overall", 1)]):
        criterion = Criterion(event=event, name=name, weight=weight, position=position)
        criterion.full_clean()
        criterion.save()
    for name in awards or []:
        Award.objects.create(event=event, name=name)
    event_judges_set(event=event, by=by, judges=judges or [])
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    by: Person,
    organisers: list[Person] | None = None,
    judges: list[Person] | None = None,
    **fields,
) -> Event:
    """Organisers change the title, theme, description, team size or phase dates, and (when
    given) the organisers and judges, through `event_people_set`."""
    _require_organiser(event=event, by=by)
    allowed = {
        "title", "theme", "description", "max_team_size", "ideas_open_at", "teams_open_at",
        "building_starts_at", "submission_deadline",
    }  # fmt: skip
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(event, name, value)
    event.full_clean()
    event.save()
    if organisers is not None or judges is not None:
        event_people_set(event=event, by=by, organisers=organisers, judges=judges)
    return event


@transaction.atomic
def event_people_set(
    *,
    event: Event,
    by: Person,
    organisers: list[Person] | None = None,
    judges: list[Person] | None = None,
) -> Event:
    """Organisers and judges in one change (`None` leaves that list as it is). An event keeps
    at least one organiser; an organiser may step down as long as another remains."""
    _require_organiser(event=event, by=by)
    if organisers is not None and not organisers:
        raise ValidationError({"organisers": ONE_ORGANISER})
    # Judges first: `by` may be leaving the organisers, and may act until then.
    if judges is not None:
        event_judges_set(event=event, by=by, judges=judges)
    if organisers is not None:
        event.organisers.set(organisers)
    return event


@transaction.atomic
def event_judges_set(*, event: Event, by: Person, judges: list[Person]) -> Event:
    """Judges newly added are told by e-mail (after commit). Once the results are published
    the judges are part of them and no longer change."""
    _require_organiser(event=event, by=by)
    before = set(event.judges.values_list("pk", flat=True))
    if {judge.pk for judge in judges} != before and event.results_published_at is not None:
        raise ValidationError({"judges": JUDGES_FIXED})
    event.judges.set(judges)
    for judge in judges:
        if judge.pk not in before:
            _after_commit(tasks.notify_judge_assigned, event.pk, judge.pk)
    return event


@transaction.atomic
def deadline_extend(
    *, event: Event, by: Person, new_deadline: datetime.datetime, reason: str = ""
) -> Event:
    """Organisers move the submission deadline later; the change is recorded."""
    _require_organiser(event=event, by=by)
    event = Event.objects.select_for_update().get(pk=event.pk)
    previous = event.effective_deadline
    if new_deadline <= previous:
        raise ValidationError(
            {"new_deadline": "A new deadline must be later than the current one."}
        )
    if event.results_published_at is not None:
        raise ValidationError({"new_deadline": "The results are published already."})
    DeadlineExtension.objects.create(
        event=event,
        extended_by=by,
        previous_deadline=previous,
        new_deadline=new_deadline,
        reason=reason,
    )
    event.deadline_extended_to = new_deadline
    event.save(update_fields=["deadline_extended_to"])
    return event


# --- Criteria and awards --------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    """A criterion as the organisers want it: `id` names one of the event's, none a new one."""

    name: str
    weight: Decimal
    description: str = ""
    position: int = 0
    id: int | None = None


@dataclass(frozen=True)
class AwardInput:
    """An award as the organisers want it: `id` names one of the event's, none a new one."""

    name: str
    id: int | None = None


def _require_known_ids(ids: list[int], current: dict, field: str) -> None:
    if len(ids) != len(set(ids)) or not set(ids) <= current.keys():
        raise ValidationError({field: "Only this event's own rows can be changed here."})


def _require_unique_names(names: list[str], *, field: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValidationError({field: f"Two {what} cannot share the name “{name}”."})
        seen.add(name.casefold())


def _criterion_key(criterion) -> tuple:
    """What judges score against: equal keys, nothing changes."""
    weight = Decimal(str(criterion.weight))
    return (criterion.id, criterion.name, criterion.description, weight, criterion.position)


def _criteria_unchanged(current: list[Criterion], criteria: list[CriterionInput]) -> bool:
    if any(spec.id is None for spec in criteria):
        return False
    return sorted(map(_criterion_key, current)) == sorted(map(_criterion_key, criteria))


def _full_clean_named(row, *, name: str, field: str) -> None:
    """A row's own errors, saying which row they are about."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        label = name or "A new row"
        raise ValidationError({field: [f"{label}: {m}" for m in error.messages]}) from error


@transaction.atomic
def event_criteria_set(
    *, event: Event, by: Person, criteria: list[CriterionInput]
) -> list[Criterion]:
    """The event's criteria become `criteria`: new ones are added, named ones changed, the
    others removed. Refused once any score exists (the scores given would change meaning);
    an event keeps at least one criterion, and names are unique per event."""
    _require_organiser(event=event, by=by)
    current = {c.pk: c for c in event.criteria.all()}
    if _criteria_unchanged(list(current.values()), criteria):
        return list(current.values())
    if selectors.scoring_started(event=event):
        raise ValidationError({"criteria": SCORING_STARTED})
    if not criteria:
        raise ValidationError(
            {"criteria": "An event keeps at least one criterion: judges score against it."}
        )
    _require_known_ids([c.id for c in criteria if c.id is not None], current, "criteria")
    names = [c.name.strip() for c in criteria]
    _require_unique_names(names, field="name", what="criteria")
    old_names = {pk: c.name for pk, c in current.items()}
    rows = []
    for spec, name in zip(criteria, names, strict=True):
        row = current[spec.id] if spec.id is not None else Criterion(event=event)
        row.name, row.description = name, spec.description
        row.weight, row.position = spec.weight, spec.position
        _full_clean_named(row, name=name, field="criteria")
        rows.append(row)
    event.criteria.exclude(pk__in=[row.pk for row in rows if row.pk]).delete()
    # A name may move from one row to another (a swap): the renamed rows first take a name
    # nobody uses, so that the unique constraint never sees one name twice half-way through.
    for row in rows:
        if row.pk and old_names[row.pk] != row.name:
            Criterion.objects.filter(pk=row.pk).update(name=f"(renaming {row.pk})")
    try:
        with transaction.atomic():
            for row in rows:
                row.save()
    except IntegrityError as error:  # another organiser saved the same name meanwhile
        raise ValidationError({"name": "Another criterion has this name now."}) from error
    return list(event.criteria.all())


@transaction.atomic
def event_awards_set(*, event: Event, by: Person, awards: list[AwardInput]) -> list[Award]:
    """The event's awards become `awards`: new ones are added, named ones renamed, the others
    removed, except that an award given in the published results stays."""
    _require_organiser(event=event, by=by)
    current = {a.pk: a for a in event.awards.select_related("submission")}
    _require_known_ids([a.id for a in awards if a.id is not None], current, "awards")
    named = {a.id for a in awards}
    removed = [a for pk, a in current.items() if pk not in named]
    given = [a for a in removed if a.submission_id is not None]
    if given and event.results_published_at is not None:
        raise ValidationError(
            {"awards": f"“{given[0].name}” went to {given[0].submission.title} in the published "
             "results, so it stays (renaming it is fine)."}
        )  # fmt: skip
    rows = []
    for spec in awards:
        row = current[spec.id] if spec.id is not None else Award(event=event)
        row.name = spec.name.strip()
        _full_clean_named(row, name=row.name, field="awards")
        rows.append(row)
    for award in removed:
        award.delete()
    for row in rows:
        row.save()
    return list(event.awards.all())


# --- Ideas ----------------------------------------------------------------------------------


@transaction.atomic
def idea_create(
    *,
    proposer: Person,
    title: str,
    problem: str,
    approach: str = "",
    skills: list[Skill] | None = None,
    event: Event | None = None,
) -> Idea:
    """An idea in the backlog (no event) or for an event still open to ideas. Proposing is
    evidence of the proposer's "Driving innovation"."""
    if event is not None and not event.phase_is(*IDEA_PHASES):
        raise _phase_error(event, "Proposing an idea")
    idea = Idea(title=title, problem=problem, approach=approach, event=event, proposer=proposer)
    idea.full_clean()
    idea.save()
    idea.skills.set(skills or [])
    _record_innovation(
        person=proposer,
        title=f"Proposed the hackathon idea “{idea.title}”",
        url=idea.get_absolute_url(),
        source=f"hackathons.idea:{idea.pk}",
    )
    return idea


def _record_innovation(*, person: Person, title: str, url: str, source: str) -> None:
    skill = Skill.objects.filter(slug=INNOVATION_SKILL, retired=False).first()
    if skill is None:
        return
    evidence_record(
        person=person,
        skill=skill,
        kind=EvidenceKind.HACKATHON_PROJECT,
        title=title[:200],
        url=url,
        source=source,
    )


def _may_edit_idea(idea: Idea, person: Person) -> bool:
    if idea.proposer_id == person.pk or person.user.is_staff:
        return True
    return idea.event is not None and selectors.may_organise(person=person, event=idea.event)


@transaction.atomic
def idea_update(
    *,
    idea: Idea,
    by: Person,
    title: str | None = None,
    problem: str | None = None,
    approach: str | None = None,
    skills: list[Skill] | None = None,
) -> Idea:
    """The proposer (or the event's organisers) edit an idea."""
    if not _may_edit_idea(idea, by):
        raise PermissionDenied("Only the proposer edits this idea.")
    if idea.merged_into_id:
        raise ValidationError({"idea": "This idea was merged into another; edit that one."})
    for name, value in (("title", title), ("problem", problem), ("approach", approach)):
        if value is not None:
            setattr(idea, name, value)
    idea.full_clean()
    idea.save()
    if skills is not None:
        idea.skills.set(skills)
    return idea


def idea_vote(*, idea: Idea, person: Person) -> tuple[Vote, bool]:
    """One vote per person per idea: voting again changes nothing (returns created=False)."""
    if idea.merged_into_id:
        raise ValidationError({"idea": "This idea was merged into another; vote for that one."})
    try:
        with transaction.atomic():
            return Vote.objects.get_or_create(idea=idea, person=person)
    except IntegrityError:  # the same person voting twice at the same moment
        return Vote.objects.get(idea=idea, person=person), False


def idea_comment(*, idea: Idea, author: Person, body: str) -> Comment:
    comment = Comment(idea=idea.merged_into or idea, author=author, body=body)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def idea_move(*, idea: Idea, event: Event, by: Person) -> Idea:
    """From the backlog into an event still open to ideas: its proposer, the event's
    organisers, or staff."""
    if not (
        idea.proposer_id == by.pk
        or by.user.is_staff
        or selectors.may_organise(person=by, event=event)
    ):
        raise PermissionDenied("Only the proposer or the event's organisers move an idea.")
    if idea.event_id is not None:
        raise ValidationError({"event": "This idea already belongs to an event."})
    if idea.merged_into_id:
        raise ValidationError({"idea": "This idea was merged into another."})
    if not event.phase_is(*IDEA_PHASES):
        raise _phase_error(event, "Adding an idea")
    idea.event = event
    idea.save(update_fields=["event"])
    return idea


@transaction.atomic
def idea_merge(*, idea: Idea, into: Idea, by: Person) -> Idea:
    """Organisers (of the event the ideas belong to, or of any event for backlog ideas) and
    staff merge a duplicate into another idea. The kept idea gets the union of the votes (one
    per person), the comments, the skills and the teams; the merged one redirects to it."""
    if not selectors.may_merge(person=by, ideas=[idea, into]):
        raise PermissionDenied("Only organisers and staff merge ideas.")
    if idea.pk == into.pk:
        raise ValidationError({"into": "An idea cannot be merged into itself."})
    if idea.merged_into_id or into.merged_into_id:
        raise ValidationError({"into": "One of these ideas was merged already."})
    voters = set(into.votes.values_list("person_id", flat=True))
    idea.votes.filter(person_id__in=voters).delete()
    idea.votes.update(idea=into)
    idea.comments.update(idea=into)
    Team.objects.filter(idea=idea).update(idea=into)
    into.skills.add(*idea.skills.all())
    if into.event_id is None and idea.event_id is not None:
        into.event = idea.event
        into.save(update_fields=["event"])
    Idea.objects.filter(merged_into=idea).update(merged_into=into)
    idea.merged_into = into
    idea.merged_at = _now()
    idea.full_clean()
    idea.save(update_fields=["merged_into", "merged_at"])
    return into


# --- Teams ----------------------------------------------------------------------------------


def _require_team_phase(event: Event) -> None:
    if not event.phase_is(*TEAM_PHASES):
        raise _phase_error(event, "Changing teams")


def _require_free(*, event: Event, person: Person) -> None:
    if Membership.objects.filter(event=event, person=person).exists():
        raise ValidationError(
            {"person": f"{person.display_name} is already in a team of {event.title}."}
        )


@transaction.atomic
def team_create(*, event: Event, idea: Idea, lead: Person, name: str = "") -> Team:
    """Form a team around an idea of the event (a backlog idea moves into the event)."""
    _require_team_phase(event)
    if idea.merged_into_id:
        idea = idea.merged_into
    if idea.event_id is None:
        idea.event = event
        idea.save(update_fields=["event"])
    elif idea.event_id != event.pk:
        raise ValidationError({"idea": "This idea belongs to another event."})
    _require_free(event=event, person=lead)
    team = Team(event=event, idea=idea, lead=lead, name=name or idea.title[:120])
    team.full_clean()
    team.save()
    _membership_add(team=team, person=lead)
    return team


def _membership_add(*, team: Team, person: Person) -> Membership:
    # The team's row is locked so that two acceptances racing for the last place run in turn.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    if team.memberships.count() >= team.event.max_team_size:
        raise ValidationError(
            {"team": f"{team.name} is full ({team.event.max_team_size} people at most)."}
        )
    _require_free(event=team.event, person=person)
    membership = Membership(team=team, event=team.event, person=person)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        raise ValidationError(
            {"person": f"{person.display_name} is already in a team of {team.event.title}."}
        ) from error
    JoinRequest.objects.filter(
        team__event=team.event, person=person, status=JoinRequest.Status.PENDING
    ).exclude(team=team).update(status=JoinRequest.Status.DECLINED, answered_at=_now())
    return membership


def _is_member(team: Team, person: Person) -> bool:
    return team.memberships.filter(person=person).exists()


@transaction.atomic
def join_request_create(*, team: Team, person: Person, message: str = "") -> JoinRequest:
    """A person asks to join; the team's members answer."""
    return _join_request_new(
        team=team, person=person, by=person, kind=JoinRequest.Kind.REQUEST, message=message
    )


@transaction.atomic
def invitation_create(*, team: Team, by: Person, person: Person, message: str = "") -> JoinRequest:
    """A member invites someone; that person answers."""
    if not _is_member(team, by):
        raise PermissionDenied("Only the team's members invite people.")
    return _join_request_new(
        team=team, person=person, by=by, kind=JoinRequest.Kind.INVITATION, message=message
    )


def _join_request_new(
    *, team: Team, person: Person, by: Person, kind: str, message: str
) -> JoinRequest:
    _require_team_phase(team.event)
    _require_free(event=team.event, person=person)
    if team.memberships.count() >= team.event.max_team_size:
        raise ValidationError({"team": f"{team.name} is full."})
    join = JoinRequest(team=team, person=person, kind=kind, created_by=by, message=message)
    try:
        join.full_clean()
    except ValidationError as error:
        raise ValidationError({"person": error.messages}) from error
    join.save()
    notify = (
        tasks.notify_invitation
        if kind == JoinRequest.Kind.INVITATION
        else tasks.notify_join_request
    )
    _after_commit(notify, join.pk)
    return join


@transaction.atomic
def join_request_answer(*, join_request: JoinRequest, by: Person, accept: bool) -> JoinRequest:
    """An invitation is answered by the person invited; a join request by a team member."""
    join = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join.kind == JoinRequest.Kind.INVITATION:
        allowed = join.person_id == by.pk
    else:
        allowed = _is_member(join.team, by)
    if not allowed:
        raise PermissionDenied("This is not yours to answer.")
    if join.status != JoinRequest.Status.PENDING:
        raise ValidationError({"status": "This was answered already."})
    if accept:
        _require_team_phase(join.team.event)
        _membership_add(team=join.team, person=join.person)
    join.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    join.answered_at = _now()
    join.answered_by = by
    join.save()
    _after_commit(tasks.notify_join_answer, join.pk)
    return join


# --- Submissions ----------------------------------------------------------------------------


def _require_before_deadline(event: Event) -> None:
    deadline = event.effective_deadline
    if _now() >= deadline:
        when = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        raise ValidationError(
            {"deadline": f"The submission deadline of {event.title} passed on {when}; "
             "submissions are closed unless the organisers extend it."}
        )  # fmt: skip
    if event.phase_is(Phase.UPCOMING, Phase.IDEAS):
        raise _phase_error(event, "Submitting a project")


@transaction.atomic
def submission_save(
    *,
    team: Team,
    by: Person,
    title: str,
    summary: str = "",
    repository_url: str = "",
    demo_url: str = "",
    skills: list[Skill] | None = None,
    submit: bool = False,
) -> Submission:
    """Members write the team's project until the deadline (on the server's clock); `submit`
    makes the draft visible to everyone. The first submission is evidence of the team lead's
    "Driving innovation"."""
    if not _is_member(team, by):
        raise PermissionDenied("Only the team's members edit its submission.")
    _require_before_deadline(team.event)
    submission = Submission.objects.filter(team=team).first() or Submission(team=team)
    submission.title = title
    submission.summary = summary
    submission.repository_url = repository_url
    submission.demo_url = demo_url
    submission.updated_at = _now()
    first_submit = submit and submission.submitted_at is None
    if first_submit:
        submission.submitted_at = _now()
    submission.full_clean()
    submission.save()
    submission.skills.set(skills if skills is not None else team.idea.skills.all())
    if first_submit:
        _record_innovation(
            person=team.lead,
            title=f"Led the team {team.name} to a hackathon submission",
            url=submission.get_absolute_url(),
            source=f"hackathons.submission-lead:{submission.pk}",
        )
    return submission


@transaction.atomic
def attachment_add(*, submission: Submission, by: Person, upload: CheckedUpload) -> Attachment:
    """`upload` has passed `hackathons.uploads.check_upload` (type, size, notebook schema)."""
    if not _is_member(submission.team, by):
        raise PermissionDenied("Only the team's members add attachments.")
    _require_before_deadline(submission.team.event)
    attachment = Attachment(
        submission=submission,
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        notebook_html=upload.notebook_html,
        uploaded_by=by,
    )
    attachment.file.save(upload.name, ContentFile(upload.content), save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: Person) -> None:
    if not _is_member(attachment.submission.team, by):
        raise PermissionDenied("Only the team's members remove attachments.")
    _require_before_deadline(attachment.submission.team.event)
    attachment.file.delete(save=False)
    attachment.delete()


# --- Judging and results --------------------------------------------------------------------


@transaction.atomic
def score_save(
    *,
    judge: Person,
    submission: Submission,
    criterion: Criterion,
    value: int,
    comment: str = "",
) -> Score:
    """A judge of the event scores a submitted project on one criterion (1–5), during judging.
    A judge never scores a team they belong to: for them it does not exist (404)."""
    event = submission.team.event
    if not selectors.is_judge(person=judge, event=event) or submission.submitted_at is None:
        raise PermissionDenied("Only the event's judges score its submissions.")
    if _is_member(submission.team, judge):
        raise PermissionDenied("A judge does not score their own team.")
    if criterion.event_id != event.pk:
        raise ValidationError({"criterion": "This criterion belongs to another event."})
    if not event.phase_is(Phase.JUDGING):
        raise _phase_error(event, "Scoring")
    score = Score.objects.filter(submission=submission, judge=judge, criterion=criterion).first()
    score = score or Score(submission=submission, judge=judge, criterion=criterion)
    score.value = value
    score.comment = comment
    score.updated_at = _now()
    score.full_clean()
    score.save()
    return score


@transaction.atomic
def award_give(*, award: Award, by: Person, submission: Submission | None) -> Award:
    _require_organiser(event=award.event, by=by)
    if submission is not None and submission.team.event_id != award.event_id:
        raise ValidationError({"submission": "This project belongs to another event."})
    award.submission = submission
    award.save(update_fields=["submission"])
    return award


@transaction.atomic
def results_publish(*, event: Event, by: Person) -> Event:
    """Organisers publish once judging has begun: the ranking and scores become visible, every
    member of every submitted project gets `hackathon_project` evidence for each of the
    project's skills, and everyone who took part is told (after commit)."""
    _require_organiser(event=event, by=by)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.results_published_at is not None:
        raise ValidationError({"event": "The results are published already."})
    if not event.phase_is(Phase.JUDGING):
        raise _phase_error(event, "Publishing results")
    event.results_published_at = _now()
    event.save(update_fields=["results_published_at"])
    submissions = (
        Submission.objects.submitted()
        .filter(team__event=event)
        .select_related("team")
        .prefetch_related("skills", "team__memberships__person")
    )
    for submission in submissions:
        for membership in submission.team.memberships.all():
            for skill in submission.skills.all():
                evidence_record(
                    person=membership.person,
                    skill=skill,
                    kind=EvidenceKind.HACKATHON_PROJECT,
                    title=f"{submission.title} ({event.title})"[:200],
                    url=submission.get_absolute_url(),
                    source=f"hackathons.submission:{submission.pk}",
                )
    _after_commit(tasks.notify_results, event.pk)
    return event


# --- Notifications (called by the tasks in hackathons.tasks) --------------------------------


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail(people: list[Person], subject: str, body: str) -> int:
    """E-mail each person who has an address; a mail server that is down is logged."""
    return sum(
        mail_safely(
            to=[person.user.email],
            subject=subject,
            body=body,
            what=f"person {person.pk} about {subject}",
        )
        for person in people
    )


def invitation_notify(*, join_request: JoinRequest) -> int:
    team = join_request.team
    message = f"{join_request.message}\n\n" if join_request.message.strip() else ""
    told = notification_create(
        recipient=join_request.person,
        kind=NotificationKind.TEAM_INVITATION,
        title=f"{join_request.created_by.display_name} invites you to {team.name}",
        body=f"You are invited to join {team.name} in {team.event.title}.\n\n{message}"
        "Answer on the team's page.",
        link=team.get_absolute_url(),
        dedupe_key=f"hackathons.join-request:{join_request.pk}",
        actor=join_request.created_by,
    )
    return int(told is not None)


def join_request_notify(*, join_request: JoinRequest) -> int:
    team = join_request.team
    members = [m.person for m in team.memberships.select_related("person__user")]
    return _mail(
        members,
        f"{join_request.person.display_name} asks to join {team.name}",
        f"{join_request.person.display_name} would like to join your team in "
        f"{team.event.title}.\n\n{join_request.message}\n\n"
        f"Answer here: {_link(team.get_absolute_url())}\n",
    )


def join_answer_notify(*, join_request: JoinRequest) -> int:
    team = join_request.team
    answer = "accepted" if join_request.status == JoinRequest.Status.ACCEPTED else "declined"
    if join_request.kind == JoinRequest.Kind.INVITATION:
        to = [join_request.created_by]
        text = f"{join_request.person.display_name} {answer} your invitation to {team.name}."
    else:
        to = [join_request.person]
        text = f"Your request to join {team.name} was {answer}."
    return _mail(to, f"{team.name}: {answer}", f"{text}\n\n{_link(team.get_absolute_url())}\n")


def judge_assigned_notify(*, event: Event, judge: Person) -> int:
    return _mail(
        [judge],
        f"You judge {event.title}",
        f"You are a judge of {event.title}. Judging opens at the submission deadline "
        f"({date_format(timezone.localtime(event.effective_deadline), 'DATETIME_FORMAT')}).\n\n"
        f"{_link(reverse('hackathons:judging', kwargs={'slug': event.slug}))}\n",
    )


def results_notify(*, event: Event) -> int:
    people = Person.objects.filter(hackathon_memberships__event=event).select_related("user")
    told = [
        notification_create(
            recipient=person,
            kind=NotificationKind.RESULTS_PUBLISHED,
            title=f"Results of {event.title}",
            body=f"The results of {event.title} are published.",
            link=reverse("hackathons:results", kwargs={"slug": event.slug}),
            dedupe_key=f"hackathons.event:{event.pk}:results",
        )
        for person in people.distinct()
    ]
    return sum(1 for notification in told if notification)
