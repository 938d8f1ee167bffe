"""Grading by hand: free-response answers graded and tests overridden by the learner's mentors
or staff, each change recorded (who, when, old → new, why) and shown; evidence follows the
grade both ways. Issue 12, acceptance 1 (the override half) and 5 (who may)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core.skills.models import EvidenceKind
from labs.models import GradeAdjustment, Submission, SubmissionStatus
from labs.services import submission_adjust
from tests.labs.hand_graded import graded, lab_with_essay
from tests.mentoring.url_matrix import mentorship_of
from tests.url_matrix import cast_people


def lab_evidence(person):
    return person.evidence.filter(kind=EvidenceKind.LAB_RESULT)


@pytest.fixture
def mentor(org):
    """The matrix's mentor mentors org.peer (an active mentorship); the peer is the learner."""
    return mentorship_of(cast_people(org)).mentor


def test_an_answer_graded_by_hand_waits_then_counts(org, mentor):
    version = lab_with_essay()
    submission = graded(version, org.peer)
    essay = next(r for r in submission.results if r["id"] == "essay")
    assert essay["pending"] and essay["points"] == 0 and submission.score == 4

    adjustment = submission_adjust(
        submission=submission, by=mentor, item="essay", points=1.5, comment=""
    )

    submission.refresh_from_db()
    assert submission.score == 5.5
    essay = next(r for r in submission.results if r["id"] == "essay")
    assert essay["points"] == 1.5 and essay["manual"] and not essay.get("pending")
    assert (adjustment.old_points, adjustment.new_points, adjustment.by) == (None, 1.5, mentor)
    assert adjustment.manual and adjustment.title


def test_an_override_needs_a_reason_and_is_recorded_old_to_new(org, mentor):
    submission = graded(lab_with_essay(), org.peer, passed=("test_mean_of", "test_scale"))

    with pytest.raises(ValidationError) as refused:
        submission_adjust(submission=submission, by=mentor, item="test_spread", points=1)
    assert "Say why" in str(refused.value)

    adjustment = submission_adjust(
        submission=submission,
        by=mentor,
        item="test_spread",
        points=1,
        comment="The test compared floats exactly; the answer is right.",
    )

    submission.refresh_from_db()
    assert (adjustment.old_points, adjustment.new_points) == (0.0, 1.0)
    assert submission.score == 4
    spread = next(r for r in submission.results if r["id"] == "test_spread")
    assert spread["adjusted"] and spread["points"] == 1 and spread["passed"] is False


@pytest.mark.parametrize(
    ("item", "points", "field"),
    [
        ("essay", 3, "points"),
        ("essay", -1, "points"),
        ("nope", 1, "item"),
        ("test_scale", 2, "points"),
    ],
)
def test_points_outside_the_cell_or_an_unknown_cell_are_refused(org, mentor, item, points, field):
    submission = graded(lab_with_essay(), org.peer)
    with pytest.raises(ValidationError) as refused:
        submission_adjust(submission=submission, by=mentor, item=item, points=points, comment="x")
    assert field in refused.value.message_dict
    assert not GradeAdjustment.objects.exists()
    submission.refresh_from_db()
    assert submission.score == 4


def test_only_mentors_and_staff_grade_never_the_learner_or_their_manager(org, mentor):
    submission = graded(lab_with_essay(), org.peer)
    for person in (org.peer, org.manager, org.engineer, org.director):
        with pytest.raises(PermissionDenied):
            submission_adjust(submission=submission, by=person, item="essay", points=1)
    submission_adjust(submission=submission, by=org.staff, item="essay", points=1)
    submission_adjust(submission=submission, by=mentor, item="essay", points=2, comment="More.")
    assert GradeAdjustment.objects.count() == 2


def test_a_submission_still_grading_cannot_be_graded_by_hand(org, mentor):
    submission = graded(lab_with_essay(), org.peer)
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.RUNNING)
    with pytest.raises(ValidationError, match="Only a graded submission"):
        submission_adjust(submission=submission, by=mentor, item="essay", points=1)


# --- evidence follows the grade --------------------------------------------------------------


def test_points_that_reach_passing_add_evidence_and_an_override_below_withdraws_it(org, mentor):
    version = lab_with_essay(passing_score=75)  # 4.5 of 6 points
    submission = graded(version, org.peer)  # 4 of 6 until the essay is graded
    assert not lab_evidence(org.peer).exists()

    submission_adjust(submission=submission, by=mentor, item="essay", points=2)
    evidence = lab_evidence(org.peer).get(skill__slug="testing")
    assert evidence.url == submission.get_absolute_url()

    submission_adjust(
        submission=submission,
        by=org.staff,
        item="test_mean_of",
        points=0,
        comment="The answer hard-codes the test's numbers.",
    )
    submission.refresh_from_db()
    assert submission.score == 4
    assert not lab_evidence(org.peer).exists()


