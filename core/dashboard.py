"""Home dashboard panels, registered by the apps that own the data.

An app calls `register_panel()` from its `AppConfig.ready()`; the home page asks each panel for
its context and renders its template. core never imports the apps (DESIGN.md, "Dependencies").

A panel answers one role's question (`role`): what every engineer asks about their own growth,
what a mentor asks about their mentees, a manager about their team, staff about the platform.
The home page groups the panels by role, in that order, so that a person with several roles
sees each role's panels under its own heading. A panel whose context is None does not apply to
the person (no mentees, no reports, not staff) and is left out; a panel that applies but has
nothing to show returns a context and says so in words.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest

NOTICE = "notice"  # an operator's warning: above every section, without a heading of its own
ENGINEER = "engineer"
MENTOR = "mentor"
MANAGER = "manager"
STAFF = "staff"

# The sections of the home page, in order, with their headings.
ROLES: dict[str, str] = {
    NOTICE: "",
    ENGINEER: "Your growth",
    MENTOR: "Helping others grow",
    MANAGER: "Your team",
    STAFF: "Running Cultivate",
}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    get_context: Callable[[HttpRequest], dict | None]
    order: int = 100
    role: str = ENGINEER

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Unknown role {self.role!r} for panel {self.key!r}: one of {ROLES}.")


@dataclass
class Section:
    role: str
    title: str
    panels: list[dict] = field(default_factory=list)


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request: HttpRequest) -> list[dict]:
    """The panels to show this user, by role and then order; a panel whose context is None is
    skipped."""
    roles = list(ROLES)
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (roles.index(p.role), p.order, p.key)):
        context = panel.get_context(request)
        if context is not None:
            shown.append({"panel": panel, "context": context})
    return shown


def sections_for(request: HttpRequest) -> list[Section]:
    """The shown panels grouped by role, in the order of `ROLES`; roles with no panel for this
    person are left out."""
    sections: dict[str, Section] = {}
    for item in panels_for(request):
        role = item["panel"].role
        sections.setdefault(role, Section(role=role, title=ROLES[role])).panels.append(item)
    return list(sections.values())


def register_core_panels() -> None:
    from core import selectors

    register_panel(
        Panel(
            key="core.profile",
            title="About you",
            template="core/panels/profile.html",
            get_context=selectors.profile_panel_context,
            order=90,
        )
    )
    register_panel(
        Panel(
            key="core.reports",
            title="Who reports to you",
            template="core/panels/reports.html",
            get_context=selectors.reports_panel_context,
            order=90,
            role=MANAGER,
        )
    )
