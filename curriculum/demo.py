"""Demo learning paths: the shipped path files loaded, and the demo people enrolled in the path
for where they are: early-career engineers in Foundations (enrolled by their manager), seniors
in Production ML in practice and managers in Leading ML teams (by themselves). Idempotent."""

from core.models import CareerStage, Person
from core.skills.models import Skill
from curriculum.models import Enrolment
from curriculum.services import enrolment_create, paths_load

FOUNDATIONS, PRODUCTION, LEADING = "foundations", "production-ml", "leading-ml-teams"


def seed_paths(*, stdout=None) -> None:
    if not Skill.objects.exists():  # a database emptied by hand (or a test flush): no catalog
        if stdout is not None:
            stdout.write("Learning paths: not loaded, the skill catalog is empty.\n")
        return
    paths = {path.slug: path for path in paths_load()}
    people = Person.objects.filter(user__is_active=True, user__is_staff=False).select_related(
        "user", "manager__user"
    )
    managers = set(Person.objects.filter(reports__isnull=False).values_list("pk", flat=True))
    enrolled = set(Enrolment.objects.values_list("person_id", "path__slug"))
    made = 0
    for person in people:
        for slug, by in _paths_of(person, managers):
            if slug in paths and (person.pk, slug) not in enrolled:
                enrolment_create(person=person, path=paths[slug], enrolled_by=by)
                made += 1
    if stdout is not None:
        stdout.write(f"Learning paths: {len(paths)} loaded, {made} new enrolments.\n")


def _paths_of(person: Person, managers: set[int]) -> list[tuple[str, Person]]:
    """(path slug, who enrols them) for one demo person."""
    found = []
    if person.career_stage == CareerStage.EARLY_CAREER:
        found.append((FOUNDATIONS, person.manager or person))
    if person.career_stage == CareerStage.SENIOR:
        found.append((PRODUCTION, person))
    if person.pk in managers:
        found.append((LEADING, person))
    return found
