"""A human in the loop: the lab's review policy, the review queue, and signing grades off."""

import dataclasses
from datetime import timedelta

import nbformat
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.access import _person_rules, register_person_visibility
from core.skills.access import _assessor_rules, register_assessor_rule
from core.skills.models import EvidenceKind, ReviewRequest
from labs import selectors
from labs.format import load_lab
from labs.models import ReviewDecision, Submission, SubmissionStatus
from labs.services import (
    graded_notify,
    lab_store,
    submission_approve,
    submission_create,
    submission_grade,
    submission_reject,
)
from labs.spec import LabSettings
from tests.labs.conftest import CORRECT, REFERENCE_LAB, answered_notebook
from tests.labs.test_tamper import SILENCE_TRACEBACKS

CHEAT = {**CORRECT, "mean_of": SILENCE_TRACEBACKS}


def with_settings(version, **settings):
    """The same notebook with other lab settings (settings do not make a new version)."""
    spec = version.get_spec()
    spec = dataclasses.replace(spec, settings=dataclasses.replace(spec.settings, **settings))
    return lab_store(spec=spec, report=version.validation)


def grade(version, person, answers, capture, attempt=1):
    submission = Submission.objects.create(
        lab=version.lab,
        version=version,
        person=person,
        attempt=attempt,
        answers={k: {"cell_type": "code", "source": v} for k, v in answers.items()},
        max_score=4,
    )
    with capture(execute=True):
        return submission_grade(submission_id=submission.pk)


def waiting(lab, person, *, attempt=1, score=4.0, flags=(), hours_ago=1):
    """A graded attempt waiting for a sign-off, without running the notebook."""
    return Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=person,
        attempt=attempt,
        answers={},
        status=SubmissionStatus.NEEDS_REVIEW,
        score=score,
        max_score=4,
        flags=list(flags),
        graded_at=timezone.now() - timedelta(hours=hours_ago),
    )


@pytest.fixture
def lab(db):
    # Stored without the sandbox validation: these tests are about sign-off, not grading.
    return lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab


def lab_evidence(person):
    return person.evidence.filter(kind=EvidenceKind.LAB_RESULT)


# --- the policy ------------------------------------------------------------------------------


def test_a_lab_that_says_nothing_sends_flagged_grades_to_review_as_before():
    assert LabSettings(slug="lab", title="Lab").review_policy == "flagged"
    assert load_lab(REFERENCE_LAB).settings.review_policy == "flagged"


@pytest.mark.parametrize(
    ("policy", "answers", "status"),
    [
        ("none", CHEAT, SubmissionStatus.GRADED),
        ("flagged", CHEAT, SubmissionStatus.NEEDS_REVIEW),
        ("flagged", CORRECT, SubmissionStatus.GRADED),
        ("always", CORRECT, SubmissionStatus.NEEDS_REVIEW),
    ],
)
def test_the_review_policy_decides_which_grades_wait_for_a_sign_off(
    reference_version, org, policy, answers, status, django_capture_on_commit_callbacks
):
    version = with_settings(reference_version, review_policy=policy)

    submission = grade(version, org.engineer, answers, django_capture_on_commit_callbacks)

    assert submission.status == status
    assert bool(submission.flags) == (answers is CHEAT)  # flags are kept whatever the policy


def test_a_grade_that_waits_counts_only_once_approved(
    reference_version, org, eager_tasks, django_capture_on_commit_callbacks
):
    version = with_settings(reference_version, review_policy="always")
    submission = grade(version, org.engineer, CORRECT, django_capture_on_commit_callbacks)
    assert submission.status == SubmissionStatus.NEEDS_REVIEW and submission.score == 4
    assert not lab_evidence(org.engineer).exists() and not ReviewRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        approved = submission_approve(submission=submission, by=org.manager, comment="Well done.")

    assert approved.status == SubmissionStatus.GRADED
    assert lab_evidence(org.engineer).filter(skill__slug="testing").exists()
    # The first pass asks for a re-assessment, as an automatic pass does.
    assert ReviewRequest.objects.get().reviewer == org.manager
    to_learner = [m.subject for m in mail.outbox if m.to == [org.engineer.user.email]]
    assert len(to_learner) == 2  # graded, waiting; then signed off
    assert "is graded" in to_learner[0] and "signed off" in to_learner[1]
    assert "Well done." in mail.outbox[-1].body


