"""Builders shared by the hackathon tests and their permission-matrix rows."""

import datetime

from django.utils import timezone

from core.skills.models import AssessorRole, Skill
from hackathons.models import Criterion, Event, Membership, Phase, Submission, Team
from tests.factories import AssessmentFactory, PersonFactory

HOUR = datetime.timedelta(hours=1)

# Where "now" falls for each phase, as offsets (in hours) of the four phase dates.
_OFFSETS = {
    Phase.UPCOMING: (1, 2, 3, 4),
    Phase.IDEAS: (-1, 1, 2, 3),
    Phase.TEAMS: (-2, -1, 1, 2),
    Phase.BUILDING: (-3, -2, -1, 1),
    Phase.JUDGING: (-4, -3, -2, -1),
}


def phase_dates(phase: str) -> dict:
    now = timezone.now()
    names = ["ideas_open_at", "teams_open_at", "building_starts_at", "submission_deadline"]
    return {name: now + hours * HOUR for name, hours in zip(names, _OFFSETS[phase], strict=True)}


def move_to(event: Event, phase: str) -> Event:
    """The clock moves on: the event's dates are set so that now falls in `phase`."""
    for name, value in phase_dates(phase).items():
        setattr(event, name, value)
    event.deadline_extended_to = None
    event.save()
    return event


def make_event(phase=Phase.BUILDING, slug="spring", organisers=(), judges=(), **kwargs) -> Event:
    event = Event.objects.create(slug=slug, title=slug.title() + " hack", **phase_dates(phase),
                                 **kwargs)  # fmt: skip
    event.organisers.set(organisers)
    event.judges.set(judges)
    Criterion.objects.create(event=event, name="Impact", weight=2, position=0)
    Criterion.objects.create(event=event, name="Craft", weight=1, position=1)
    return event


def make_team(event, lead, *members, name=None, idea=None) -> Team:
    from hackathons.models import Idea

    idea = idea or Idea.objects.create(
        title=f"Idea of {name or lead}", problem="A problem.", proposer=lead, event=event
    )
    team = Team.objects.create(event=event, idea=idea, lead=lead, name=name or f"Team {lead.pk}")
    for person in (lead, *members):
        Membership.objects.create(team=team, event=event, person=person)
    return team


def make_submission(team, submitted=True, **kwargs) -> Submission:
    return Submission.objects.create(
        team=team,
        title=kwargs.pop("title", f"Project of {team.name}"),
        submitted_at=timezone.now() - HOUR if submitted else None,
        **kwargs,
    )


def rate(person, slug, level):
    return AssessmentFactory(
        subject=person,
        skill=Skill.objects.get(slug=slug),
        assessor=PersonFactory(),
        assessor_role=AssessorRole.MANAGER,
        level=level,
    )
