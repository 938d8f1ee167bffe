"""Rules that widen whom a person may see, registered by apps that know about relationships.

core knows self and reporting lines; mentoring registers "mentors see their active mentees".
A rule is `rule(person) -> Q` over `Person`.
"""

from collections.abc import Callable

from django.db.models import Q

PersonRule = Callable[[object], Q]
_person_rules: list[PersonRule] = []


def register_person_visibility(rule: PersonRule) -> None:
    if rule not in _person_rules:
        _person_rules.append(rule)


def person_visibility_q(person, queryset) -> Q:
    q = Q(pk=person.pk) | Q(pk__in=queryset.model.objects.reports_of(person).values("pk"))
    for rule in _person_rules:
        q |= rule(person)
    return q