# --- signing off -----------------------------------------------------------------------------


def test_approving_a_grade_below_passing_records_no_evidence(lab, org):
    submission = waiting(lab, org.engineer, score=1)

    approved = submission_approve(submission=submission, by=org.manager, comment="")

    assert approved.status == SubmissionStatus.GRADED
    assert not lab_evidence(org.engineer).exists()
    review = approved.reviews.get()
    assert (review.reviewer, review.decision) == (org.manager, ReviewDecision.APPROVE)


def test_sending_back_needs_a_comment(lab, org):
    submission = waiting(lab, org.engineer)

    with pytest.raises(ValidationError, match="Say why"):
        submission_reject(submission=submission, by=org.manager, comment="  ")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW and not submission.reviews.exists()


def test_an_attempt_sent_back_does_not_count_and_the_learner_reads_why(
    lab, org, client, eager_tasks, django_capture_on_commit_callbacks
):
    lab = with_settings(lab.current_version, max_attempts=1).lab
    submission = waiting(lab, org.engineer)

    with django_capture_on_commit_callbacks(execute=True):
        rejected = submission_reject(
            submission=submission, by=org.manager, comment="Use **your own** data loader."
        )

    assert rejected.status == SubmissionStatus.REJECTED
    assert not lab_evidence(org.engineer).exists()
    assert selectors.lab_attempts(lab=lab, user=org.engineer.user).used == 0
    assert [m.to for m in mail.outbox] == [[org.engineer.user.email]]
    assert "sent back" in mail.outbox[0].subject and "your own" in mail.outbox[0].body
    client.force_login(org.engineer.user)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Sent back by a reviewer" in page and "<strong>your own</strong>" in page
    # The lab limits attempts to one, and the attempt sent back does not use it up.
    data = nbformat.writes(answered_notebook(lab.current_version, CORRECT)).encode()
    with django_capture_on_commit_callbacks(execute=False):
        again = submission_create(lab=lab, person=org.engineer, data=data)
    assert again.attempt == 2 and again.status == SubmissionStatus.QUEUED


def test_a_grade_is_signed_off_once(lab, org):
    submission = waiting(lab, org.engineer)
    submission_approve(submission=submission, by=org.manager, comment="")

    with pytest.raises(ValidationError, match="not waiting for a sign-off"):
        submission_reject(submission=submission, by=org.director, comment="No.")
    with pytest.raises(ValidationError, match="not waiting for a sign-off"):
        submission_approve(submission=submission, by=org.staff, comment="")

    assert submission.reviews.count() == 1


def test_review_comments_are_sanitised_where_they_are_shown(lab, org, client):
    submission = waiting(lab, org.engineer)
    submission_reject(
        submission=submission, by=org.manager, comment="<script>alert(1)</script>Try again."
    )

    client.force_login(org.engineer.user)
    page = client.get(submission.get_absolute_url()).content.decode()

    assert "Try again." in page and "<script>alert(1)</script>" not in page


# --- who may review --------------------------------------------------------------------------


