"""Things people do in other apps that a learning path can ask for: mentor someone, talk with a
mentor, propose a hackathon idea…

The apps that know about an activity register it from their `AppConfig.ready()`; core (and
curriculum, which asks core) never imports them (DESIGN.md). An activity is a key, a label and
`check(people_ids) -> {person id: when they first did it}` (a date or a datetime), answered
in one query for any number of people, so that a manager's team page stays cheap.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

Check = Callable[[list[int]], dict[int, datetime.date | datetime.datetime]]


@dataclass(frozen=True)
class Activity:
    key: str
    label: str
    check: Check
    url_name: str = ""  # where a person goes to do it, e.g. "mentoring:index"

    @property
    def url(self) -> str:
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_activities: dict[str, Activity] = {}


def register_activity(key: str, label: str, check: Check, *, url_name: str = "") -> None:
    _activities[key] = Activity(key=key, label=label, check=check, url_name=url_name)


def activity_get(key: str) -> Activity | None:
    return _activities.get(key)


def activity_keys() -> list[str]:
    return sorted(_activities)


def activity_done_at(key: str, *, people_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    """{person id: when they first did it} for those of `people_ids` who did; one query."""
    activity = _activities.get(key)
    ids = list(people_ids)
    if activity is None or not ids:
        return {}
    return {pk: _as_moment(when) for pk, when in activity.check(ids).items() if when is not None}


def activity_done_by(key: str, *, person) -> datetime.datetime | None:
    """When `person` first did it, or None."""
    return activity_done_at(key, people_ids=[person.pk]).get(person.pk)


def _as_moment(when: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date counts from the start of that day, in the project's time zone."""
    if isinstance(when, datetime.datetime):
        return when
    return timezone.make_aware(datetime.datetime.combine(when, datetime.time.min))
