"""A lab passed is evidence on the matrix and asks the person's manager to re-assess."""

import pytest
from django.core import mail

from core.skills.models import EvidenceKind, ReviewRequest
from labs.models import Submission
from labs.services import submission_grade
from tests.labs.conftest import CORRECT, PARTIAL


def submit(version, person, answers, attempt):
    return Submission.objects.create(
        lab=version.lab,
        version=version,
        person=person,
        attempt=attempt,
        answers={k: {"cell_type": "code", "source": v} for k, v in answers.items()},
        max_score=4,
    )


def grade(version, person, answers, attempt, capture):
    with capture(execute=True):
        return submission_grade(submission_id=submit(version, person, answers, attempt).pk)


@pytest.mark.django_db(transaction=False)
def test_the_first_pass_asks_the_manager_once_and_a_fail_asks_nobody(
    reference_version, org, eager_tasks, django_capture_on_commit_callbacks
):
    failed = grade(reference_version, org.engineer, PARTIAL, 1, django_capture_on_commit_callbacks)
    assert failed.score == 2
    assert not ReviewRequest.objects.exists()
    assert not [m for m in mail.outbox if "asks for a review" in m.subject]

    passed = grade(reference_version, org.engineer, CORRECT, 2, django_capture_on_commit_callbacks)

    assert passed.score == 4
    assert passed.person.evidence.filter(kind=EvidenceKind.LAB_RESULT, skill__slug="testing")
    request = ReviewRequest.objects.get()
    assert (request.requester, request.reviewer) == (org.engineer, org.manager)
    assert request.skill.slug == "testing" and request.status == ReviewRequest.Status.OPEN
    assert "passed the lab" in request.message
    asks = [m for m in mail.outbox if "asks for a review" in m.subject]
    assert [m.to for m in asks] == [[org.manager.user.email]]
    assert "Testing" in asks[0].subject

    grade(reference_version, org.engineer, CORRECT, 3, django_capture_on_commit_callbacks)

    # Evidence is once per learner and lab version: the second pass adds none.
    evidence = passed.person.evidence.get(kind=EvidenceKind.LAB_RESULT, skill__slug="testing")
    assert evidence.url == passed.get_absolute_url()

    assert ReviewRequest.objects.count() == 1
    assert len([m for m in mail.outbox if "asks for a review" in m.subject]) == 1


def test_someone_without_a_manager_is_not_asked_about(
    reference_version, org, eager_tasks, django_capture_on_commit_callbacks
):
    passed = grade(reference_version, org.director, CORRECT, 1, django_capture_on_commit_callbacks)

    assert passed.score == 4
    assert passed.person.evidence.filter(kind=EvidenceKind.LAB_RESULT).exists()
    assert not ReviewRequest.objects.exists()
    assert not [m for m in mail.outbox if "asks for a review" in m.subject]
