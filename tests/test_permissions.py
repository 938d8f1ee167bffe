"""Every URL × every method × every person in a relationship to the data, and the guards.

One world holds every app's objects at once (tests/url_matrix.py names the cast); each app's rows
are tried in one test, every request inside a savepoint that is rolled back, so that a write
that succeeds never changes what the next person meets. For each request:

- the outcome is the row's, for that person and method (a status code, LOGIN: 302 to sign in,
  HOME: 302 home, REDIRECT: 302 anywhere else);
- a write that is refused changes nothing: every table is read back after it and compared with
  before (a DB fingerprint: stronger than re-reading one page as the owner);
- an id in the URL that the person may not see answers as a missing id does (404): existence
  never leaks (IDOR);
- the body holds no secret the person may not read (SECRETS: private notes, the author of an
  anonymous question, managers-only feedback, a learner's answers).

The guards fail when a URL has no row, a row leaves someone out, a method the view accepts has
no row (every other method must answer 405 to the person who may use the URL), or a URL has no
person at all who gets through (a view that answers 404, or 405, to everyone proves nothing).

Set MATRIX_RECORD=<file> to write what every person actually got instead of failing: a way to
read a new view's behaviour before writing its rows (then judge every cell before keeping it).
"""

import hashlib
import json
import os
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.core import url_matrix as core_urls
from tests.curriculum import url_matrix as curriculum_urls
from tests.hackathons import url_matrix as hackathons_urls
from tests.labs import url_matrix as labs_urls
from tests.mentoring import url_matrix as mentoring_urls
from tests.skills import url_matrix as skills_urls
from tests.url_matrix import (
    HOME,
    LOGIN,
    REDIRECT,
    REFUSALS,
    ROLES,
    SIGNED_IN,
    Case,
    cast_people,
    signed_in,
)

APPS = {
    "core": core_urls,
    "skills": skills_urls,
    "mentoring": mentoring_urls,
    "labs": labs_urls,
    "hackathons": hackathons_urls,
    "curriculum": curriculum_urls,
}
WRITES = ("post", "put", "patch", "delete")


def cases_of(entry) -> list[Case]:
    return list(entry) if isinstance(entry, list | tuple) else [entry]


MATRIX: dict[str, list[Case]] = {
    name: cases_of(entry) for module in APPS.values() for name, entry in module.URLS.items()
}
APP_OF = {name: app for app, module in APPS.items() for name in module.URLS}
SECRETS = [secret for module in APPS.values() for secret in getattr(module, "SECRETS", [])]

# The Django admin: every URL of it is checked; staff get in, nobody else does. These are what
# staff get where a GET alone is not a complete request.
ADMIN_STAFF_SPECIAL = {
    "admin:autocomplete": 403,
    "admin:logout": 405,
    "admin:view_on_site": 404,
    **{k: v for module in APPS.values() for k, v in module.ADMIN_FORBIDDEN_TO_STAFF.items()},
}

# Methods that views accept and no row tries yet, by URL name (each app's NOT_YET_TRIED): the
# burn-down list of issue 15. Each is to get a row with a real body, tried by every person. The
# method guard fails on any accepted method that is neither in a row nor here, and on an entry
# here that has gone stale (a row was written, or the view now answers 405): the list only
# shrinks. allauth's views treat PUT, PATCH and DELETE like their GET or POST.
NOT_YET_TRIED: dict[str, set[str]] = {
    name: methods for module in APPS.values() for name, methods in module.NOT_YET_TRIED.items()
}

# Rows (each app's NO_REAL_BODY_YET) that nobody gets through yet, because the person who may
# use them needs a real body (or a state: recovery codes, a social sign-in in progress) that no
# row gives them yet. Burn-down as above: an entry whose row lets someone through is stale.
NO_REAL_BODY_YET = {name for module in APPS.values() for name in module.NO_REAL_BODY_YET}

# URLs without a name, by route: allauth's old addresses and the admin's catch-alls.
UNNAMED: dict[str, Case] = {
    "accounts/social/login/cancelled/": Case(signed_in(301)),
    "accounts/social/login/error/": Case(signed_in(301)),
    "accounts/social/signup/": Case(signed_in(301)),
    "accounts/social/connections/": Case(signed_in(301)),
}


