import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from core.skills.access import _assessor_rules, register_assessor_rule
from core.skills.models import Assessment, AssessorRole, Evidence, ReviewRequest, Skill
from core.skills.services import assessment_create, evidence_record, review_request_create


@pytest.fixture
def coding(db):
    return Skill.objects.get(slug="coding")


def test_the_role_follows_from_who_assesses(org, coding):
    own = assessment_create(subject=org.engineer, skill=coding, assessor=org.engineer, level=1)
    by_manager = assessment_create(
        subject=org.engineer, skill=coding, assessor=org.manager, level=2
    )
    by_director = assessment_create(
        subject=org.engineer, skill=coding, assessor=org.director, level=2
    )
    by_staff = assessment_create(subject=org.engineer, skill=coding, assessor=org.staff, level=3)

    assert own.assessor_role == AssessorRole.SELF
    assert by_manager.assessor_role == AssessorRole.MANAGER
    assert by_director.assessor_role == AssessorRole.MANAGER  # managers are transitive
    assert by_staff.assessor_role == AssessorRole.STAFF


def test_a_colleague_may_not_assess(org, coding):
    with pytest.raises(PermissionDenied):
        assessment_create(subject=org.peer, skill=coding, assessor=org.engineer, level=2)

    assert not Assessment.objects.exists()


@pytest.mark.parametrize("level", [-1, 5, 42])
def test_levels_outside_0_to_4_are_refused(org, coding, level):
    with pytest.raises(ValidationError) as error:
        assessment_create(subject=org.engineer, skill=coding, assessor=org.manager, level=level)

    assert "level" in error.value.message_dict


def test_retired_skills_are_not_assessed(org, coding):
    coding.retired = True
    coding.save()

    with pytest.raises(ValidationError, match="retired"):
        assessment_create(subject=org.engineer, skill=coding, assessor=org.engineer, level=2)


def test_apps_register_who_else_may_assess(org, coding):
    """What mentoring will do: the outsider mentors the engineer."""

    def outsider_mentors_engineer(subject):
        return AssessorRole.MENTOR, Q(pk=org.outsider.pk) if subject == org.engineer else Q(pk=0)

    register_assessor_rule(outsider_mentors_engineer)
    try:
        assessment = assessment_create(
            subject=org.engineer, skill=coding, assessor=org.outsider, level=2
        )
        with pytest.raises(PermissionDenied):
            assessment_create(subject=org.peer, skill=coding, assessor=org.outsider, level=2)
    finally:
        _assessor_rules.remove(outsider_mentors_engineer)

    assert assessment.assessor_role == AssessorRole.MENTOR


def test_evidence_is_recorded_by_people_and_by_the_system_once_per_source(org, coding):
    by_person = evidence_record(
        person=org.engineer,
        skill=coding,
        kind="external_link",
        title="My refactoring write-up",
        url="https://example.com/write-up",
        created_by=org.engineer,
    )
    first = evidence_record(
        person=org.engineer,
        skill=coding,
        kind="lab_result",
        title="Lab: clean code, passed",
        url="/labs/clean-code/",
        source="labs.submission:42",
    )
    again = evidence_record(
        person=org.engineer,
        skill=coding,
        kind="lab_result",
        title="Lab: clean code, passed",
        url="/labs/clean-code/",
        source="labs.submission:42",
    )

    assert by_person.created_by == org.engineer
    assert first.created_by is None
    assert again.pk == first.pk
    assert Evidence.objects.count() == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "//evil.example"])
def test_evidence_links_are_web_addresses_or_local_paths(org, coding, url):
    with pytest.raises(ValidationError) as error:
        evidence_record(person=org.engineer, skill=coding, kind="external_link", title="x", url=url)

    assert "url" in error.value.message_dict


def test_a_review_request_mails_the_reviewer_and_closes_when_they_assess(
    eager_tasks, org, coding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = review_request_create(
            requester=org.engineer, reviewer=org.manager, skill=coding, message="Please look."
        )

    assert request.status == ReviewRequest.Status.OPEN
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [org.manager.user.email]
    assert "Coding" in mail.outbox[0].subject
    assert "/skills/reviews/" in mail.outbox[0].body

    assessment_create(subject=org.engineer, skill=coding, assessor=org.engineer, level=3)
    request.refresh_from_db()
    assert request.status == ReviewRequest.Status.OPEN  # rating yourself answers nothing

    assessment = assessment_create(
        subject=org.engineer, skill=coding, assessor=org.manager, level=2
    )
    request.refresh_from_db()
    assert request.status == ReviewRequest.Status.DONE
    assert request.assessment == assessment
    assert request.closed_at is not None


def test_only_managers_and_mentors_can_be_asked_for_a_review(org, coding):
    with pytest.raises(ValidationError) as error:
        review_request_create(requester=org.engineer, reviewer=org.peer, skill=coding)

    assert "reviewer" in error.value.message_dict
    # managers further up the line can be asked too
    assert review_request_create(requester=org.engineer, reviewer=org.director, skill=coding)


def test_one_open_request_per_reviewer_and_skill(org, coding):
    review_request_create(requester=org.engineer, reviewer=org.manager, skill=coding)

    with pytest.raises(ValidationError, match="already asked"):
        review_request_create(requester=org.engineer, reviewer=org.manager, skill=coding)


def test_a_mail_server_that_is_down_does_not_lose_the_request(
    org, coding, eager_tasks, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("core.services.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        review_request_create(requester=org.engineer, reviewer=org.manager, skill=coding)

    assert ReviewRequest.objects.filter(requester=org.engineer).exists()
    assert "Could not e-mail review request" in caplog.text
