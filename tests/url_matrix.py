"""The vocabulary of the permission matrix (tests/test_permissions.py): the cast, outcomes, cases.

Each app keeps its own rows in `tests/<app>/url_matrix.py` (a dict named URLS, and SECRETS: text
that only some of the cast may ever read), next to its other tests; test_permissions.py builds
one world with every app's objects in it, gathers the rows and checks every URL, every method
and every person against them.

The cast, each in a relationship to `subject`, whose private data the URLs point at:

    director
      ├─ manager ─────────┬─ teammate   (same team and manager as the subject)
      │                   └─ subject
      └─ other_manager ─── their report (another branch: manages, but nobody here)
    mentor          mentors the subject (an active mentorship), in another team
    judge           judges the live hackathon; organiser organises it
    outsider        an engineer with no line, team, mentorship or event in common
    staff           administrators (two-factor set up)
    anonymous       nobody signed in
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.factories import PersonFactory

LOGIN, HOME, REDIRECT = "login", "home", "redirect"
ROLES = [
    "anonymous",
    "outsider",
    "teammate",
    "subject",
    "mentor",
    "manager",
    "other_manager",
    "judge",
    "organiser",
    "staff",
]
SIGNED_IN = ROLES[1:]
# What a refusal looks like: nothing may change after one of these.
REFUSALS = {LOGIN, 400, 401, 403, 404, 405, 429}


def everyone(outcome) -> dict:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN) -> dict:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome)}


def only(*roles, outcome=200, anonymous=LOGIN, refused=404, **others) -> dict:
    """`roles` get `outcome`, the roles named in `others` what they say, every other signed-in
    person `refused` (404: to them the object does not exist)."""
    allowed = dict.fromkeys(roles, outcome)
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, refused), **allowed, **others}


def api(expect: dict) -> dict:
    """The same outcomes from the API, where a visitor is refused (401), not sent to sign in."""
    return {**expect, "anonymous": 401} if expect.get("anonymous") == LOGIN else expect


@dataclass
class Case:
    expect: dict  # role -> outcome: a status code, LOGIN, HOME or REDIRECT
    kwargs: dict = field(default_factory=dict)  # values may be callables taking the world
    method: str = "get"
    data: dict | Callable | None = None  # the body of a write; a callable takes the world
    json: bool = False  # send `data` as JSON (the API) rather than as a form
    setup: Callable | None = None  # called with the world before any request: state it needs
    # An id in the URL names somebody else's object: whoever may not see it gets the 404 a
    # missing id gets. False where the object is open to read and only acting on it is refused.
    idor: bool = True


@dataclass
class Secret:
    """Text that must never appear in a response to anyone outside `seen_by`."""

    name: str
    text: Callable  # the world -> the text
    seen_by: set
    where: set | None = None  # URL names to scan; None: every response


def cast_people(org):
    """The people the matrix adds to the `org` fixture (tests/conftest.py); returns the world."""
    org.subject, org.teammate = org.peer, org.engineer
    org.other_manager = PersonFactory(
        user__username="other-manager", manager=org.director, career_stage="staff"
    )
    org.other_report = PersonFactory(
        user__username="other-report", manager=org.other_manager, team=org.other_manager.team
    )
    org.mentor = PersonFactory(user__username="mentor", career_stage="senior")
    org.judge = PersonFactory(user__username="judge", career_stage="senior")
    org.organiser = PersonFactory(user__username="organiser", career_stage="senior")
    return org
