"""Ways to narrow a list of people (a gradebook, a report): by team, career stage, and whatever
other apps know about people.

core's own filters (team, career stage) are here; an app that knows more (curriculum: who is on
a path) registers a filter from its `AppConfig.ready()`, so that apps which list people (labs)
offer it without importing that app (DESIGN.md). A filter is a key (the GET parameter), a label,
`choices() -> [(value, label)]` and `apply(people, value) -> people`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from core.models import CareerStage
from core.selectors import team_choices

Choices = Callable[[], list[tuple[str, str]]]
Apply = Callable[[QuerySet, str], QuerySet]


@dataclass(frozen=True)
class PeopleFilter:
    key: str
    label: str
    choices: Choices
    apply: Apply


_filters: dict[str, PeopleFilter] = {}


def register_people_filter(key: str, label: str, choices_fn: Choices, filter_fn: Apply) -> None:
    _filters[key] = PeopleFilter(key=key, label=label, choices=choices_fn, apply=filter_fn)


def people_filters() -> list[PeopleFilter]:
    """Every registered filter, core's first, then in registration order."""
    return list(_filters.values())


def filter_people(people: QuerySet, values: dict[str, str]) -> QuerySet:
    """`people` narrowed by each filter given a value; unknown keys and empty values are ignored
    (the form that collects them only offers known choices)."""
    for key, value in values.items():
        if value and key in _filters:
            people = _filters[key].apply(people, value)
    return people


register_people_filter(
    "team", "Team", team_choices, lambda people, slug: people.filter(team__slug=slug)
)
register_people_filter(
    "career_stage",
    "Career stage",
    lambda: list(CareerStage.choices),
    lambda people, stage: people.filter(career_stage=stage),
)
