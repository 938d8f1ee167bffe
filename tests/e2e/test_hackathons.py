"""Acceptance 4 of the hackathons issue in a real browser: propose an idea and see a similar one
flagged while typing, form a cross-team team, submit with a notebook, score as two judges,
publish as the organiser, see the ranking, the showcase and the evidence on a member's matrix.

The phase follows from the event's dates and the clock, so between steps the organiser moves the
dates (as `event_update` allows) and the clock seems to move on. Screenshots of the main pages at
1280 px and at a 390 px phone width land in var/screenshots/hackathons-*.png; at 390 px no page
may scroll sideways.
"""

import nbformat
import pytest

from core.demo import DEMO_PASSWORD
from core.models import Person
from core.skills.models import Skill
from hackathons import services
from hackathons.models import Event, Phase
from tests.e2e.test_mentoring import as_user
from tests.factories import PersonFactory, TeamFactory, staff_person
from tests.hackathons.helpers import phase_dates

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def at_both_widths(page, artifacts_dir, name: str) -> None:
    """Screenshots at laptop and phone width; on the phone the page must not scroll sideways."""
    page.screenshot(path=artifacts_dir / f"hackathons-{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=artifacts_dir / f"hackathons-{name}-phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)
    assert width <= PHONE["width"] + 1, f"{name} is {width} px wide on a 390 px phone"


CAST = [  # username, first and last name, org team
    ("maya", "Maya", "Okafor", "ML Platform"),
    ("tomas", "Tomás", "Silva", "ML Platform"),
    ("ines", "Inès", "Moreau", "Applied ML"),
    ("amara", "Amara", "Nwosu", "ML Platform"),
    ("ben", "Ben", "Carter", "ML Platform"),
    ("omar", "Omar", "Haddad", "Applied ML"),
    ("grace", "Grace", "Hopper", "Data Engineering"),
]


@pytest.fixture
def cast(skill_catalog) -> dict[str, Person]:
    """The few people of the walk, signing in with the demo password, and a backlog idea to be
    duplicated. (Not the whole demo: seeding it validates every shipped lab in the sandbox.)"""
    teams = {name: TeamFactory(name=name) for name in {row[3] for row in CAST}}
    found = {
        username: PersonFactory(
            user__username=username,
            user__first_name=first,
            user__last_name=last,
            team=teams[team],
        )
        for username, first, last, team in CAST
    }
    for person in found.values():
        person.user.set_password(DEMO_PASSWORD)
        person.user.save(update_fields=["password"])
    found["staff"] = staff_person()
    services.idea_create(
        proposer=found["grace"],
        title="Nightly feature drift alerts",
        problem="Feature distributions drift between training and serving without anyone noticing.",
        approach="A nightly PSI check per feature that alerts the channel.",
        skills=list(Skill.objects.filter(slug="telemetry")),
    )
    return found


def clock_moves_to(event: Event, phase: str, organiser: Person) -> None:
    services.event_update(event=event, by=organiser, **phase_dates(phase))
    assert Event.objects.get(pk=event.pk).phase == phase


