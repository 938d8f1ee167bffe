"""The vocabulary of the permission matrix (tests/test_permissions.py): roles, outcomes, cases.

Each app keeps its own rows in `tests/<app>/url_matrix.py` (a dict named URLS), next to its other
tests; test_permissions.py gathers them and checks every URL of the project against them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN, HOME, REDIRECT = "login", "home", "redirect"
ROLES = ["anonymous", "engineer", "manager", "staff"]


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], outcome)}


@dataclass
class Case:
    expect: dict
    kwargs: dict = field(default_factory=dict)  # values may be callables taking the org
    method: str = "get"
    setup: Callable | None = None  # called with the org before the request: state it needs
