"""A newcomer's first sign-in: where they work, where they stand, what to learn first.

Someone who has not finished (`Person.onboarded_at` is empty) lands on the onboarding pages after
signing in (core.auth) and sees a "Finish setting up" notice on the home page. The last step
suggests learning paths, which core knows nothing about (DESIGN.md, "Dependencies"): curriculum
registers a path suggester from its `AppConfig.ready()`. A suggester is
`suggester(*, person) -> iterable of PathSuggestion`; it is asked once per page, so it may run a
query or two.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from core.models import CareerStage, Person, Team

# The three things a newcomer tells us in step 1, by field name.
PLACEMENT_FIELDS = ("team", "manager", "career_stage")

# One sentence per stage, so that a newcomer can tell which one is theirs.
STAGE_DESCRIPTIONS: dict[str, str] = {
    CareerStage.EARLY_CAREER: "You are starting out and learn most things with others’ help.",
    CareerStage.SENIOR: "You deliver on your own and help others around you grow.",
    CareerStage.STAFF: "You shape how several teams work and mentor seniors.",
    CareerStage.PRINCIPAL: "You set the technical direction for the whole organisation.",
}

MAX_STAFF_NAMES = 5


@dataclass(frozen=True)
class PathSuggestion:
    title: str
    url: str
    summary: str = ""  # Markdown
    enrol_url: str = ""  # POST here (with `next`) to enrol in one click; empty: open `url`
    enrolled: bool = False


PathSuggester = Callable[..., Iterable[PathSuggestion]]
_path_suggesters: list[PathSuggester] = []


def register_path_suggester(suggester: PathSuggester) -> None:
    if suggester not in _path_suggesters:
        _path_suggesters.append(suggester)


def paths_for(*, person: Person) -> list[PathSuggestion]:
    found: list[PathSuggestion] = []
    for suggester in _path_suggesters:
        found.extend(suggester(person=person))
    return found


def is_onboarded(person: Person | None) -> bool:
    """People without a profile have nothing to set up: only a person can be asked."""
    return person is None or person.onboarded_at is not None


def open_fields(person: Person) -> frozenset[str]:
    """What the person may still set themselves: what nobody has set yet. Team and manager are
    unset while empty. The stage always has a value (early-career by default), so it counts as
    unset while it is still the default and the person has not finished setting up: an admin who
    chose another stage has decided it."""
    unset = set()
    if person.team_id is None:
        unset.add("team")
    if person.manager_id is None:
        unset.add("manager")
    if person.onboarded_at is None and person.career_stage == CareerStage.EARLY_CAREER:
        unset.add("career_stage")
    return frozenset(unset)


def who_sets_placement() -> list[Person]:
    """The admins (staff) who set teams and managers, for "who will set them" (one query)."""
    staff = Person.objects.filter(user__is_staff=True, user__is_active=True)
    return list(staff.select_related("user")[:MAX_STAFF_NAMES])


def manager_choices(
    *, user, person: Person, team: Team | None, query: str = ""
) -> list[tuple[str, list[tuple[int, str]]]]:
    """The people a newcomer may choose as manager, as select option groups: those in `team`
    first, then everyone else in the directory (active people only, never themself). `query`
    narrows the list by name or title. One query, whatever the size of the organisation."""
    people = _directory_people(user=user, person=person, query=query)
    in_team, others = [], []
    for pk, first, last, username, title, team_id, team_name in people:
        name = f"{first} {last}".strip() or username
        label = " · ".join(part for part in (name, title, team_name) if part)
        (in_team if team is not None and team_id == team.pk else others).append((pk, label))
    groups = []
    if in_team:
        groups.append((f"In {team.name}", in_team))
    if others:
        groups.append(("Everyone else" if in_team else "Everyone", others))
    return groups


def _directory_people(*, user, person: Person, query: str) -> QuerySet:
    from core.selectors import directory_search

    return (
        directory_search(user=user, query=query)
        .exclude(pk=person.pk)
        .values_list(
            "pk",
            "user__first_name",
            "user__last_name",
            "user__username",
            "title",
            "team_id",
            "team__name",
        )
    )
