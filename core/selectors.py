"""Reads for the organisation: every query that shows people goes through `Person.objects`."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from core.models import Person, Team, WorkerHeartbeat


def person_of(user: AbstractBaseUser) -> Person | None:
    """The signed-in user's Person, or None for accounts made without one (e.g. in admin)."""
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def person_is_manager(person: Person | None) -> bool:
    return person is not None and person.reports.exists()


def person_get_visible(*, user: AbstractBaseUser, pk: int) -> Person:
    """The person, if `user` may see their private data; 404 otherwise, so nobody learns more."""
    person = (
        Person.objects.visible_to(user)
        .select_related("user", "team", "manager__user")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    return person


@dataclass(frozen=True)
class PersonPages:
    """Whose person page a viewer may open: everyone, or the people in `ids`."""

    everyone: bool
    ids: frozenset[int] = frozenset()

    def opens(self, person_id: int | None) -> bool:
        return self.everyone or person_id in self.ids


def person_pages_open_to(*, user: AbstractBaseUser) -> PersonPages:
    """The rule of `Person.objects.visible_to`, answered for every name on a page at once:
    staff open every page (no query), anyone else the ids visible to them (one query)."""
    if user.is_authenticated and user.is_active and user.is_staff:
        return PersonPages(everyone=True)
    ids = Person.objects.visible_to(user).order_by().values_list("pk", flat=True)
    return PersonPages(everyone=False, ids=frozenset(ids))


def person_list_visible(*, user: AbstractBaseUser) -> QuerySet[Person]:
    return Person.objects.visible_to(user).select_related("user", "team", "manager__user")


def directory_search(
    *, user: AbstractBaseUser, query: str = "", team: Team | None = None
) -> QuerySet[Person]:
    people = Person.objects.in_directory(user).select_related("user", "team")
    if query:
        people = people.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(title__icontains=query)
        )
    if team is not None:
        people = people.filter(team=team)
    return people


def reports_of(*, person: Person) -> QuerySet[Person]:
    return Person.objects.reports_of(person).select_related("user", "team", "manager__user")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("parent").annotate(member_count=Count("members"))


def team_choices() -> list[tuple[str, str]]:
    """(slug, name) of every team, by name: what a team filter offers."""
    return list(Team.objects.order_by("name").values_list("slug", "name"))


def team_members(*, team: Team) -> QuerySet[Person]:
    return team.members.filter(user__is_active=True).select_related("user", "manager__user")


def latest_worker_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


def profile_panel_context(request: HttpRequest) -> dict | None:
    person = person_of(request.user)
    if person is None:
        return None
    return {"person": person}


def reports_panel_context(request: HttpRequest) -> dict | None:
    person = person_of(request.user)
    if not person_is_manager(person):
        return None
    direct = person.reports.select_related("user", "team")
    return {"direct_reports": direct, "total": reports_of(person=person).count()}
