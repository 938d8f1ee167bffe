"""Issue 14, acceptance 1: each demo role's home answers its questions, at 1366 px and 390 px,
in a real browser, and never scrolls sideways on a phone. Screenshots land in
var/screenshots/portal/home-<role>-<width>.png."""

import pytest

from core.models import Person
from tests.e2e.axe import assert_accessible
from tests.e2e.test_platform import sign_in, sign_in_with_totp
from tests.factories import enable_totp

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

WIDTHS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]

# role, demo login, the section headings its home has, and per panel: its heading and facts
# the demo data puts in it (words a person would read there).
HOMES = [
    (
        "engineer",
        "amara",
        ["Your growth", "Helping others grow"],  # she is an expert in coding: questions
        {
            "Your skills": [
                "Your biggest gaps, and what closes them",
                "The 3 biggest of the",
                "Take the lab",
                "Ask someone strong in",
            ],
            "Your mentors and mentees": ["Lars Berg", "Next session"],
            "Feedback for you": ["unread", "from Lars Berg"],
            "Your labs": ["1 of 11 released labs passed", "Not passed yet", "2 attempts of 5"],
            "Learning time": ["minutes this week", "of the goal"],
            "Questions in your skills": ["open question"],
            "Hackathons": ["Spring hack 2026", "Your ideas"],
        },
    ),
    (
        "mentor",
        "priya",
        ["Your growth", "Helping others grow"],
        {
            "Your mentees": ["Omar Haddad", "Biggest gaps", "2 open action items", "next"],
            "Waiting for your sign-off": ["1 lab grade waits for your sign-off", "Omar Haddad"],
            "Questions you could answer": ["Your expert skills"],
        },
    ),
    (
        "manager",
        "maya",
        ["Your growth", "Helping others grow", "Your team"],
        {
            "Your team's skills": ["15 people who report to you", "below target"],
            "Feedback and mentoring": [
                "No feedback for 30 days",
                "Early-career engineers without a mentor",
                "Find a mentor for Grace",
            ],
            "Team learning time": ["people met the goal of 240 minutes this week"],
            "Lab completion": ["have passed at least one of the 11 released labs"],
            "Over the last quarters": ["Your team by quarter", "Average level"],
        },
    ),
    (
        "staff",
        "admin",
        ["Your growth", "Helping others grow", "Running Cultivate"],
        {
            "Grading health": ["In the queue", "failed to grade", "Worker last seen"],
            "Labs needing attention": ["1 of 1 grading failed", "1 open problem report"],
            "Ideas and events": ["Idea backlog", "Spring hack 2026", "Winter hack 2025"],
        },
    ),
]


def signed_in_home(page, live_server, login: str) -> None:
    if login == "admin":  # staff sign in with a second factor
        user = Person.objects.get(user__username="admin").user
        enable_totp(user)
        sign_in_with_totp(page, live_server.url, user)
    else:
        sign_in(page, live_server.url, login)
    page.wait_for_url(f"{live_server.url}/")


IDS = [home[0] for home in HOMES]


@pytest.mark.parametrize(("role", "login", "sections", "panels"), HOMES, ids=IDS)
def test_each_roles_home_answers_its_questions_accessibly_on_a_laptop_and_a_phone(
    page, live_server, artifacts_dir, role, login, sections, panels
):
    folder = artifacts_dir / "portal"
    folder.mkdir(exist_ok=True)
    signed_in_home(page, live_server, login)

    for size in WIDTHS:
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")

        headings = page.locator("h2.home-section__title").all_inner_texts()
        assert headings == sections, f"{role} at {size['width']} px"
        for title, facts in panels.items():
            card = page.locator("section.home-panel").filter(
                has=page.get_by_role("heading", level=3, name=title, exact=True)
            )
            assert card.count() >= 1, f"no panel “{title}” on the {role}'s home"
            text = " ".join(card.first.inner_text().split())
            for fact in facts:
                assert fact in text, f"“{fact}” not in the {role}'s panel “{title}”: {text}"
            assert card.first.locator(".card__footer a").count() >= 1  # the full page
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert width <= inner, f"the {role}'s home is {width} px wide at {inner} px"
        page.screenshot(path=folder / f"home-{role}-{size['width']}.png", full_page=True)
        assert_accessible(page, f"the {role}'s home at {size['width']} px")
    assert page.outside_requests == []


def test_the_engineers_names_link_only_where_the_page_opens(page, live_server):
    """Amara may not open her mentor's page: his name is plain text, not a link to a 404."""
    signed_in_home(page, live_server, "amara")

    mentors = page.locator("section.home-panel").filter(
        has=page.get_by_role("heading", level=3, name="Your mentors and mentees")
    )
    assert mentors.get_by_text("Lars Berg").is_visible()
    assert mentors.get_by_role("link", name="Lars Berg").count() == 0
    page.get_by_role("link", name="Your skill matrix and growth plan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your skill matrix"