def test_withdrawing_keeps_evidence_that_another_passing_attempt_gives(org, mentor):
    version = lab_with_essay(passing_score=50)
    first = graded(version, org.peer)
    submission_adjust(submission=first, by=mentor, item="essay", points=2)  # 6 of 6
    second = graded(version, org.peer)  # 4 of 6: passes too
    submission_adjust(submission=second, by=mentor, item="essay", points=0)

    submission_adjust(submission=first, by=mentor, item="test_mean_of", points=0, comment="Copied.")
    submission_adjust(submission=first, by=mentor, item="test_scale", points=0, comment="Same.")
    submission_adjust(submission=first, by=mentor, item="essay", points=0, comment="Same.")

    evidence = lab_evidence(org.peer).get(skill__slug="testing")
    assert evidence.url == second.get_absolute_url()


def test_a_grade_waiting_for_sign_off_adds_no_evidence_when_graded_by_hand(org, mentor):
    version = lab_with_essay(passing_score=50, review_policy="always")
    submission = graded(version, org.peer, status=SubmissionStatus.NEEDS_REVIEW)
    submission_adjust(submission=submission, by=mentor, item="essay", points=2)
    assert not lab_evidence(org.peer).exists()


# --- pages and API ---------------------------------------------------------------------------


def test_the_grading_page_shows_the_answer_sanitised_and_takes_points(client, org, mentor):
    submission = graded(lab_with_essay(), org.peer)
    url = reverse("labs:submission-grade", args=[submission.pk])
    client.force_login(mentor.user)

    page = client.get(url).content.decode()
    assert "<strong>empty lists</strong>" in page and "<script>alert(1)" not in page
    assert "Not graded yet" in page

    response = client.post(url, {"item": "essay", "points": "2", "comment": "Clear."})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "now has 2 of 2 points" in page
    assert "graded by hand, 2 of 2 points" in page and mentor.display_name in page


def test_a_refused_change_shows_why_and_keeps_what_was_typed(client, org, mentor):
    submission = graded(lab_with_essay(), org.peer)
    client.force_login(mentor.user)
    url = reverse("labs:submission-grade", args=[submission.pk])

    response = client.post(url, {"item": "test_scale", "points": "0.5", "comment": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the points change" in page
    assert 'value="0.5"' in page
    assert not GradeAdjustment.objects.exists()


def test_the_learner_sees_the_history_on_their_submission_page(client, org, mentor):
    submission = graded(lab_with_essay(), org.peer, passed=("test_mean_of",))
    submission_adjust(
        submission=submission, by=mentor, item="test_scale", points=1, comment="Fair *enough*."
    )
    client.force_login(org.peer.user)

    page = client.get(submission.get_absolute_url()).content.decode()

    assert "Points changed by hand" in page
    assert "0 → 1 of 1 points" in page and "<em>enough</em>" in page
    assert f'href="{mentor.get_absolute_url()}"' in page
    assert "waiting for a grader" in page  # the essay
    assert "Grade by hand" not in page  # the learner does not grade themself


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("peer", 404),
        ("engineer", 404),
        ("manager", 404),
        ("outsider", 404),
        ("mentor", 200),
        ("staff", 200),
    ],
)
def test_the_grading_page_is_for_mentors_and_staff(client, org, mentor, who, expected):
    submission = graded(lab_with_essay(), org.peer)
    client.force_login(getattr(org, who).user)
    response = client.get(reverse("labs:submission-grade", args=[submission.pk]))
    assert response.status_code == expected


def test_the_api_grades_and_lists_the_history(org, mentor):
    submission = graded(lab_with_essay(), org.peer)
    api = APIClient()
    api.force_authenticate(org.manager.user)  # the learner's manager: not a grader
    refused = api.post(f"/api/submissions/{submission.pk}/grade/", {"item": "essay", "points": 1})
    assert refused.status_code == 404

    api.force_authenticate(mentor.user)
    created = api.post(
        f"/api/submissions/{submission.pk}/grade/",
        {"item": "essay", "points": 1, "comment": "Half."},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["new_points"] == 1 and created.json()["old_points"] is None
    bad = api.post(
        f"/api/submissions/{submission.pk}/grade/", {"item": "essay", "points": 9}, format="json"
    )
    assert bad.status_code == 400 and "points" in bad.json()

    api.force_authenticate(org.peer.user)
    history = api.get(f"/api/submissions/{submission.pk}/history/").json()
    assert [a["item"] for a in history["adjustments"]] == ["essay"]
    assert history["adjustments"][0]["by"] == mentor.display_name
    assert len(history["runs"]) == 1 and history["runs"][0]["version"] == 1
    detail = api.get(f"/api/submissions/{submission.pk}/").json()
    assert detail["score"] == 5 and detail["graded_version"] == 1
    essay = next(r for r in detail["results"] if r["id"] == "essay")
    assert essay["manual"] and essay["passed"] is None and not essay["pending"]
