"""Issue 14, "Layout and access", on the demo data: every page a demo role (engineer, mentor,
manager, staff) reaches from the navigation, and the person page, fit a 390 px phone (nothing
scrolls sideways; wide tables scroll in their own box) and a 1366 px laptop; the skill radar
scales to a phone with labels one can read; the person page passes axe-core's check.
Screenshots land in var/screenshots/portal/<role>-<page>-<width>.png."""

import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from core.models import Person
from tests.e2e.axe import assert_accessible
from tests.e2e.test_platform import sign_in, sign_in_with_totp
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}

# What counts as navigation: the main menu, the account menu (notifications, your page), a
# section's own menu, tabs, and a page's header actions (e.g. "Your team" on learning time).
# Followed breadth-first from the home page.
NAVIGATION = ", ".join(
    ["nav.main-nav a", "nav.account-nav a", "nav.subnav a", "nav.tabs a", ".page-header__actions a"]
)
NOT_PAGES = ("/accounts/", "/admin/", "/api/")

# role, login, whose person page to open besides their own (a report or a mentee)
ROLES = [
    ("engineer", "amara", None),
    ("mentor", "priya", "omar"),
    ("manager", "maya", "amara"),
    ("staff", "admin", "grace"),
]


def signed_in(page, live_server, login: str) -> None:
    """Signed in as a demo account; the staff admin with two-factor authentication set up."""
    if login == "admin":
        user = Person.objects.get(user__username="admin").user
        enable_totp(user)
        sign_in_with_totp(page, live_server.url, user)
    else:
        sign_in(page, live_server.url, login)
    page.wait_for_url(f"{live_server.url}/")


def navigation_links(page, base: str) -> list[str]:
    hrefs = page.locator(NAVIGATION).evaluate_all(
        "links => links.filter(a => !a.hasAttribute('download')).map(a => a.href)"
    )
    paths = []
    for href in hrefs:
        url = urlparse(href)
        if f"{url.scheme}://{url.netloc}" != base or url.path.startswith(NOT_PAGES):
            continue
        paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return paths


# The outermost elements that stick out of the viewport, named in the failure message so that a
# failure says what to fix. What sits in a box that scrolls or clips is that box's business,
# unless it is positioned: then it escapes a box that is not its containing block.
STICKING_OUT = """() => {
  const inScroller = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const positioned = el => ["absolute", "fixed"].includes(getComputedStyle(el).position);
  const named = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map(c => "." + c).join("");
  const out = [...document.body.querySelectorAll("*")].filter(
    el => el.getBoundingClientRect().right > window.innerWidth + 1 &&
      (positioned(el) || !inScroller(el))
  );
  return out.filter(el => !out.includes(el.parentElement)).slice(0, 5)
    .map(el => named(el) + " " + Math.round(el.getBoundingClientRect().right) + "px");
}"""


def screenshot_name(role: str, path: str, width: int, names: dict[int, str]) -> str:
    """`manager-skills-coverage-390.png`; a person's id is named (`person-amara`), so that the
    names stay the same from one run to the next."""
    path = re.sub(r"/people/(\d+)/", lambda m: f"/person/{names.get(int(m[1]), m[1])}/", path)
    path = re.sub(r"/(\d+)/", lambda m: f"/{names.get(int(m[1]), m[1])}/", path)
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{role}-{slug}-{width}.png"


def walk(page, base: str, start: list[str], shot) -> dict[str, object]:
    """Every page the navigation leads to from `start`, breadth-first: each at laptop width,
    then at phone width, with screenshots (`shot(path, width)` names them). What is too wide."""
    too_wide: dict[str, object] = {}
    seen, queue = list(start), list(start)
    while queue:
        path = queue.pop(0)
        page.set_viewport_size(LAPTOP)
        response = page.goto(base + path)
        assert response.ok, f"{path} answered {response.status}"
        page.screenshot(path=shot(path, LAPTOP["width"]), full_page=True)
        if (laptop := page.evaluate("document.documentElement.scrollWidth")) > LAPTOP["width"]:
            too_wide[f"{path} at {LAPTOP['width']} px"] = laptop
        for link in navigation_links(page, base):
            if link not in seen:
                seen.append(link)
                queue.append(link)
        page.set_viewport_size(PHONE)
        page.screenshot(path=shot(path, PHONE["width"]), full_page=True)
        if (phone := page.evaluate("document.documentElement.scrollWidth")) > PHONE["width"]:
            too_wide[f"{path} at {PHONE['width']} px"] = (phone, page.evaluate(STICKING_OUT))
    return too_wide


@pytest.mark.parametrize(("role", "login", "other"), ROLES, ids=[r[0] for r in ROLES])
def test_every_page_of_the_navigation_fits_a_phone_and_a_laptop(
    page,
    live_server,
    demo,
    artifacts_dir,
    role,
    login,
    other,
):
    page.set_default_timeout(60_000)  # patience on a busy machine; nothing here is timed
    folder = artifacts_dir / "portal"
    folder.mkdir(exist_ok=True)
    for old in folder.glob(f"{role}-*.png"):
        old.unlink()
    people = {
        p.pk: p.user.username for p in Person.objects.filter(user__username__in=[login, other])
    }
    signed_in(page, live_server, login)

    too_wide = walk(
        page,
        live_server.url,
        ["/", *(reverse("person-detail", args=[pk]) for pk in people)],
        lambda path, width: folder / screenshot_name(role, path, width, people),
    )

    assert too_wide == {}
    assert page.outside_requests == []


# How the radar's labels measure on a phone: rendered size, and whether each lies inside the
# drawing (an SVG draws outside its box without a word, and the page then scrolls sideways).
RADAR_LABELS = """() => {
  const svg = document.querySelector(".radar__svg");
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll(".radar__labels text")].map(text => {
    const r = text.getBoundingClientRect();
    return {
      label: text.textContent,
      px: parseFloat(getComputedStyle(text).fontSize) * scale,
      inside: r.left >= box.left - 1 && r.right <= box.right + 1 &&
        r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
    };
  });
}"""


def test_the_radar_scales_to_a_phone_with_labels_one_can_read(
    page,
    live_server,
    demo,
    artifacts_dir,
):
    page.set_viewport_size(PHONE)
    signed_in(page, live_server, "amara")
    page.goto(f"{live_server.url}/skills/")

    labels = page.evaluate(RADAR_LABELS)
    card = page.locator("section.card", has=page.locator(".radar"))
    card.screenshot(path=artifacts_dir / "portal" / "radar-390.png")

    assert len(labels) == 17
    assert [label["label"] for label in labels if label["px"] < 11] == []
    assert [label["label"] for label in labels if not label["inside"]] == []
    assert page.get_by_role("table", name="Skill matrix").is_visible()  # the same numbers


@pytest.mark.parametrize(
    ("login", "whose"), [("maya", "amara"), ("priya", "omar"), ("amara", "amara")]
)
def test_the_person_page_has_no_serious_accessibility_violation(
    page,
    live_server,
    demo,
    login,
    whose,
):
    signed_in(page, live_server, login)
    person = Person.objects.get(user__username=whose)
    page.goto(live_server.url + person.get_absolute_url())
    assert page.locator("section[data-section]").count() >= 6

    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        assert_accessible(page, f"{whose}'s page for {login} at {viewport['width']} px")
