import pytest

from core.demo import DEMO_PASSWORD
from tests.core.test_auth import current_totp_code

pytestmark = pytest.mark.browser


def sign_in(page, base_url, login, *, open_page=True):
    if open_page:
        page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email or username").fill(login)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def sign_in_with_totp(page, base_url, user) -> None:
    """A staff sign-in: the password, then the authenticator's current code. A code counts in
    its own 30 s window only, and one read as the window closes may reach the server after it:
    then the next window's code is given."""
    sign_in(page, base_url, user.username)
    for _ in range(2):
        page.get_by_label("Code").fill(current_totp_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign In").click()
        if "/2fa/authenticate/" not in page.url:
            return


def test_a_demo_engineer_signs_in_and_sees_the_home_page(page, live_server, demo, artifacts_dir):
    page.goto(live_server.url + "/people/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to sign in

    sign_in(page, live_server.url, "amara", open_page=False)

    page.wait_for_url(f"{live_server.url}/people/")  # back where they were going
    page.get_by_role("link", name="Home").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert page.get_by_text("ML Engineer").first.is_visible()
    page.screenshot(path=artifacts_dir / "home.png", full_page=True)
    assert page.outside_requests == []


def test_a_manager_sees_their_team(page, live_server, demo, artifacts_dir):
    sign_in(page, live_server.url, "tomas")
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Team", exact=True).click()

    rows = page.locator("table tbody tr")
    assert rows.count() == 4
    assert page.get_by_role("link", name="Priya Raman").is_visible()
    page.screenshot(path=artifacts_dir / "my-team.png", full_page=True)


def test_a_wrong_password_shows_a_clear_message(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email or username").fill("amara")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()

    assert page.get_by_text("not correct").is_visible()


def test_api_docs_render_without_the_internet(page, live_server, demo, artifacts_dir):
    sign_in(page, live_server.url, "amara")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/api/docs/")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Cultivate API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 3
    page.screenshot(path=artifacts_dir / "api-docs.png")
    assert page.outside_requests == []
