import pytest
from django.core import mail

from core.skills.models import Assessment, AssessorRole, Evidence, ReviewRequest, Skill
from tests.factories import AssessmentFactory, PersonFactory, ReviewRequestFactory


def assess_url(person, slug="coding"):
    return f"/skills/person/{person.pk}/skill/{slug}/assess/"


def history_url(person, slug="coding"):
    return f"/skills/person/{person.pk}/skill/{slug}/"


def test_a_person_self_assesses_a_manager_assesses_and_both_show_in_history(client, org):
    client.force_login(org.engineer.user)
    own = client.post(assess_url(org.engineer), {"level": "3", "note": "I *led* the refactor."})
    client.force_login(org.manager.user)
    review = client.post(assess_url(org.engineer), {"level": "2", "note": "Solid work."})

    client.force_login(org.engineer.user)
    history = client.get(history_url(org.engineer)).content.decode()
    matrix = client.get("/skills/").content.decode()

    assert own.status_code == 302 and review.status_code == 302
    roles = list(Assessment.objects.order_by("pk").values_list("assessor_role", "level"))
    assert roles == [(AssessorRole.SELF, 3), (AssessorRole.MANAGER, 2)]
    assert "Self</span>" in history and "Manager</span>" in history
    assert "I <em>led</em> the refactor." in history  # notes go through the markdown filter
    assert "Solid work." in history
    assert '<span class="level__number">2</span>' in matrix  # current: the manager's level
    assert "(+1)" in matrix  # self − current, beside it


def test_assessing_someone_outside_your_scope_answers_404(client, org):
    client.force_login(org.engineer.user)

    page = client.get(assess_url(org.peer))
    post = client.post(assess_url(org.peer), {"level": "2"})
    evidence = client.post(f"/skills/person/{org.peer.pk}/evidence/new/", {})

    assert (page.status_code, post.status_code, evidence.status_code) == (404, 404, 404)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("level", ["5", "-1", "three", ""])
def test_a_level_outside_0_to_4_is_refused_with_a_reason(client, org, level):
    client.force_login(org.engineer.user)

    response = client.post(assess_url(org.engineer), {"level": level})

    assert response.status_code == 200  # the form again, with the error
    errors = response.context["form"].errors["level"]
    assert errors in (
        ["Choose a level from 0 to 4."],
        ["The level must be one of 0, 1, 2, 3 or 4."],
    )
    assert not Assessment.objects.exists()


def test_the_assess_form_offers_the_rubric_of_the_skill(client, org):
    client.force_login(org.manager.user)

    html = client.get(assess_url(org.engineer, "evaluation")).content.decode()

    evaluation = Skill.objects.get(slug="evaluation")
    for _level, _name, text in evaluation.rubric():
        assert text.replace("'", "&#x27;") in html
    assert "Assess" in html and org.engineer.display_name in html


def test_notes_are_hidden_from_people_who_see_the_matrix_but_are_not_entitled(client, org):
    from django.db.models import Q

    from core.access import _person_rules, register_person_visibility

    AssessmentFactory(
        subject=org.engineer,
        assessor=org.manager,
        assessor_role=AssessorRole.MANAGER,
        note="Private remark for the engineer.",
    )

    def outsider_mentors_engineer(person):  # what mentoring will register
        return Q(pk=org.engineer.pk) if person == org.outsider else Q(pk__in=[])

    register_person_visibility(outsider_mentors_engineer)
    try:
        client.force_login(org.outsider.user)
        html = client.get(history_url(org.engineer)).content.decode()
    finally:
        _person_rules.remove(outsider_mentors_engineer)

    assert "Private remark" not in html
    assert "The note is private" in html


def test_evidence_is_added_and_shown(client, org):
    client.force_login(org.engineer.user)

    response = client.post(
        f"/skills/person/{org.engineer.pk}/evidence/new/",
        {
            "skill": "testing",
            "kind": "external_link",
            "title": "Property tests for the loader",
            "url": "https://example.com/pr/7",
            "note": "<script>alert(1)</script>Reviewed by **two** people.",
        },
    )
    html = client.get(history_url(org.engineer, "testing")).content.decode()

    assert response.status_code == 302
    assert Evidence.objects.get().created_by == org.engineer
    assert "Property tests for the loader" in html
    assert "<strong>two</strong>" in html and "<script>alert(1)" not in html


def test_evidence_with_a_javascript_link_is_refused_with_a_message(client, org):
    client.force_login(org.engineer.user)

    response = client.post(
        f"/skills/person/{org.engineer.pk}/evidence/new/",
        {"skill": "testing", "kind": "external_link", "title": "x", "url": "javascript:alert(1)"},
    )

    assert response.status_code == 200
    assert "https://" in response.context["form"].errors["url"][0]
    assert not Evidence.objects.exists()


