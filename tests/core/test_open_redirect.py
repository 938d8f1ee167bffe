"""`next` is followed only to a path on this site, everywhere it is read.

Found from outside: `POST /mentoring/action-items/<id>/done/` with `next=https://evil.example`.
Every view that reads `next` goes through `core.shortcuts.redirect_back`; a guard below keeps
it that way.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from core.shortcuts import redirect_back
from mentoring.models import ActionItem
from tests.factories import PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example",
    "https://evil.example/mentoring/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    " https://evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_fall_back_to_the_default(target):
    request = RequestFactory().post("/anything/", {"next": target})
    assert redirect_back(request, "/home-of-the-form/")["Location"] == "/home-of-the-form/"


@pytest.mark.parametrize("target", ["/mentoring/", "/labs/data-drift/?tab=problems"])
def test_a_path_on_this_site_is_followed(target):
    request = RequestFactory().post("/anything/", {"next": target})
    assert redirect_back(request, "/home-of-the-form/")["Location"] == target


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_marking_an_action_item_done_never_leaves_the_site(client, target):
    session = SessionFactory()
    item = ActionItem.objects.create(
        mentorship=session.mentorship, session=session, text="Read the design doc"
    )
    client.force_login(session.mentorship.mentee.user)
    response = client.post(reverse("mentoring:action-item-done", args=[item.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == session.mentorship.get_absolute_url()
    item.refresh_from_db()
    assert item.done_at is not None


def test_marking_notifications_read_never_leaves_the_site(client):
    person = PersonFactory()
    client.force_login(person.user)
    response = client.post(reverse("notifications:read-all"), {"next": "https://evil.example"})
    assert response["Location"] == reverse("notifications:list")


def test_every_view_that_reads_next_goes_through_redirect_back():
    """A guard: reading `next` anywhere but `redirect_back` (or a view handing it on to a
    form that posts it back there) would be a new place to check."""
    allowed = {"core/shortcuts.py", "labs/views.py"}  # labs' `_next` only fills a hidden field
    reads = re.compile(r"""(GET|POST|data|query_params)\.get\(\s*["']next["']""")
    found = []
    for app in ("core", "labs", "mentoring", "hackathons", "curriculum"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR).as_posix()
            if reads.search(path.read_text()) and relative not in allowed:
                found.append(relative)
    assert found == []
