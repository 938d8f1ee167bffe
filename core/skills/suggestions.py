"""What can close a skill gap: suggestions other apps supply for a person's growth plan.

labs suggests labs that train a skill, mentoring suggests mentors strong in it. They register
a suggester from their `AppConfig.ready()`; core never imports them (DESIGN.md). A suggester is
`suggester(*, person, skill, gap) -> iterable of Suggestion`, asked only for the few biggest
gaps of one person, so it may run a query or two.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str = ""
    source: str = ""  # who suggests it: "core", "labs", "mentoring"…


GapSuggester = Callable[..., Iterable[Suggestion]]
_suggesters: list[GapSuggester] = []


def register_gap_suggester(suggester: GapSuggester) -> None:
    if suggester not in _suggesters:
        _suggesters.append(suggester)


def suggestions_for(*, person, skill, gap: int) -> list[Suggestion]:
    found: list[Suggestion] = []
    for suggester in _suggesters:
        found.extend(suggester(person=person, skill=skill, gap=gap))
    return found


def ask_someone_strong(*, person, skill, gap: int) -> list[Suggestion]:
    """core's own suggestion: the skill page lists who is strong in it, across teams."""
    return [
        Suggestion(
            text=f"Ask someone strong in {skill.name}",
            url=reverse("skills:skill", kwargs={"slug": skill.slug}),
            source="core",
        )
    ]
