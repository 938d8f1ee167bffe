"""Home dashboard panels, registered by the apps that own the data.

An app calls `register_panel()` from its `AppConfig.ready()`; the home page asks each panel for
its context and renders its template. core never imports the apps (DESIGN.md, "Dependencies").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    get_context: Callable[[HttpRequest], dict | None]
    order: int = 100


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request: HttpRequest) -> list[dict]:
    """The panels to show this user, in order; a panel whose context is None is skipped."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.get_context(request)
        if context is not None:
            shown.append({"panel": panel, "context": context})
    return shown


def register_core_panels() -> None:
    from core import selectors

    register_panel(
        Panel(
            key="core.profile",
            title="You",
            template="core/panels/profile.html",
            get_context=selectors.profile_panel_context,
            order=10,
        )
    )
    register_panel(
        Panel(
            key="core.reports",
            title="Your reports",
            template="core/panels/reports.html",
            get_context=selectors.reports_panel_context,
            order=20,
        )
    )
