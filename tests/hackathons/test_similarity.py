"""Acceptance 2: re-worded duplicates find their original first, among unrelated ideas, while
typing (a draft) and on the idea's page; an idea is never similar to itself."""

import pytest

from hackathons.models import Idea
from tests.hackathons.helpers import make_event, make_submission, make_team

ORIGINALS = [
    ("Alert on data drift", "Training and serving data diverge silently.",
     "Compute PSI per feature every night and alert the team channel above 0.2."),
    ("Prompt regression tests in CI", "Prompt edits break answers.",
     "Run a fixed evaluation set on every prompt change and fail the build when it drops."),
    ("GPU cost dashboard", "Training bills surprise us.",
     "Collect GPU hours per job and team; show monthly spend with a forecast."),
    ("Scan datasets for personal data", "Emails and phone numbers leak into training sets.",
     "Run a detector over new tables and block the pipeline on a hit."),
    ("Office plant watering rota", "Plants on the third floor keep dying.",
     "A shared calendar that reminds someone each week."),
    ("Accessibility audit of the portal", "Screen reader users struggle with our forms.",
     "Audit every page and fix labels, contrast and focus order."),
    ("Search query autocomplete", "Users type long queries slowly.",
     "Suggest completions from popular queries with a prefix index."),
]  # fmt: skip

DUPLICATES = [
    ("Drift alerting for features",
     "Notify the channel when feature distributions drift between training and serving.",
     "Alert on data drift"),
    ("CI checks for prompt changes",
     "Every prompt change runs the evaluation set; the build fails if answers get worse.",
     "Prompt regression tests in CI"),
    ("What GPU training costs each team",
     "A monthly dashboard of GPU hours per job with a spend forecast.",
     "GPU cost dashboard"),
    ("Block personal data in training sets",
     "Detect emails and phone numbers in new tables before the pipeline uses them.",
     "Scan datasets for personal data"),
]  # fmt: skip


@pytest.fixture
def backlog(org):
    return {
        title: Idea.objects.create(title=title, problem=problem, approach=approach,
                                   proposer=org.peer)
        for title, problem, approach in ORIGINALS
    }  # fmt: skip


@pytest.mark.parametrize(("title", "problem", "original"), DUPLICATES)
def test_a_reworded_draft_finds_its_original_first(backlog, org, api, title, problem, original):
    response = api(org.engineer).post(
        "/api/ideas/similar/", {"title": title, "problem": problem, "approach": ""}
    )

    assert response.status_code == 200
    found = response.json()
    assert found[0]["title"] == original and found[0]["id"] == backlog[original].pk
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)


def test_an_idea_page_lists_its_duplicate_never_itself(backlog, org, api):
    title, problem, original = DUPLICATES[0]
    duplicate = Idea.objects.create(title=title, problem=problem, proposer=org.engineer)

    found = api(org.outsider).get(f"/api/ideas/{duplicate.pk}/similar/").json()
    original_found = api(org.outsider).get(f"/api/ideas/{backlog[original].pk}/similar/").json()

    assert found[0]["id"] == backlog[original].pk
    assert duplicate.pk not in [f["id"] for f in found if f["kind"] == "idea"]
    assert original_found[0]["id"] == duplicate.pk
    page = _page(org, duplicate)
    assert original in page and "similarity" in page


def test_unrelated_text_finds_nothing(backlog, org, api):
    response = api(org.engineer).post(
        "/api/ideas/similar/",
        {"title": "Quarterly badminton tournament", "problem": "Sport brings us together."},
    )
    assert response.json() == []


def test_past_projects_count_as_duplicates_too(org, api):
    event = make_event("judging")
    team = make_team(event, org.peer, name="Drifters")
    make_submission(team, title="Nightly PSI drift alerts", summary="Feature drift alerts.")

    found = (
        api(org.engineer)
        .post(
            "/api/ideas/similar/", {"title": "Drift alerts", "problem": "Nightly PSI on features"}
        )
        .json()
    )

    assert found[0]["kind"] == "project" and found[0]["title"] == "Nightly PSI drift alerts"
    assert found[0]["url"] == f"/hackathons/projects/{team.submission.pk}/"


def _page(org, idea) -> str:
    from django.test import Client

    client = Client()
    client.force_login(org.outsider.user)
    return client.get(idea.get_absolute_url()).content.decode()
