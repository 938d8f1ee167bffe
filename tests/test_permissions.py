"""Every URL × every role, and a guard that fails when a URL has no entry.

Roles: anonymous, engineer (reports to manager), manager (of engineer and peer), staff (with
two-factor set up). The object in a URL belongs to `peer`, a colleague of the engineer: the
engineer must not see their private data (404), their manager must.

Expected outcomes: a status code, LOGIN (302 to the sign-in page), HOME (302 to the home page:
already signed in), REDIRECT (302 anywhere but the sign-in page).
"""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.core import url_matrix as core_urls
from tests.curriculum import url_matrix as curriculum_urls
from tests.hackathons import url_matrix as hackathons_urls
from tests.labs import url_matrix as labs_urls
from tests.mentoring import url_matrix as mentoring_urls
from tests.skills import url_matrix as skills_urls
from tests.url_matrix import HOME, LOGIN, REDIRECT, ROLES, Case, signed_in

MATRIX: dict[str, Case] = {
    **core_urls.URLS,
    **skills_urls.URLS,
    **labs_urls.URLS,
    **mentoring_urls.URLS,
    **hackathons_urls.URLS,
    **curriculum_urls.URLS,
}

# The Django admin: every URL of it is checked; staff get in, nobody else does. These are what
# staff get where a GET alone is not a complete request.
ADMIN_STAFF_SPECIAL = {
    "admin:autocomplete": 403,
    "admin:logout": 405,
    "admin:view_on_site": 404,
    **core_urls.ADMIN_FORBIDDEN_TO_STAFF,
    **skills_urls.ADMIN_FORBIDDEN_TO_STAFF,
    **labs_urls.ADMIN_FORBIDDEN_TO_STAFF,
    **mentoring_urls.ADMIN_FORBIDDEN_TO_STAFF,
    **hackathons_urls.ADMIN_FORBIDDEN_TO_STAFF,
    **curriculum_urls.ADMIN_FORBIDDEN_TO_STAFF,
}

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


def test_every_url_has_an_entry_in_the_matrix():
    missing = [n for n in NAMED if n not in MATRIX and not n.startswith("admin:")]
    unnamed = [
        route
        for name, route in ALL
        if not name and route not in UNNAMED and not route.startswith("admin/")
    ]

    assert not missing, f"add these URL names to MATRIX: {missing}"
    assert not unnamed, f"add these routes to UNNAMED: {unnamed}"
    assert not set(MATRIX) - set(NAMED), f"stale entries: {set(MATRIX) - set(NAMED)}"


def client_for(role, org, client):
    if role != "anonymous":
        client.force_login(getattr(org, role).user)
    return client


def check(response, expected, url):
    location = response.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith("/accounts/login/"), url
    elif expected == HOME:
        assert response.status_code == 302 and location == "/", url
    elif expected == REDIRECT:
        assert response.status_code == 302, (url, response.status_code)
        assert not location.startswith("/accounts/login/"), f"{url} sent a member to sign in"
    else:
        assert response.status_code == expected, (url, response.status_code, location)


def resolve_kwargs(kwargs, org):
    return {k: v(org) if callable(v) else v for k, v in kwargs.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_named_urls(name, role, org, client):
    case = MATRIX[name]
    if case.setup:
        case.setup(org)
    url = reverse(name, kwargs=resolve_kwargs(case.kwargs, org))

    response = getattr(client_for(role, org, client), case.method)(url)

    check(response, case.expect[role], url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(UNNAMED))
def test_unnamed_urls(route, role, org, client):
    response = client_for(role, org, client).get("/" + route)

    check(response, UNNAMED[route].expect[role], route)


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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_admin_urls(name, role, org, client):
    url = reverse(name, kwargs=admin_kwargs(name))

    response = client_for(role, org, client).get(url)

    if role == "staff" and name in ADMIN_STAFF_SPECIAL:
        check(response, ADMIN_STAFF_SPECIAL[name], url)
    elif role == "staff":
        assert response.status_code in (200, 302), (url, response.status_code)
        assert not response.get("Location", "").startswith(("/accounts/login/", "/admin/login/"))
    else:
        # Everyone else ends on a sign-in page: ours for visitors, the admin's "not authorised"
        # page for members, which shows nothing of the admin.
        final = client.get(url, follow=True)
        expected = "/accounts/login/" if role == "anonymous" else "/admin/login/"
        assert final.request["PATH_INFO"] == expected, (url, final.redirect_chain)
        assert "Site administration" not in final.content.decode()
