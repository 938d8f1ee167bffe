"""Writes for the organisation. Keyword-only, typed, validated with full_clean()."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.models import CareerStage, Person, Team, WorkerHeartbeat

logger = logging.getLogger(__name__)


def team_create(
    *, name: str, slug: str = "", parent: Team | None = None, description: str = ""
) -> Team:
    team = Team(name=name, slug=slug, parent=parent, description=description)
    team.full_clean(exclude=["slug"] if not slug else None)
    team.save()
    return team


def person_create(
    *,
    user: AbstractBaseUser,
    team: Team | None = None,
    manager: Person | None = None,
    career_stage: str = CareerStage.EARLY_CAREER,
    title: str = "",
    timezone_name: str = "UTC",
    joined_on: datetime.date | None = None,
) -> Person:
    person = Person(
        user=user,
        team=team,
        manager=manager,
        career_stage=career_stage,
        title=title,
        timezone=timezone_name,
        joined_on=joined_on or timezone.localdate(),
    )
    person.full_clean()
    person.save()
    return person


def person_update_profile(*, person: Person, title: str, timezone_name: str, bio: str) -> Person:
    """What people may change about themselves; team, manager and stage are set by admins."""
    person.title = title
    person.timezone = timezone_name
    person.bio = bio
    person.full_clean()
    person.save(update_fields=["title", "timezone", "bio"])
    return person


_PLACEMENT_WORDS = {"team": "team", "manager": "manager", "career_stage": "career stage"}


@transaction.atomic
def person_onboard(
    *,
    person: Person,
    team: Team | None,
    manager: Person | None,
    career_stage: str | None,
) -> Person:
    """A newcomer's own answer to where they work (onboarding, step 1). They fill in only what
    nobody has set (`core.onboarding.open_fields`): a value already set stays, and a different
    one is refused. None leaves a field as it is ("I don't know yet": an admin sets it later).
    Choosing a manager lets that manager see the newcomer's growth pages, which is the point."""
    from core.onboarding import open_fields

    unset = open_fields(person)
    wanted = {
        "team": None if team is None else team.pk,
        "manager": None if manager is None else manager.pk,
        "career_stage": career_stage,
    }
    current = {
        "team": person.team_id,
        "manager": person.manager_id,
        "career_stage": person.career_stage,
    }
    changed = [name for name, value in wanted.items() if value not in (None, current[name])]
    for name in changed:
        if name not in unset:
            word = _PLACEMENT_WORDS[name]
            raise ValidationError(
                {name: f"Your {word} is set by your admin; ask them to change it."}
            )
    if "manager" in changed:
        _check_chosen_manager(person=person, manager=manager)
        person.manager = manager
    if "team" in changed:
        person.team = team
    if "career_stage" in changed:
        person.career_stage = career_stage
    person.full_clean()
    if changed:
        person.save(update_fields=changed)
    return person


def _check_chosen_manager(*, person: Person, manager: Person) -> None:
    if manager.pk == person.pk:
        raise ValidationError({"manager": "You cannot be your own manager."})
    if not manager.user.is_active:
        raise ValidationError(
            {"manager": f"{manager.display_name} has left; choose someone who works here now."}
        )
    if person.pk and Person.objects.reports_of(person).filter(pk=manager.pk).exists():
        raise ValidationError(
            {"manager": f"{manager.display_name} reports to you, so they cannot be your manager."}
        )


def person_onboarding_finish(*, person: Person) -> Person:
    """The newcomer is done setting up; the first time counts, finishing again changes nothing."""
    if person.onboarded_at is None:
        person.onboarded_at = timezone.now()
        person.full_clean()
        person.save(update_fields=["onboarded_at"])
    return person


@transaction.atomic
def user_with_person_create(
    *,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    **person_fields,
) -> Person:
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    return person_create(user=user, **person_fields)


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a Celery task once the current transaction commits (at once outside one). A broker
    that is down is logged, never raised into the request or task that wrote the rows: what
    was saved stays saved, and the task is only a notification."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)


def site_link(path: str) -> str:
    """An absolute link to a page of the site, for e-mails."""
    return settings.SITE_URL.rstrip("/") + path


def mail_safely(*, to: list[str], subject: str, body: str, what: str) -> bool:
    """Send one e-mail to the addresses in `to` (empty ones are left out). A mail server that
    is down is logged as "Could not e-mail <what>", never raised: the rows the e-mail is about
    are saved already, and the pages show them. Returns whether it was sent."""
    to = [address for address in to if address]
    if not to:
        return False
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=to)
    except Exception:
        logger.exception("Could not e-mail %s", what)
        return False
    return True
