import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from core.skills.models import Assessment, AssessorRole, ReviewRequest
from tests.factories import AssessmentFactory, EvidenceFactory


@pytest.fixture
def api():
    return APIClient()


def test_self_and_manager_assessments_through_the_api_appear_in_history(api, org):
    api.force_authenticate(org.engineer.user)
    own = api.post(
        "/api/assessments/", {"subject": org.engineer.pk, "skill": "testing", "level": 2}
    )
    api.force_authenticate(org.manager.user)
    review = api.post(
        "/api/assessments/",
        {"subject": org.engineer.pk, "skill": "testing", "level": 3, "note": "Great **tests**."},
    )

    history = api.get("/api/assessments/", {"subject": org.engineer.pk, "skill": "testing"})
    matrix = api.get(f"/api/people/{org.engineer.pk}/skills/").json()

    assert own.status_code == 201 and own.json()["assessor_role"] == AssessorRole.SELF
    assert review.status_code == 201 and review.json()["assessor_role"] == AssessorRole.MANAGER
    assert [(a["assessor_role"], a["level"]) for a in history.json()["results"]] == [
        ("manager", 3),
        ("self", 2),
    ]
    assert history.json()["results"][0]["note_html"] == "<p>Great <strong>tests</strong>.</p>"
    testing = next(row for row in matrix["skills"] if row["skill"] == "testing")
    assert (testing["current"], testing["self_level"], testing["self_difference"]) == (3, 2, -1)


def test_assessing_someone_outside_your_scope_answers_404(api, org):
    api.force_authenticate(org.engineer.user)

    colleague = api.post(
        "/api/assessments/", {"subject": org.peer.pk, "skill": "coding", "level": 2}
    )
    nobody = api.post("/api/assessments/", {"subject": 999999, "skill": "coding", "level": 2})
    evidence = api.post(
        "/api/evidence/",
        {
            "person": org.peer.pk,
            "skill": "coding",
            "kind": "external_link",
            "title": "x",
            "url": "https://example.com",
        },
    )

    assert (colleague.status_code, nobody.status_code, evidence.status_code) == (404, 404, 404)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("level", [5, -1, 100])
def test_a_level_outside_0_to_4_answers_400_with_a_reason(api, org, level):
    api.force_authenticate(org.manager.user)

    response = api.post(
        "/api/assessments/", {"subject": org.engineer.pk, "skill": "coding", "level": level}
    )

    assert response.status_code == 400
    assert response.json() == {
        "level": ["Level must be between 0 and 4 (0 = not yet … 4 = leading)."]
    }
    assert not Assessment.objects.exists()


def test_an_unknown_or_retired_skill_answers_400(api, org):
    api.force_authenticate(org.engineer.user)

    response = api.post(
        "/api/assessments/", {"subject": org.engineer.pk, "skill": "juggling", "level": 2}
    )

    assert response.status_code == 400
    assert "skill" in response.json()


def test_assessment_lists_are_scoped_and_notes_only_reach_those_entitled(api, org):
    AssessmentFactory(subject=org.peer, assessor=org.manager, assessor_role="manager", note="n1")
    AssessmentFactory(subject=org.outsider, note="n2")

    api.force_authenticate(org.engineer.user)
    engineer_sees = api.get("/api/assessments/").json()
    api.force_authenticate(org.director.user)
    director_sees = api.get("/api/assessments/").json()

    assert engineer_sees["count"] == 0
    assert director_sees["count"] == 1
    assert director_sees["results"][0]["note"] == "n1"


def test_evidence_through_the_api(api, org):
    EvidenceFactory(person=org.peer)
    api.force_authenticate(org.engineer.user)

    created = api.post(
        "/api/evidence/",
        {
            "person": org.engineer.pk,
            "skill": "evaluation",
            "kind": "hackathon_project",
            "title": "LLM judge for search answers",
            "url": "https://example.com/hack",
        },
    )
    bad_link = api.post(
        "/api/evidence/",
        {
            "person": org.engineer.pk,
            "skill": "evaluation",
            "kind": "external_link",
            "title": "x",
            "url": "javascript:alert(1)",
        },
    )
    listed = api.get("/api/evidence/").json()

    assert created.status_code == 201 and created.json()["created_by"] == org.engineer.pk
    assert bad_link.status_code == 400 and "url" in bad_link.json()
    assert [e["title"] for e in listed["results"]] == ["LLM judge for search answers"]


def test_review_requests_through_the_api(api, org):
    api.force_authenticate(org.engineer.user)

    asked = api.post("/api/review-requests/", {"reviewer": org.manager.pk, "skill": "coding"})
    refused = api.post("/api/review-requests/", {"reviewer": org.peer.pk, "skill": "coding"})
    twice = api.post("/api/review-requests/", {"reviewer": org.manager.pk, "skill": "coding"})
    api.force_authenticate(org.manager.user)
    inbox = api.get("/api/review-requests/", {"status": "open"}).json()
    api.post("/api/assessments/", {"subject": org.engineer.pk, "skill": "coding", "level": 2})

    assert asked.status_code == 201 and asked.json()["status"] == "open"
    assert refused.status_code == 400 and "reviewer" in refused.json()
    assert twice.status_code == 400 and "already asked" in str(twice.json())
    assert [r["requester"] for r in inbox["results"]] == [org.engineer.pk]
    assert ReviewRequest.objects.get().status == ReviewRequest.Status.DONE


def test_skills_are_listed_with_rubrics_and_targets(api, org):
    api.force_authenticate(org.engineer.user)

    listed = api.get("/api/skills/").json()
    one = api.get("/api/skills/evaluation/").json()

    assert listed["count"] == 17
    assert [r["level"] for r in one["rubric"]] == [0, 1, 2, 3, 4]
    assert set(one["targets"]) == {"early_career", "senior", "staff", "principal"}


def test_a_matrix_you_may_not_see_answers_404(api, org):
    api.force_authenticate(org.engineer.user)

    assert api.get(f"/api/people/{org.peer.pk}/skills/").status_code == 404
    assert api.get(f"/api/people/{org.engineer.pk}/skills/").status_code == 200


def test_the_heatmap_api_filters_and_reports_bad_filters(api, org):
    AssessmentFactory(subject=org.peer, assessor=org.manager, assessor_role="manager", level=1)
    api.force_authenticate(org.manager.user)

    everyone = api.get("/api/skill-heatmap/").json()
    seniors = api.get("/api/skill-heatmap/", {"career_stage": "senior"}).json()
    bad_team = api.get("/api/skill-heatmap/", {"team": "no-such-team"})
    bad_stage = api.get("/api/skill-heatmap/", {"career_stage": "wizard"})

    assert everyone["count"] == 3 and len(everyone["skills"]) == 17
    peer = next(row for row in everyone["results"] if row["id"] == org.peer.pk)
    coding = next(cell for cell in peer["cells"] if cell["skill"] == "coding")
    assert coding == {"skill": "coding", "level": 1, "target": 2, "gap": 1}
    assert seniors["count"] == 0
    assert bad_team.status_code == 400 and "team" in bad_team.json()
    assert bad_stage.status_code == 400 and "career_stage" in bad_stage.json()


def test_the_schema_stays_valid_and_documents_the_skill_endpoints(api, org):
    api.force_authenticate(org.engineer.user)

    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    validate(schema)
    for path in [
        "/api/skills/",
        "/api/skills/{slug}/",
        "/api/people/{id}/skills/",
        "/api/skill-heatmap/",
        "/api/assessments/",
        "/api/evidence/",
        "/api/review-requests/",
    ]:
        assert path in schema["paths"], path
