"""Sections of a person's page, registered by the apps that own the data.

An app calls `register_section()` from its `AppConfig.ready()`. The person page has already
checked that the viewer may see the person (404 otherwise); it asks each section for its context
with `get_context(viewer=user, person=person)` and renders its template. A section scopes what it
shows with its app's own `visible_to(viewer)` querysets, and answers None when the viewer may not
read that part of the person at all (the section is left out, so that its absence says nothing).
A section that applies but has nothing to show returns a context and says so in words.

core never imports the apps (DESIGN.md, "Dependencies"), as with the home panels
(core/dashboard.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from core.models import Person


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    get_context: Callable[..., dict | None]  # (*, viewer, person) -> dict | None
    order: int = 100


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _sections[section.key] = section


def sections_for(*, viewer: AbstractBaseUser, person: Person) -> list[dict]:
    """The sections to show `viewer` on `person`'s page, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(viewer=viewer, person=person)
        if context is not None:
            shown.append({"section": section, "context": context})
    return shown
