"""Acceptance 3: the team heatmap page and the heatmap API run a constant number of database
queries, whatever the number of people (10 or 200), with assessment history for everyone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import CareerStage
from core.skills.models import Assessment, AssessorRole, Skill
from tests.factories import PersonFactory, TeamFactory

# What the measurement shows today; a new query per person would blow far past this.
MAX_QUERIES = 15


def manager_with_reports(count: int):
    """A manager whose `count` reports each have two reviews and a self-rating per skill."""
    team = TeamFactory()
    manager = PersonFactory(team=team, career_stage=CareerStage.STAFF)
    stages = [CareerStage.EARLY_CAREER, CareerStage.SENIOR]
    lead = PersonFactory(team=team, manager=manager, career_stage=CareerStage.SENIOR)
    reports = [lead] + [
        PersonFactory(team=team, manager=lead, career_stage=stages[i % 2]) for i in range(count - 1)
    ]
    skills = list(Skill.objects.active())
    Assessment.objects.bulk_create(
        Assessment(
            subject=person,
            skill=skill,
            assessor=reviewer,
            assessor_role=role,
            level=(i + j + shift) % 5,
        )
        for i, person in enumerate(reports)
        for j, skill in enumerate(skills)
        for reviewer, role, shift in [
            (manager, AssessorRole.MANAGER, 0),
            (manager, AssessorRole.MANAGER, 1),
            (person, AssessorRole.SELF, 2),
        ]
    )
    return manager


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.fixture
def small_and_large(db):
    return manager_with_reports(10), manager_with_reports(200)


@pytest.mark.parametrize(
    "url", ["/skills/heatmap/", "/skills/heatmap/?page=2", "/skills/heatmap/?career_stage=senior"]
)
def test_the_heatmap_page_runs_the_same_queries_for_10_and_200_people(client, small_and_large, url):
    small, large = small_and_large

    client.force_login(small.user)
    with_10 = queries(client, url)
    client.force_login(large.user)
    with_200 = queries(client, url)

    assert with_10 == with_200 <= MAX_QUERIES


def test_the_heatmap_api_runs_the_same_queries_for_10_and_200_people(small_and_large):
    small, large = small_and_large
    api = APIClient()

    api.force_authenticate(small.user)
    with_10 = queries(api, "/api/skill-heatmap/")
    api.force_authenticate(large.user)
    with_200 = queries(api, "/api/skill-heatmap/")
    rows = api.get("/api/skill-heatmap/").json()

    assert with_10 == with_200 <= MAX_QUERIES
    assert rows["count"] == 201  # the manager and everyone below them
    assert len(rows["results"]) == 100  # one page
    assert all(len(row["cells"]) == 17 for row in rows["results"])


def test_the_heatmap_page_shows_every_person_of_the_page(client, small_and_large):
    _, large = small_and_large
    client.force_login(large.user)

    first = client.get("/skills/heatmap/")
    third = client.get("/skills/heatmap/?page=3")

    assert len(first.context["heatmap"].rows) == 100
    assert len(third.context["heatmap"].rows) == 1
    assert first.content.decode().count('<td class="heat heat-') == 100 * 17


@pytest.mark.parametrize("url", ["/skills/coverage/", "/skills/catalog/coding/"])
def test_organisation_wide_pages_do_not_grow_with_people(client, db, url):
    small = manager_with_reports(10)
    client.force_login(small.user)
    with_10 = queries(client, url)
    manager_with_reports(200)
    with_210 = queries(client, url)

    assert with_10 == with_210 <= MAX_QUERIES
