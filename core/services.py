"""Writes for the organisation. Keyword-only, typed, validated with full_clean()."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
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
