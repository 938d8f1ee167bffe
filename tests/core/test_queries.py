"""The organisation's pages run as many database queries with 200 more people as without them:
the directory (a page of 25, and a search), a person's page, a manager's home and team, and the
people API (bench/web.py measures the same pages at 10,000 people on PostgreSQL)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import CareerStage
from core.skills.models import Assessment, AssessorRole, Skill
from tests.factories import PersonFactory, TeamFactory, staff_person
from tests.skills.test_queries import queries

TEAM_SIZE = 8


def team_of(size: int, *, title: str = "ML Engineer"):
    """A manager and `size` reports in one team, each assessed by the manager in every skill."""
    team = TeamFactory()
    manager = PersonFactory(team=team, career_stage=CareerStage.STAFF, title="Manager")
    reports = [PersonFactory(team=team, manager=manager, title=title) for _ in range(size)]
    Assessment.objects.bulk_create(
        Assessment(
            subject=person,
            skill=skill,
            assessor=manager,
            assessor_role=AssessorRole.MANAGER,
            level=2,
        )
        for person in reports
        for skill in Skill.objects.active()
    )
    return manager, reports


def more_people(teams: int):
    """`teams` more teams of 8 under their own managers, none of whom the first manager sees."""
    for _ in range(teams):
        team_of(TEAM_SIZE, title="Senior ML Engineer")


@pytest.fixture
def manager(db):
    manager, _ = team_of(TEAM_SIZE)
    return manager


PAGES = [
    lambda m: reverse("home"),
    lambda m: reverse("my-reports"),
    lambda m: reverse("person-detail", args=[m.reports.first().pk]),
    lambda m: reverse("people-directory"),
    lambda m: reverse("people-directory") + "?q=engineer",
    lambda m: reverse("people-directory") + "?page=2",
]


@pytest.mark.parametrize("page", PAGES, ids=["home", "team", "person", "directory", "search", "p2"])
def test_a_managers_pages_run_the_same_queries_with_200_more_people(client, manager, page):
    client.force_login(manager.user)
    url = page(manager)
    before = queries(client, url)

    more_people(25)  # 225 people more, in 25 more teams
    after = queries(client, url)

    assert before == after


@pytest.mark.parametrize("url", ["/api/people/", "/api/people/?page=2", "/api/teams/"])
def test_the_people_api_runs_the_same_queries_with_200_more_people(manager, url):
    api = APIClient()
    api.force_authenticate(staff_person().user)  # staff: every person, a page at a time
    more_people(6)  # enough for a second page of 50
    before = queries(api, url)

    more_people(25)
    after = queries(api, url)

    assert before == after
