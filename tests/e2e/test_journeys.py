"""Issue 14 in a real browser, the two journeys a newcomer takes: a first sign-in guided
through onboarding to a learning path, and asking a mentor directly, who accepts. Each page on
the way at 1366 px and 390 px: it fits, passes axe-core, and is saved as a screenshot in
var/screenshots/portal/journey-*.png."""

import pytest

from core.demo import DEMO_PASSWORD
from core.models import CareerStage, Person
from core.services import user_with_person_create
from curriculum.models import Enrolment
from mentoring.models import Mentorship
from tests.e2e.axe import assert_accessible
from tests.e2e.test_platform import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

WIDTHS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


def check_page(page, folder, name: str) -> None:
    """At both widths: nothing scrolls sideways, axe finds nothing serious, a screenshot."""
    for size in WIDTHS:
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} is {width} px wide at {size['width']} px"
        assert_accessible(page, f"{name} at {size['width']} px")
        page.screenshot(path=folder / f"journey-{name}-{size['width']}.png", full_page=True)
    page.set_viewport_size(WIDTHS[0])


def test_a_newcomer_is_guided_from_the_first_sign_in_to_a_learning_path(
    page, live_server, artifacts_dir
):
    folder = artifacts_dir / "portal"
    folder.mkdir(exist_ok=True)
    zoe = user_with_person_create(
        username="zoe", email="zoe@example.com", password=DEMO_PASSWORD, first_name="Zoe"
    )
    tomas = Person.objects.get(user__username="tomas")

    sign_in(page, live_server.url, "zoe")
    page.wait_for_url(f"{live_server.url}/welcome/")
    check_page(page, folder, "welcome-where")
    page.get_by_label("Your team").select_option(label=tomas.team.name)
    page.get_by_role("combobox", name="Your manager").select_option(value=str(tomas.pk))
    page.locator(f"input[name=career_stage][value={CareerStage.EARLY_CAREER}]").check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(f"{live_server.url}/welcome/skills/**")
    check_page(page, folder, "welcome-skills")
    page.locator("fieldset.rubric-choice input[type=radio]").nth(1).check()
    page.get_by_role("button", name="Save my rating").click()
    assert page.get_by_test_id("assess-done").is_visible()
    page.get_by_role("link", name="Continue").first.click()

    page.wait_for_url(f"{live_server.url}/welcome/learning/**")
    check_page(page, folder, "welcome-learning")
    page.get_by_role("button", name="Enrol").first.click()
    page.get_by_role("button", name="Finish setting up").click()

    page.wait_for_url(f"{live_server.url}/")
    zoe.refresh_from_db()
    assert zoe.onboarded_at is not None
    assert (zoe.team, zoe.manager) == (tomas.team, tomas)
    assert Enrolment.objects.filter(person=zoe).exists()
    assert page.get_by_text("Finish setting up").count() == 0  # the notice is gone
    assert page.outside_requests == []


def test_an_engineer_asks_a_mentor_who_accepts(page, live_server, artifacts_dir):
    folder = artifacts_dir / "portal"
    folder.mkdir(exist_ok=True)
    sign_in(page, live_server.url, "grace")  # early-career, without a mentor in the demo
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/mentoring/find/")
    check_page(page, folder, "find-a-mentor")

    first = page.locator("section.card", has=page.get_by_text("Why this match")).first
    mentor_name = first.locator("h3").inner_text().strip()
    first.locator("summary", has_text="to mentor you").click()
    first.get_by_label("Your message").fill("I would like help with **evaluation**.")
    first.get_by_role("button", name="Ask to be mentored").click()

    asked = Mentorship.objects.get(mentee__user__username="grace", status="proposed")
    assert asked.mentee_accepted_at is not None and asked.proposed_by == asked.mentee
    assert mentor_name == asked.mentor.display_name
    page.wait_for_url(f"{live_server.url}{asked.get_absolute_url()}")
    check_page(page, folder, "request-sent")

    page.context.clear_cookies()
    sign_in(page, live_server.url, asked.mentor.user.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + asked.get_absolute_url())
    assert page.get_by_text("I would like help with").is_visible()  # the mentee's message
    check_page(page, folder, "request-to-answer")
    page.get_by_role("button", name="Accept").click()

    asked.refresh_from_db()
    assert asked.status == Mentorship.Status.ACTIVE
    assert page.outside_requests == []
