"""Acceptance 5: demo users open their skill matrix and the team heatmap in a real browser;
screenshots land in var/screenshots/, and every chart has a table or text equivalent."""

import pytest

from tests.e2e.test_platform import sign_in

pytestmark = pytest.mark.browser


def signed_in_at(page, live_server, login: str, path: str) -> None:
    sign_in(page, live_server.url, login)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{path}")


def test_my_matrix_draws_a_radar_with_a_table_equivalent(page, live_server, demo, artifacts_dir):
    sign_in(page, live_server.url, "amara")
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Skills", exact=True).click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your skill matrix"
    radar = page.get_by_role("img", name="Skill radar of Amara Nwosu")
    assert radar.is_visible()
    assert "lists the same values" in radar.locator("desc").text_content()
    assert radar.locator("polygon.radar__current").count() == 1
    labels = radar.locator(".radar__labels text").all_inner_texts()
    table = page.get_by_role("table", name="Skill matrix")
    rows = table.locator("tbody th[scope=row]")
    assert len(labels) == rows.count() == 17
    evaluation = table.get_by_role("row", name="Evaluation")
    assert evaluation.get_by_role("cell").nth(0).inner_text().split()[0] in "01234"
    assert page.get_by_role("heading", name="Growth plan").is_visible()
    page.screenshot(path=artifacts_dir / "skills-my-matrix.png", full_page=True)
    assert page.outside_requests == []


def test_the_team_heatmap_is_a_sortable_table_with_words_for_colours(
    page, live_server, demo, artifacts_dir
):
    signed_in_at(page, live_server, "maya", "/skills/heatmap/")

    table = page.locator("table.heatmap")
    assert table.locator("tbody tr").count() == 16  # everyone reports to Maya
    cells = table.locator("tbody td.heat")
    assert cells.count() == 16 * 17
    assert all(text.strip()[0] in "01234–" for text in cells.all_inner_texts())
    assert "below target" in table.locator(".heat--gap .visually-hidden").first.text_content()
    page.screenshot(path=artifacts_dir / "skills-heatmap.png", full_page=True)

    coding = table.get_by_role("button", name="Coding")
    coding.click()
    coding.click()  # descending: strongest first
    assert coding.locator("..").get_attribute("aria-sort") == "descending"
    levels = [
        int(value)
        for value in table.locator("tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.dataset.sortValue)"
        )
    ]
    assert levels == sorted(levels, reverse=True)
    assert page.outside_requests == []


def test_a_manager_filters_the_heatmap_by_team(page, live_server, demo, artifacts_dir):
    signed_in_at(page, live_server, "maya", "/skills/heatmap/")

    page.get_by_label("Team").select_option(label="Applied ML")
    page.get_by_role("button", name="Filter").click()

    page.wait_for_url("**/skills/heatmap/?team=applied-ml*")
    names = page.locator("table.heatmap tbody th[scope=row] a").all_inner_texts()
    assert sorted(names) == [
        "Hana Kim",
        "Inès Moreau",
        "Léa Dubois",
        "Noah Fischer",
        "Omar Haddad",
        "Sofia Rossi",
    ]  # Search Relevance sits inside Applied ML
    page.screenshot(path=artifacts_dir / "skills-heatmap-applied-ml.png", full_page=True)


def test_a_person_rates_themself_and_sees_it_in_history(page, live_server, demo, artifacts_dir):
    signed_in_at(page, live_server, "amara", "/skills/")

    page.get_by_role("link", name="Rate Evaluation").click()
    page.get_by_label("3 · Expert", exact=False).check()
    page.get_by_label("Note").fill("I built the **evaluation** set for search answers.")
    page.get_by_role("button", name="Save my rating").click()

    assert page.get_by_text("Saved your level in Evaluation.").is_visible()
    history = page.get_by_role("table", name="Assessments")
    assert history.get_by_role("row").nth(1).get_by_text("3 · Expert").is_visible()
    assert history.locator("strong", has_text="evaluation").is_visible()
    page.screenshot(path=artifacts_dir / "skills-history.png", full_page=True)


def test_coverage_and_a_skill_page(page, live_server, demo, artifacts_dir):
    signed_in_at(page, live_server, "priya", "/skills/coverage/")

    assert "Human in the loop" in page.get_by_role("region", name="No expert").inner_text()
    assert page.get_by_role("table", name="People per level, per skill").is_visible()
    page.screenshot(path=artifacts_dir / "skills-coverage.png", full_page=True)

    page.get_by_role("link", name="Evaluation", exact=True).first.click()

    assert page.get_by_role("heading", name="Who is strong in Evaluation").is_visible()
    page.screenshot(path=artifacts_dir / "skills-skill-page.png", full_page=True)
