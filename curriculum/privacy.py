"""The curriculum's part of a person's data (core.privacy): the learning paths they are in.
Nothing here is written by them in words, so erasure keeps the enrolments as they are."""

from core.models import Person
from core.privacy import Scrubber, export_rows
from curriculum.models import Enrolment


def export_curriculum(person: Person) -> dict:
    return {
        "paths": export_rows(
            Enrolment.objects.filter(person=person).order_by("created_at"),
            "path__slug",
            "path__title",
            "created_at",
            "enrolled_by_id",
        )
    }


def erase_curriculum(person: Person, scrub: Scrubber) -> None:
    """Enrolments hold no text of theirs: they stay, for the path's and team's progress."""
