"""Issue 14, collaboration across teams: a manager finds it from the teams page and reads it
on a laptop and on a phone (screenshots var/screenshots/portal/collaboration-<width>.png)."""

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.test_platform import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def test_a_manager_sees_which_teams_work_together(page, live_server, artifacts_dir):
    folder = artifacts_dir / "portal"
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "maya")
    page.wait_for_url(f"{live_server.url}/")

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/teams/")
        page.get_by_role("link", name="Collaboration across teams").click()
        page.wait_for_url("**/collaboration/")  # loaded, as the measures below need

        assert page.get_by_role("heading", level=1).inner_text() == "Collaboration across teams"
        assert page.get_by_role("heading", name="Links per team and quarter").is_visible()
        assert page.locator("table").first.locator("tbody tr").count() >= 2
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= page.evaluate("window.innerWidth"), (width, width_used)
        page.screenshot(path=folder / f"collaboration-{width}.png", full_page=True)
        assert_accessible(page, f"the collaboration page at {width} px")