def test_asking_for_a_review_notifies_and_shows_on_the_reviewers_dashboard(client, org):
    client.force_login(org.engineer.user)
    form = client.get("/skills/reviews/new/?skill=evaluation").content.decode()

    with_callbacks = client.post(
        "/skills/reviews/new/",
        {"reviewer": org.manager.pk, "skill": "evaluation", "message": "Please have a look."},
    )
    client.force_login(org.manager.user)
    home = client.get("/").content.decode()
    inbox = client.get("/skills/reviews/").content.decode()

    assert org.manager.display_name in form and org.peer.display_name not in form
    assert with_callbacks.status_code == 302
    assert ReviewRequest.objects.get().reviewer == org.manager
    assert "Reviews asked of you" in home
    assert f"Assess {org.engineer.display_name} in Evaluation" in home
    assert "Please have a look." in inbox


def test_a_review_request_sends_an_email(
    eager_tasks, client, org, django_capture_on_commit_callbacks
):
    client.force_login(org.engineer.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/skills/reviews/new/", {"reviewer": org.manager.pk, "skill": "coding"})

    assert [m.to for m in mail.outbox] == [[org.manager.user.email]]


def test_asking_a_colleague_for_a_review_is_refused(client, org):
    client.force_login(org.engineer.user)

    response = client.post("/skills/reviews/new/", {"reviewer": org.peer.pk, "skill": "coding"})

    assert response.status_code == 400  # the form again, with its error
    assert "reviewer" in response.context["form"].errors
    assert not ReviewRequest.objects.exists()


def test_nobody_to_ask_shows_an_empty_state(client, org):
    client.force_login(org.outsider.user)

    html = client.get("/skills/reviews/new/").content.decode()

    assert "There is nobody you can ask yet." in html


def test_the_matrix_has_a_radar_and_a_table_with_the_same_skills(client, org):
    client.force_login(org.engineer.user)

    html = client.get("/skills/").content.decode()

    assert 'role="img"' in html and "<desc" in html and "<table" in html
    for skill in Skill.objects.all():
        assert f"/skills/person/{org.engineer.pk}/skill/{skill.slug}/" in html
    assert "Nobody has assessed your skills yet." in html


def test_a_managers_view_of_a_report_and_the_heatmap(client, org):
    AssessmentFactory(subject=org.peer, assessor=org.manager, assessor_role="manager", level=4)
    client.force_login(org.manager.user)

    person = client.get(f"/skills/person/{org.peer.pk}/").content.decode()
    heatmap = client.get("/skills/heatmap/").content.decode()

    assert f"{org.peer.display_name}’s skill matrix" in person
    assert 'class="heat heat-4' in heatmap
    assert org.peer.display_name in heatmap and org.outsider.display_name not in heatmap


def test_the_heatmap_says_when_no_one_matches_the_filters(client, org):
    client.force_login(org.engineer.user)

    html = client.get("/skills/heatmap/?career_stage=principal").content.decode()

    assert "No one to show with these filters" in html


def test_a_skill_page_lists_who_is_strong_names_and_levels_only(client, org):
    AssessmentFactory(
        subject=org.peer,
        assessor=org.manager,
        assessor_role="manager",
        level=3,
        note="Secret note.",
    )
    client.force_login(org.engineer.user)  # may not see the peer's matrix

    html = client.get("/skills/catalog/coding/").content.decode()

    assert org.peer.display_name in html and "3 · Expert" in html
    assert "Secret note." not in html
    assert f"/skills/person/{org.peer.pk}/" not in html  # no link that would 404


def test_coverage_names_skills_without_an_expert(client, org):
    client.force_login(org.engineer.user)

    html = client.get("/skills/coverage/").content.decode()

    assert "No expert" in html and "Human in the loop" in html


def test_the_review_inbox_paginates(client, org):
    for _ in range(30):
        ReviewRequestFactory(requester=PersonFactory(manager=org.manager), reviewer=org.manager)
    client.force_login(org.manager.user)

    first = client.get("/skills/reviews/")
    second = client.get("/skills/reviews/?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_an_account_without_a_profile_gets_404_on_its_matrix(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get("/skills/").status_code == 404
    assert client.get("/skills/catalog/").status_code == 200


def test_evidence_on_a_skill_page_paginates(client, org):
    from tests.factories import EvidenceFactory

    for _ in range(27):
        EvidenceFactory(person=org.engineer)
    client.force_login(org.engineer.user)

    first = client.get(history_url(org.engineer))
    second = client.get(history_url(org.engineer) + "?evidence_page=2")

    assert len(first.context["evidence"].object_list) == 25
    assert len(second.context["evidence"].object_list) == 2
    assert "?evidence_page=2#evidence-title" in first.content.decode()