@pytest.mark.parametrize("reviewer", ["manager", "director", "staff"])
def test_managers_up_the_line_and_staff_sign_off(lab, org, client, reviewer):
    submission = waiting(lab, org.engineer)
    client.force_login(getattr(org, reviewer).user)

    assert client.get(reverse("labs:submission-review", args=[submission.pk])).status_code == 200
    response = client.post(
        reverse("labs:submission-review", args=[submission.pk]),
        {"decision": "approve", "comment": ""},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.GRADED


@pytest.mark.parametrize("who", ["engineer", "peer", "outsider"])
def test_the_learner_a_colleague_and_an_outsider_get_404(lab, org, client, who):
    submission = waiting(lab, org.engineer)
    client.force_login(getattr(org, who).user)
    url = reverse("labs:submission-review", args=[submission.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    with pytest.raises(PermissionDenied):
        submission_approve(submission=submission, by=getattr(org, who), comment="")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW


def test_a_mentor_reviews_their_mentee(lab, org, client):
    """What mentoring registers: the outsider mentors the engineer (and sees them)."""

    def outsider_mentors_engineer(subject):
        return "mentor", Q(pk=org.outsider.pk) if subject == org.engineer else Q(pk=0)

    def outsider_sees_engineer(person):
        return Q(pk=org.engineer.pk) if person == org.outsider else Q(pk=0)

    mine, theirs = waiting(lab, org.engineer), waiting(lab, org.peer)
    register_assessor_rule(outsider_mentors_engineer)
    register_person_visibility(outsider_sees_engineer)
    try:
        assert list(selectors.review_queue(user=org.outsider.user)) == [mine]
        client.force_login(org.outsider.user)
        assert client.get(reverse("labs:submission-review", args=[mine.pk])).status_code == 200
        assert client.get(reverse("labs:submission-review", args=[theirs.pk])).status_code == 404
        submission_approve(submission=mine, by=org.outsider, comment="")
    finally:
        _assessor_rules.remove(outsider_mentors_engineer)
        _person_rules.remove(outsider_sees_engineer)

    mine.refresh_from_db()
    assert mine.status == SubmissionStatus.GRADED


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_holds_what_each_viewer_may_sign_off_longest_waiting_first(lab, org, client):
    engineers = waiting(lab, org.engineer, hours_ago=1, flags=["tamper_suspected"])
    peers = waiting(lab, org.peer, hours_ago=5)
    directors = waiting(lab, org.director, hours_ago=2)
    # The director has no manager: only staff review their grade.

    def queue(person):
        return list(selectors.review_queue(user=person.user))

    assert queue(org.manager) == [peers, engineers]
    assert queue(org.director) == [peers, engineers]
    assert queue(org.staff) == [peers, directors, engineers]
    assert queue(org.engineer) == [] and queue(org.peer) == [] and queue(org.outsider) == []

    client.force_login(org.manager.user)
    page = client.get(reverse("labs:review-queue")).content.decode()
    assert org.peer.display_name in page and org.engineer.get_absolute_url() in page
    assert "tampered with" in page and "The lab asks for a sign-off" in page
    assert "2 lab grades of people you manage or mentor wait for your sign-off" in (
        client.get(reverse("labs:index")).content.decode()
    )
    client.force_login(org.engineer.user)
    assert (
        "Nothing waits for your sign-off"
        in client.get(reverse("labs:review-queue")).content.decode()
    )
    assert "for your sign-off" not in client.get(reverse("labs:index")).content.decode()


def test_a_mentor_finds_their_mentees_grades_in_the_queue_and_no_one_elses(lab, org):
    from tests.mentoring.url_matrix import mentorship_of
    from tests.url_matrix import cast_people

    mentor = mentorship_of(cast_people(org)).mentor  # the matrix's mentor mentors the peer
    peers = waiting(lab, org.peer)
    waiting(lab, org.engineer)  # not their mentee

    assert list(selectors.review_queue(user=mentor.user)) == [peers]


def test_the_queue_asks_the_database_as_often_for_many_learners_as_for_one(lab, org):
    from tests.factories import PersonFactory

    def count(person) -> int:
        with CaptureQueriesContext(connection) as context:
            assert list(selectors.review_queue(user=person.user))
        return len(context.captured_queries)

    waiting(lab, org.engineer)
    one = count(org.director)
    for _ in range(15):
        waiting(lab, PersonFactory(manager=org.manager, team=org.manager.team))

    assert count(org.director) == one  # one query per learner would make it 16 more


def test_the_review_page_shows_the_results_flags_notebook_and_history(lab, org, client):
    submission = waiting(lab, org.engineer, flags=["tamper_suspected"])
    submission.results = [
        {"id": "test_mean_of", "title": "", "passed": True, "points": 2, "max_points": 2,
         "hidden": False, "message": "ok"},
    ]  # fmt: skip
    submission.save()
    client.force_login(org.manager.user)
    url = reverse("labs:submission-review", args=[submission.pk])

    refused = client.post(url, {"decision": "reject", "comment": ""})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    page = client.get(url).content.decode()

    assert "Mean of" in page and "tampered with" in page
    assert reverse("labs:submission-feedback", args=[submission.pk]) in page
    assert 'value="approve"' in page and 'value="reject"' in page
    client.post(url, {"decision": "reject", "comment": "Redo the scaling."})
    page = client.get(url).content.decode()
    assert "Redo the scaling." in page and 'value="approve"' not in page


# --- the API ---------------------------------------------------------------------------------


def test_the_api_lists_the_queue_and_signs_off(lab, org, client):
    submission = waiting(lab, org.engineer, flags=["tamper_suspected"])
    approve = reverse("api:submission-approve", args=[submission.pk])
    reject = reverse("api:submission-reject", args=[submission.pk])

    client.force_login(org.peer.user)
    assert client.get(reverse("api:review-list")).json()["results"] == []
    assert client.post(approve, {}, content_type="application/json").status_code == 404

    client.force_login(org.manager.user)
    queue = client.get(reverse("api:review-list")).json()["results"]
    assert [(row["id"], row["learner"]["id"]) for row in queue] == [
        (submission.pk, org.engineer.pk)
    ]
    assert queue[0]["flag_words"] == ["Signs that the notebook's kernel was tampered with"]
    refused = client.post(reject, {"comment": ""}, content_type="application/json")
    assert refused.status_code == 400 and "comment" in refused.json()

    response = client.post(reject, {"comment": "Again, please."}, content_type="application/json")

    assert response.status_code == 200 and response.json()["status"] == "rejected"
    again = client.post(approve, {}, content_type="application/json")
    assert again.status_code == 400
    assert client.get(reverse("api:review-list")).json()["results"] == []


# --- e-mail after grading: the learner, and the nearest reviewers when it waits ----------------


def test_a_grade_is_mailed_to_the_learner_once_grading_commits(
    reference_version, org, eager_tasks, django_capture_on_commit_callbacks
):
    graded = grade(reference_version, org.engineer, CORRECT, django_capture_on_commit_callbacks)

    assert graded.status == SubmissionStatus.GRADED
    mine = [m for m in mail.outbox if m.to == [org.engineer.user.email]]
    assert len(mine) == 1
    assert "is graded" in mine[0].subject and "scored 4 of 4 points" in mine[0].body
    assert graded.get_absolute_url() in mine[0].body
    assert not any("sign-off" in m.subject for m in mail.outbox)


def test_a_grade_that_waits_asks_the_nearest_manager_not_the_whole_line(lab, org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submission = waiting(lab, org.engineer, score=3.0)

    assert graded_notify(submission_id=submission.pk) == 2

    to_learner, to_reviewers = mail.outbox
    assert to_learner.to == [org.engineer.user.email]
    assert "A reviewer signs it off before it counts." in to_learner.body
    assert to_reviewers.to == [org.manager.user.email]  # not the director above him
    assert "waits for your sign-off" in to_reviewers.subject
    assert f"/labs/submissions/{submission.pk}/review/" in to_reviewers.body


def test_nothing_is_mailed_for_a_submission_still_in_the_queue(lab, org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submission = waiting(lab, org.engineer)
    submission.status = SubmissionStatus.QUEUED
    submission.save()

    assert graded_notify(submission_id=submission.pk) == 0
    assert graded_notify(submission_id=10**9) == 0
    assert not mail.outbox