def iter_patterns(patterns=None, prefix="", namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from iter_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, route


ALL = list(iter_patterns())
NAMED = sorted({name for name, _ in ALL if name})
ADMIN_NAMES = [name for name in NAMED if name.startswith("admin:")]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the attachments the rows upload


# --- the world and how a request is judged ----------------------------------------------------


def resolve(value, world):
    return value(world) if callable(value) else value


def build_world(org):
    """The cast, then every object any row names, created once, before the first request."""
    world = cast_people(org)
    world.secrets_shown = set()  # secrets some rightful reader met: the scan is not vacuous
    for cases in MATRIX.values():
        for case in cases:
            if case.setup:
                case.setup(world)
            case.resolved = {k: resolve(v, world) for k, v in case.kwargs.items()}
    return world


def outcome_of(response) -> str | int:
    location = response.get("Location", "")
    if response.status_code in (302, 303):
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return LOGIN
        return HOME if location == "/" else REDIRECT
    return response.status_code


def expected_label(outcome):
    return REDIRECT if outcome in (302, 303) else outcome


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def fingerprint() -> str:
    """Every row of every table the product writes (sessions, sign-in times and the audit log of
    reads aside): equal before and after means nothing changed."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):  # many-to-many tables too
        label = model._meta.label
        if model._meta.app_label in {"sessions", "admin", "contenttypes"} or label.endswith(
            "AuditEvent"
        ):
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows = model._base_manager.order_by("pk").values_list(*fields)
        digest.update(label.encode() + repr(list(rows)).encode())
    return digest.hexdigest()


def send(role, world, method, url, case, data):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role).user)
    kwargs = {}
    if data is not None and case.json:
        kwargs = {"data": json.dumps(data), "content_type": "application/json"}
    elif data is not None:
        kwargs = {"data": data}
    elif method in ("put", "patch"):
        kwargs = {"data": "{}", "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


def missing_id_kwargs(resolved: dict) -> dict | None:
    """The same URL with every integer id replaced by one that names nothing."""
    ids = {k for k, v in resolved.items() if isinstance(v, int)}
    return {k: (10**8 if k in ids else v) for k, v in resolved.items()} if ids else None


def secrets_in(world, name, body) -> list:
    return [
        secret
        for secret in SECRETS
        if (secret.where is None or name in secret.where) and resolve(secret.text, world) in body
    ]


def attempt(world, role, name, case, method, url, before, problems, record):
    """One request, inside a savepoint that is rolled back; what went wrong goes to problems."""
    with transaction.atomic():
        if method != "get":
            cache.clear()  # rate limits: the 20th refused write must not meet a 429
        # The body is made for each request: an uploaded file is read by the first one.
        response = send(role, world, method, url, case, resolve(case.data, world))
        got = outcome_of(response)
        body = body_of(response)
        changed = method in WRITES and before is not None and fingerprint() != before
        transaction.set_rollback(True)
    if record is not None:
        record.append({"name": name, "method": method, "role": role, "got": got})
        return got
    where = f"{method.upper()} {name} as {role}"
    expected = expected_label(case.expect[role])
    if got != expected:
        detail = body[:160].replace("\n", " ") if isinstance(got, int) and got >= 400 else ""
        problems.append(f"{where}: expected {expected}, got {got} {response.get('Location', '')}"
                        f"{detail}")  # fmt: skip
    if changed and expected in REFUSALS:
        problems.append(f"{where}: refused ({got}), but the database changed")
    found = secrets_in(world, name, body)
    if leaked := [secret.name for secret in found if role not in secret.seen_by]:
        problems.append(f"{where}: the response holds {leaked}")
    world.secrets_shown.update(secret.name for secret in found if role in secret.seen_by)
    return got


def run_rows(world, names, record=None) -> list[str]:
    problems: list[str] = []
    for name in names:
        for case in MATRIX[name]:
            url = reverse(name, kwargs=case.resolved)
            before = fingerprint() if case.method in WRITES else None
            for role in ROLES:
                attempt(world, role, name, case, case.method, url, before, problems, record)
            missing = missing_id_kwargs(case.resolved) if case.idor else None
            if missing is None:
                continue
            # IDOR: whoever is refused this object must find it as absent as a missing id.
            missing_url = reverse(name, kwargs=missing)
            for role in SIGNED_IN:
                # 405 (the method) and 400 (the body) come before any object is looked up.
                if case.expect[role] not in (403, 404) or record is not None:
                    continue
                if case.expect[role] != 404:
                    problems.append(
                        f"{case.method.upper()} {name} as {role}: another person's object must "
                        f"answer 404 (as a missing id does), not {case.expect[role]}"
                    )
                probe = Case({**case.expect, role: 404}, data=case.data, json=case.json)
                attempt(world, role, name, probe, case.method, missing_url, before, problems, None)
    return problems


# --- the guards ---------------------------------------------------------------------------------


def test_every_url_has_an_entry_in_the_matrix():
    missing = [n for n in NAMED if n not in MATRIX and not n.startswith("admin:")]
    unnamed = [
        route
        for name, route in ALL
        if not name and route not in UNNAMED and not route.startswith("admin/")
    ]

    assert not missing, f"add these URL names to a tests/<app>/url_matrix.py: {missing}"
    assert not unnamed, f"add these routes to UNNAMED: {unnamed}"
    assert not set(MATRIX) - set(NAMED), f"stale entries: {set(MATRIX) - set(NAMED)}"


def test_every_row_names_every_person_and_lets_someone_through():
    problems = []
    for name, cases in MATRIX.items():
        methods = [case.method for case in cases]
        if len(methods) != len(set(methods)):
            problems.append(f"{name}: a method has two rows")
        for case in cases:
            if left_out := [role for role in ROLES if role not in case.expect]:
                problems.append(f"{case.method.upper()} {name}: no outcome for {left_out}")
        through = [
            role
            for case in cases
            for role, outcome in case.expect.items()
            if expected_label(outcome) not in REFUSALS and outcome != LOGIN
        ]
        if through and name in NO_REAL_BODY_YET:
            problems.append(f"{name}: someone gets through now: drop it from NO_REAL_BODY_YET")
        if not through and name not in NOT_YET_TRIED and name not in NO_REAL_BODY_YET:
            problems.append(f"{name}: nobody gets through (a row refused to everyone proves "
                            "nothing: give it the person who may, and a real body)")  # fmt: skip

    assert not problems, "\n".join(problems)


def test_the_guard_fails_a_row_nobody_gets_through(monkeypatch):
    refused_to_all = Case(dict.fromkeys(ROLES, 404))
    monkeypatch.setitem(MATRIX, "home", [refused_to_all])

    with pytest.raises(AssertionError, match="home: nobody gets through"):
        test_every_row_names_every_person_and_lets_someone_through()


@pytest.mark.parametrize("app", APPS)
def test_every_method_a_view_accepts_has_a_row(app, org):
    """Methods without a row must answer 405 to a person who may use the URL."""
    world = build_world(org)
    problems = []
    for name in sorted(n for n in MATRIX if APP_OF[n] == app):
        cases = MATRIX[name]
        declared = {case.method for case in cases}
        case = cases[0]
        user = next(
            (r for c in cases for r in SIGNED_IN if expected_label(c.expect[r]) not in REFUSALS),
            "staff",
        )
        url = reverse(name, kwargs=case.resolved)
        pending = NOT_YET_TRIED.get(name, set())
        if stale := pending & declared:
            problems.append(f"{name}: {sorted(stale)} have rows now: drop them from NOT_YET_TRIED")
        for method in sorted({"get", *WRITES} - declared):
            with transaction.atomic():
                response = send(user, world, method, url, Case({}), None)
                transaction.set_rollback(True)
            refused = response.status_code == 405
            if not refused and method not in pending:
                problems.append(f"{method.upper()} {name} as {user}: {response.status_code}, "
                                "not 405: the view accepts it, give it a row")  # fmt: skip
            elif refused and method in pending:
                problems.append(f"{method.upper()} {name}: 405 now: drop it from NOT_YET_TRIED")

    assert not problems, "\n".join(problems)


# --- the matrix itself --------------------------------------------------------------------------


@pytest.mark.parametrize("app", APPS)
def test_every_person_meets_the_outcome_of_their_row(app, org):
    world = build_world(org)
    names = sorted(n for n in MATRIX if APP_OF[n] == app)
    if path := os.environ.get("MATRIX_RECORD"):
        record: list = []
        run_rows(world, names, record)
        with open(f"{path}.{app}.json", "w") as out:
            json.dump(record, out)
        return

    problems = run_rows(world, names)

    assert not problems, f"{len(problems)} cells differ:\n" + "\n".join(problems)
    own = {secret.name for secret in getattr(APPS[app], "SECRETS", [])}
    assert own <= world.secrets_shown, f"no rightful reader ever met {own - world.secrets_shown}"


def test_a_refused_write_that_changed_something_fails(org, monkeypatch):
    """The check itself: a view that writes and then refuses is caught."""
    world = build_world(org)
    leaky = Case({**signed_in(404), "subject": 200}, method="post")
    monkeypatch.setitem(MATRIX, "home", [leaky])
    leaky.resolved = {}
    from django.contrib.auth import get_user_model

    real_send = send

    def writing_send(role, *args):
        get_user_model().objects.filter(pk=world.subject.user.pk).update(first_name="Changed")
        return real_send(role, *args)

    monkeypatch.setattr(f"{__name__}.send", writing_send)
    problems = run_rows(world, ["home"])

    assert any("the database changed" in p for p in problems), problems


def test_a_secret_in_a_response_fails(org, monkeypatch):
    world = build_world(org)
    name = "mentoring:questions"
    from tests.url_matrix import Secret

    monkeypatch.setattr(
        f"{__name__}.SECRETS", [Secret("the board title", lambda w: "Questions", {"staff"})]
    )

    problems = run_rows(world, [name])

    assert any("holds ['the board title']" in p and "as teammate" in p for p in problems)


@pytest.mark.parametrize("route", sorted(UNNAMED))
def test_unnamed_urls(route, org):
    world = cast_people(org)
    for role in ROLES:
        response = send(role, world, "get", "/" + route, UNNAMED[route], None)
        assert outcome_of(response) == expected_label(UNNAMED[route].expect[role]), (route, role)


# --- the Django admin ---------------------------------------------------------------------------


def admin_kwargs(name):
    """Arguments for an admin URL, taken from its own pattern; object ids of real rows."""
    route = next(r for n, r in ALL if n == name)
    kwargs = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
        key = key[0] or key[1]
        kwargs[key] = {"app_label": "core", "content_type_id": 1}.get(key, "1")
    for key in {"object_id", "id"} & kwargs.keys():
        for model in admin.site._registry:
            if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
                row = model._default_manager.order_by("pk").first()
                kwargs[key] = str(row.pk) if row else "0"
    return kwargs


@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_admin_urls(name, org):
    """Staff get in; everyone else, of every relationship, ends on a sign-in page."""
    world = cast_people(org)
    url = reverse(name, kwargs=admin_kwargs(name))
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(world, role).user)
        response = client.get(url)
        if role == "staff" and name in ADMIN_STAFF_SPECIAL:
            assert response.status_code == ADMIN_STAFF_SPECIAL[name], (url, response.status_code)
        elif role == "staff":
            assert response.status_code in (200, 302), (url, response.status_code)
            assert not response.get("Location", "").startswith(
                ("/accounts/login/", "/admin/login/")
            )
        else:
            # Ours for visitors, the admin's "not authorised" page for members, which shows
            # nothing of the admin.
            final = client.get(url, follow=True)
            expected = "/accounts/login/" if role == "anonymous" else "/admin/login/"
            assert final.request["PATH_INFO"] == expected, (url, role, final.redirect_chain)
            assert "Site administration" not in final.content.decode()
