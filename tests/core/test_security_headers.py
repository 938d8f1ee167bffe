"""Every page carries a Content Security Policy that runs no inline script, and the other
security headers; no template of ours holds an inline script that the policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


def script_src(policy: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    return directives["script-src"]


@pytest.mark.parametrize(
    "url, signed_in",
    [
        ("account_login", False),
        ("home", True),
        ("people-directory", True),
        ("api:docs", True),
        ("api:person-list", True),
    ],
)
def test_each_response_has_the_policy_and_headers(client, org, url, signed_in):
    if signed_in:
        client.force_login(org.engineer.user)
    response = client.get(reverse(url))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert script_src(policy) == "'self'"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    if "text/html" in response["Content-Type"]:
        assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_the_api_docs_start_swagger_from_a_file(client, org):
    client.force_login(org.engineer.user)
    page = client.get(reverse("api:docs")).content.decode()
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    assert any("swagger-ui" in src for src in sources)
    assert any(src.startswith(reverse("api:docs")) for src in sources)  # the start-up script


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text):
            found.append(path.relative_to(settings.BASE_DIR).as_posix())
    assert found == []
