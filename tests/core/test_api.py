import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from core.models import Person


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_api_calls_are_refused(api, org):
    for url in ["/api/people/", "/api/teams/", "/api/schema/", "/api/docs/", "/api/"]:
        assert api.get(url).status_code == 401, url


def test_people_are_scoped_by_the_selector(api, org):
    api.force_authenticate(org.manager.user)

    listed = api.get("/api/people/").json()
    names = {row["username"] for row in listed["results"]}

    assert names == {"manager", "engineer", "peer"}
    assert listed["count"] == 3


def test_someone_outside_your_scope_is_404(api, org):
    api.force_authenticate(org.engineer.user)

    assert api.get(f"/api/people/{org.peer.pk}/").status_code == 404
    assert api.get(f"/api/people/{org.engineer.pk}/").status_code == 200


def test_me_returns_your_own_profile(api, org):
    api.force_authenticate(org.engineer.user)

    me = api.get("/api/people/me/").json()

    assert me["username"] == "engineer"
    assert me["manager"] == org.manager.pk
    assert me["career_stage"] == "early_career"


def test_bio_html_is_sanitised(api, org):
    org.engineer.bio = "**hi** <script>alert(1)</script>"
    org.engineer.save()
    api.force_authenticate(org.engineer.user)

    me = api.get("/api/people/me/").json()

    assert me["bio_html"] == "<p><strong>hi</strong> </p>"


def test_teams_are_listed_and_found_by_slug(api, org):
    api.force_authenticate(org.engineer.user)

    teams = api.get("/api/teams/").json()
    one = api.get(f"/api/teams/{org.engineer.team.slug}/")

    assert teams["count"] == Person.objects.values("team").distinct().count()
    assert one.json()["name"] == org.engineer.team.name


def test_the_api_is_paginated(api, org, settings):
    api.force_authenticate(org.staff.user)

    page = api.get("/api/people/", {"page": 1}).json()

    assert {"count", "next", "previous", "results"} <= page.keys()


def test_schema_is_valid_openapi_3(api, org):
    api.force_authenticate(org.engineer.user)

    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/auth/token/" in schema["paths"]
    assert "/api/people/{id}/" in schema["paths"]


def test_docs_page_uses_only_local_assets(client, org):
    client.force_login(org.engineer.user)

    html = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