def test_an_event_from_idea_to_showcase(page, live_server, cast, artifacts_dir, tmp_path):
    maya, ben = cast["maya"], cast["ben"]
    page.set_default_timeout(60_000)  # patience on a busy machine; nothing here is timed
    telemetry = Skill.objects.get(slug="telemetry")
    event = services.event_create(
        by=cast["staff"],
        slug="autumn-hack",
        title="Autumn hack",
        theme="Watch the models",
        organisers=[maya],
        judges=[cast["tomas"], cast["ines"]],
        criteria=[("Impact", 2), ("Craft", 1)],
        **phase_dates(Phase.IDEAS),
    )

    # Ideas: Amara writes a near-duplicate of a backlog idea; it is flagged while she types.
    as_user(page, live_server, "amara", f"/hackathons/ideas/new/?event={event.slug}")
    page.get_by_label("Title").fill("Drift alerts for features every night")
    page.get_by_label("Problem").fill(
        "Feature distributions drift between training and serving and nobody notices."
    )
    flagged = page.locator("#similar [data-similar] li").first
    flagged.wait_for()
    assert "drift" in flagged.get_by_role("link").inner_text().lower()
    assert "badge--warning" in flagged.locator(".badge").get_attribute("class")
    page.get_by_label("Telemetry").check()
    page.get_by_role("button", name="Propose").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Drift alerts for features every night"
    )
    assert "drift" in page.locator("[data-similar] li").first.inner_text().lower()
    at_both_widths(page, artifacts_dir, "1-idea")
    ben_idea = services.idea_create(
        proposer=ben, title="Searchable feature docs", problem="Nobody finds features.",
        skills=[telemetry], event=event,
    )  # fmt: skip

    # Team formation: Amara (ML Platform) forms a team; Omar (Applied ML) asks to join.
    clock_moves_to(event, Phase.TEAMS, maya)
    as_user(page, live_server, "amara", event.get_absolute_url())
    assert page.locator("[data-phase]").inner_text() == "Team formation"
    ours = page.locator("li", has_text="Drift alerts for features every night")
    ours.get_by_role("button", name="Form a team around it").click()
    team_path = page.url.removeprefix(live_server.url)
    services.team_create(event=event, idea=ben_idea, lead=ben)
    as_user(page, live_server, "omar", team_path)
    page.get_by_label("Message").fill("I run the telemetry dashboards.")
    page.get_by_role("button", name="Ask to join").click()
    as_user(page, live_server, "amara", team_path)
    page.get_by_role("button", name="Accept").click()
    assert "Omar Haddad" in page.locator(".people-list").inner_text()
    assert page.locator("[data-org-teams]").inner_text().startswith("2 org teams")
    at_both_widths(page, artifacts_dir, "2-team")

    # Building: the team submits with a notebook, shown rendered.
    clock_moves_to(event, Phase.BUILDING, maya)
    notebook = tmp_path / "drift.ipynb"
    notebook.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# PSI per feature\nbasket_size drifted.")])))  # fmt: skip
    page.get_by_role("link", name="Write the submission").click()
    page.get_by_label("Summary").fill("A nightly PSI check that posts to the team channel.")
    page.get_by_label("Attachment").set_input_files(notebook)
    page.get_by_role("button", name="Submit", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Drift alerts for features every night"
    )
    notebook_frame = page.frame_locator("iframe.feedback-frame")
    assert "basket_size drifted" in notebook_frame.locator("body").inner_text()
    ben_team = event.teams.get(lead=ben)
    services.submission_save(team=ben_team, by=ben, title="Feature docs", submit=True)

    # Judging: two judges score both projects; Tomás strictly, Inès generously.
    clock_moves_to(event, Phase.JUDGING, maya)
    criteria = list(event.criteria.all())
    for judge, ours, theirs in (("tomas", "4", "2"), ("ines", "5", "4")):
        as_user(page, live_server, judge, f"/hackathons/events/{event.slug}/judging/")
        for title, value in (("Drift alerts for features every night", ours),
                             ("Feature docs", theirs)):  # fmt: skip
            page.get_by_role("link", name=title).click()
            for criterion in criteria:
                page.locator(f"input[name=value_{criterion.pk}][value='{value}']").check()
            page.get_by_role("button", name="Save scores").click()
            assert page.get_by_text(f"Scores for {title} are saved.").is_visible()

    # Results: the organiser publishes; everyone sees the ranking and the showcase.
    as_user(page, live_server, "maya", f"/hackathons/events/{event.slug}/progress/")
    assert page.get_by_text("done", exact=True).count() == 2  # both judges scored everything
    page.get_by_role("button", name="Publish the results").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Results"
    as_user(page, live_server, "omar", f"/hackathons/events/{event.slug}/results/")
    rows = page.locator("[data-ranking] tbody tr")
    assert rows.nth(0).locator("[data-rank]").inner_text() == "1"
    assert "Drift alerts" in rows.nth(0).inner_text()
    assert rows.nth(1).locator("[data-rank]").inner_text() == "2"
    at_both_widths(page, artifacts_dir, "4-results")
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    assert page.locator("[data-phase]").inner_text() == "Results"
    at_both_widths(page, artifacts_dir, "3-event")
    page.get_by_role("link", name="Showcase", exact=True).first.click()
    page.get_by_label("Text", exact=True).fill("drift alerts")
    page.get_by_role("button", name="Search").click()
    card = page.locator(".card", has_text="Drift alerts for features every night")
    assert "Amara Nwosu" in card.inner_text() and "notebook" in card.inner_text()
    at_both_widths(page, artifacts_dir, "5-showcase")

    # Evidence: publishing put the project on Omar's matrix, under the project's skill.
    page.goto(f"{live_server.url}/skills/")
    matrix = page.get_by_role("table", name="Skill matrix")
    matrix.get_by_role("row", name="Telemetry").locator("td.numeric a").click()
    evidence = page.locator(".evidence-list li", has_text="Drift alerts for features every night")
    assert evidence.locator(".badge").inner_text() == "Hackathon project"
    page.screenshot(path=artifacts_dir / "hackathons-6-evidence.png", full_page=True)
    assert page.outside_requests == []
