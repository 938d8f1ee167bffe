"""Learning time: logging with clear errors, your weeks against the goal, your team's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import selectors, services

pytestmark = pytest.mark.django_db


def test_logging_and_validation_through_the_api(org, api):
    url = reverse("api:learning-entry-list")
    today = timezone.localdate().isoformat()
    ok = api(org.engineer).post(url, {"date": today, "minutes": 90, "what": "DDIA ch. 5"})
    assert ok.status_code == 201
    for bad in ({"minutes": 0}, {"minutes": 601}, {"what": ""}):
        response = api(org.engineer).post(url, {"date": today, "minutes": 30, "what": "x", **bad})
        assert response.status_code == 400
        assert set(bad) & set(response.data)
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = api(org.engineer).post(url, {"date": future, "minutes": 30, "what": "x"})
    assert response.status_code == 400 and "date" in response.data
    weeks = api(org.engineer).get(reverse("api:learning-weeks")).data
    assert weeks[0]["minutes"] == 90 and weeks[0]["goal"] == 240


def test_weeks_against_the_goal(org, settings):
    settings.MENTORING_LEARNING_GOAL_MINUTES = 120
    today = datetime.date(2026, 3, 11)  # a Wednesday
    for day, minutes in ((9, 60), (11, 70), (3, 30)):
        services.learning_entry_create(
            person=org.engineer, date=datetime.date(2026, 3, day), minutes=minutes, what="x"
        )
    weeks = selectors.learning_weeks(person=org.engineer, today=today, weeks=3)
    assert [(w.start.day, w.minutes, w.met) for w in weeks] == [
        (9, 130, True),
        (2, 30, False),
        (23, 0, False),
    ]


def test_managers_see_their_team_and_nobody_else_does(org, api, client):
    services.learning_entry_create(
        person=org.peer, date=timezone.localdate(), minutes=45, what="Kaggle"
    )
    data = api(org.manager).get(reverse("api:learning-team")).data
    by_name = {row["person"]["id"]: row["weeks"][0]["minutes"] for row in data["people"]}
    assert by_name == {org.engineer.pk: 0, org.peer.pk: 45}
    director = api(org.director).get(reverse("api:learning-team")).data  # transitive
    assert {row["person"]["id"] for row in director["people"]} >= {org.peer.pk}
    assert api(org.engineer).get(reverse("api:learning-team")).status_code == 404
    client.force_login(org.manager.user)
    assert "Kaggle" not in client.get(reverse("mentoring:learning")).content.decode()
    assert "45 min" in client.get(reverse("mentoring:learning-team")).content.decode()


def test_the_page_shows_form_errors(org, client):
    client.force_login(org.engineer.user)
    response = client.post(
        reverse("mentoring:learning"), {"date": "2026-01-05", "minutes": 700, "what": "x"}
    )
    assert response.status_code == 400 and "600" in response.content.decode()
    response = client.post(
        reverse("mentoring:learning"), {"date": "2026-01-05", "minutes": 60, "what": "Read"}
    )
    assert response.status_code == 302
