"""Acceptance 4 of the curriculum issue in a real browser: an early-career engineer enrols in
Foundations, opens a lab from the path, submits the reference solution, watches the real worker
grade it, and finds the step and its module done on the path page. Screenshots at 1280 px and
at a 390 px phone width land in var/screenshots/curriculum-*.png; at 390 px no page may scroll
sideways."""

import json

import nbformat
import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from curriculum.services import paths_load
from labs.services import lab_store
from tests.curriculum.conftest import lab, reference_answers
from tests.e2e.test_mentoring import as_user
from tests.factories import PersonFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
LAB = "data-drift"  # standard library only: the quickest of the shipped labs to grade


def at_both_widths(page, artifacts_dir, name: str) -> None:
    """Screenshots at laptop and phone width; on the phone the page must not scroll sideways."""
    page.screenshot(path=artifacts_dir / f"curriculum-{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=artifacts_dir / f"curriculum-{name}-phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)
    assert width <= PHONE["width"] + 1, f"{name} is {width} px wide on a 390 px phone"


@pytest.fixture
def cast(skill_catalog):
    """Amara and her manager Tomás, the data-drift lab (validated once per session) and the
    shipped paths. (Not the whole demo: seeding it validates every shipped lab in the sandbox.)"""
    team = TeamFactory(name="ML Platform")
    tomas = PersonFactory(
        user__username="tomas", user__first_name="Tomás", user__last_name="Silva",
        team=team, career_stage="staff",
    )  # fmt: skip
    amara = PersonFactory(
        user__username="amara", user__first_name="Amara", user__last_name="Nwosu",
        team=team, manager=tomas,
    )  # fmt: skip
    for person in (tomas, amara):
        person.user.set_password(DEMO_PASSWORD)
        person.user.save(update_fields=["password"])
    spec, report = lab(LAB)
    stored = lab_store(spec=spec, report=report).lab
    paths_load()
    return {"amara": amara, "tomas": tomas, "lab": stored, "spec": spec}


def test_enrol_open_the_lab_submit_and_see_the_step_done(
    page, live_server, cast, celery_worker, artifacts_dir, tmp_path
):
    page.set_default_timeout(60_000)  # patience on a busy machine; nothing here is timed
    as_user(page, live_server, "amara", "/")
    page.get_by_role("link", name="Paths", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Learning paths"
    at_both_widths(page, artifacts_dir, "1-paths")

    page.get_by_role("link", name="Foundations", exact=True).click()
    page.get_by_role("button", name="Enrol in Foundations").click()
    assert page.get_by_text("You are enrolled in Foundations.").is_visible()
    assert page.locator("#you-heading").inner_text() == "Your progress"
    step = page.locator("li[data-kind='lab']", has_text=cast["lab"].title)
    assert step.get_attribute("data-done") == "no"
    at_both_widths(page, artifacts_dir, "2-enrolled")
    path_url = page.url

    step.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == cast["lab"].title
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the notebook").click()
    notebook = nbformat.reads(download.value.path().read_text(), as_version=4)
    answers = reference_answers(cast["spec"])
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]["source"]
    answered = tmp_path / "answers.ipynb"
    answered.write_text(json.dumps(notebook))
    page.get_by_label("Your notebook (.ipynb)").set_input_files(answered)
    page.get_by_role("button", name="Submit for grading").click()
    page.wait_for_url("**/labs/submissions/*/")
    expect(page.locator("#submission-status")).to_have_attribute(
        "data-status", "graded", timeout=120_000
    )

    page.goto(path_url)
    step = page.locator("li[data-kind='lab']", has_text=cast["lab"].title)
    assert step.get_attribute("data-done") == "yes"
    assert "Done" in step.inner_text()
    module = page.locator("section.module", has=step)
    assert module.locator("[data-module-done]").get_attribute("data-module-done") == "yes"
    assert "1 of 8 steps done" in page.locator("#you-heading + .path-progress").inner_text()
    at_both_widths(page, artifacts_dir, "3-step-done")

    # Her manager sees it on the team page.
    as_user(page, live_server, "tomas", "/paths/team/")
    cell = page.locator(f"td[data-person='{cast['amara'].pk}'][data-path='foundations']")
    assert "1 of 8 steps" in cell.inner_text()
    assert page.get_by_role("link", name="Amara Nwosu", exact=True).is_visible()
    at_both_widths(page, artifacts_dir, "4-team")
    assert page.outside_requests == []
