"""Acceptance 6: in a real browser, a manager proposes a match, both people accept, they log a
session, the mentor writes feedback and the mentee acknowledges it. Screenshots in
var/screenshots/mentoring-*.png."""

import pytest

from tests.e2e.test_platform import sign_in

pytestmark = pytest.mark.browser


def as_user(page, live_server, login: str, path: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server.url, login)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{path}")


def test_propose_accept_session_feedback_acknowledged(page, live_server, demo, artifacts_dir):
    as_user(page, live_server, "tomas", "/mentoring/match/")
    page.get_by_label("Mentee").select_option(label="Amara Nwosu")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name="Suggested matches and why")
    first = table.locator("tbody tr").first
    mentor_name = first.locator("td").nth(1).inner_text()
    assert "of Amara's" in first.inner_text() and "another team" in first.inner_text()
    numbers = first.locator("details")
    assert numbers.get_attribute("open") is None  # the numbers wait one click away
    numbers.locator("summary").click()
    assert numbers.get_attribute("open") is not None and "cross-team" in numbers.inner_text()
    page.screenshot(path=artifacts_dir / "mentoring-1-match.png", full_page=True)
    first.get_by_role("button", name="Propose").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"{mentor_name} mentors Amara Nwosu"
    mentorship_path = page.url.removeprefix(live_server.url)

    for login in (mentor_name.split()[0].lower(), "amara"):
        as_user(page, live_server, login, mentorship_path)
        page.get_by_role("button", name="Accept").click()
    assert page.locator("[data-status]").inner_text() == "Active"
    page.screenshot(path=artifacts_dir / "mentoring-2-accepted.png", full_page=True)

    page.get_by_label("Agenda").fill("- What to learn first")
    page.get_by_label("Notes").fill("We picked **evaluation**.")
    page.get_by_label("Action items").fill("Read the evaluation guide")
    page.get_by_role("button", name="Log session").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Session on")
    page.get_by_label("Your private note").fill("Amara seems nervous about code reviews.")
    page.get_by_role("button", name="Save private note").click()
    page.screenshot(path=artifacts_dir / "mentoring-3-session.png", full_page=True)

    as_user(page, live_server, mentor_name.split()[0].lower(), "/mentoring/feedback/")
    assert "nervous" not in page.content()
    page.get_by_label("Recipient").select_option(label="Amara Nwosu")
    page.get_by_label("Category").select_option("collaboration")
    page.get_by_label("Kind").select_option("praise")
    page.get_by_label("Visibility").select_option("with_managers")
    page.get_by_label("Body").fill("Great questions in our first session.")
    page.get_by_role("button", name="Send feedback").click()
    note_path = page.url.removeprefix(live_server.url)

    as_user(page, live_server, "amara", note_path)
    page.get_by_role("button", name="Acknowledge").click()
    assert page.get_by_text("Acknowledged", exact=True).is_visible()

    as_user(page, live_server, "tomas", note_path)  # her manager reads it, acknowledged
    assert page.get_by_text("Acknowledged", exact=True).is_visible()
    page.screenshot(path=artifacts_dir / "mentoring-4-acknowledged.png", full_page=True)
    assert page.outside_requests == []
