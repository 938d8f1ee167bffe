"""The audit log (issue 15, "Audit"): sensitive actions are recorded where they happen, the log
is append-only everywhere (model, queryset, admin), and staff alone read and filter it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.audit.models import AuditAction, AuditEvent
from core.audit.services import audit_read, audit_record
from labs.format import load_lab
from labs.models import Submission, SubmissionStatus
from labs.services import lab_store, submission_adjust, submission_approve
from tests.factories import FeedbackNoteFactory, LabSubmissionFactory, PersonFactory
from tests.labs.conftest import REFERENCE_LAB

pytestmark = pytest.mark.django_db


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# --- append-only ------------------------------------------------------------------------------


@pytest.fixture
def event(org):
    return audit_record(
        actor=org.manager,
        action=AuditAction.PERSON_DATA_READ,
        subject=org.engineer,
        obj=org.engineer,
    )


def test_an_event_freezes_who_did_what_to_whom(event, org):
    event.refresh_from_db()
    assert event.actor == org.manager
    assert event.actor_label == f"{org.manager.user.get_full_name()} (manager)"
    assert event.subject == org.engineer
    assert event.subject_label.endswith("(engineer)")
    assert (event.object_type, event.object_id) == ("core.person", str(org.engineer.pk))


def test_an_event_cannot_be_changed_or_deleted_one_by_one(event):
    event.detail = {"changed": True}
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    event.refresh_from_db()
    assert event.detail == {}


def test_events_cannot_be_changed_or_deleted_in_bulk(event):
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().update(actor_label="someone else")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_label.endswith("(manager)")


def test_the_admin_shows_events_but_neither_changes_nor_deletes_them(client, org, event):
    client.force_login(org.staff.user)
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    delete_url = reverse("admin:core_auditevent_delete", args=[event.pk])

    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(change_url).status_code == 200  # a read-only view
    assert client.post(change_url, {"actor_label": "nobody"}).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    bulk = client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert AuditEvent.objects.filter(pk=event.pk, actor_label__endswith="(manager)").exists()


def test_a_rolled_back_action_leaves_no_event(org):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=org.staff, action=AuditAction.EXPORT)
        raise RuntimeError("the export failed")
    assert not events(AuditAction.EXPORT).exists()


# --- where events are recorded -----------------------------------------------------------------


def test_opening_someone_elses_page_is_recorded_and_ones_own_is_not(client, org):
    client.force_login(org.manager.user)
    assert client.get(reverse("person-detail", args=[org.engineer.pk])).status_code == 200
    assert client.get(reverse("person-detail", args=[org.manager.pk])).status_code == 200

    recorded = events(AuditAction.PERSON_DATA_READ).get()
    assert (recorded.actor, recorded.subject) == (org.manager, org.engineer)
    assert recorded.ip == "127.0.0.1"


def test_a_page_that_answers_404_records_nothing(client, org):
    client.force_login(org.engineer.user)
    assert client.get(reverse("person-detail", args=[org.outsider.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_reading_feedback_is_recorded_for_others_than_its_author_and_recipient(org):
    assert (
        audit_read(
            user=org.engineer.user,
            action=AuditAction.FEEDBACK_READ,
            subject=org.engineer,
            owner_ids=(org.peer.pk,),
        )
        is None
    )  # the recipient
    assert (
        audit_read(
            user=org.peer.user,
            action=AuditAction.FEEDBACK_READ,
            subject=org.engineer,
            owner_ids=(org.peer.pk,),
        )
        is None
    )  # the author
    recorded = audit_read(
        user=org.manager.user,
        action=AuditAction.FEEDBACK_READ,
        subject=org.engineer,
        owner_ids=(org.peer.pk,),
    )
    assert recorded is not None and recorded.actor == org.manager


# The two calls in mentoring (the feedback page and `GET /api/feedback-notes/{id}/`) belong to
# the mentoring app: these tests check them from the outside.


@pytest.mark.parametrize("reader", ["engineer", "peer", "manager"])
def test_opening_a_feedback_note_is_recorded_for_the_managers_only(client, org, reader):
    note = FeedbackNoteFactory(author=org.peer, recipient=org.engineer, visibility="with_managers")
    client.force_login(getattr(org, reader).user)
    page = client.get(reverse("mentoring:feedback-note", args=[note.pk]))
    api = APIClient()
    api.force_authenticate(getattr(org, reader).user)
    assert api.get(f"/api/feedback-notes/{note.pk}/").status_code == page.status_code == 200

    recorded = events(AuditAction.FEEDBACK_READ)
    if reader == "manager":  # neither the recipient nor the author
        assert [(e.actor, e.subject, e.object_id) for e in recorded] == [
            (org.manager, org.engineer, str(note.pk))
        ] * 2
    else:
        assert not recorded.exists()


@pytest.fixture
def lab(db):
    # Stored without the sandbox validation: these tests are about sign-off, not grading.
    return lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab


def test_a_sign_off_is_recorded(org, lab):
    submission = Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=org.engineer,
        attempt=1,
        answers={},
        status=SubmissionStatus.NEEDS_REVIEW,
        score=4,
        max_score=4,
        graded_at=timezone.now(),
    )
    submission_approve(submission=submission, by=org.manager, comment="Fine.")

    recorded = events(AuditAction.SIGN_OFF).get()
    assert (recorded.actor, recorded.subject) == (org.manager, org.engineer)
    assert recorded.object_id == str(submission.pk)
    assert recorded.detail == {"decision": "approve"}


def test_a_grade_override_is_recorded_with_old_and_new_points(org, lab):
    spec = lab.current_version.get_spec()
    test_cell = next(cell for cell in spec.cells if cell.graded and cell.role == "test")
    submission = Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=org.engineer,
        attempt=1,
        answers={},
        status=SubmissionStatus.GRADED,
        score=0,
        max_score=4,
        results=[
            {
                "id": test_cell.grade_id,
                "title": "t",
                "points": 0.0,
                "max_points": test_cell.points,
                "passed": False,
                "message": "",
            }
        ],
        graded_at=timezone.now(),
    )
    submission_adjust(
        submission=submission,
        by=org.staff,
        item=test_cell.grade_id,
        points=test_cell.points,
        comment="The test was wrong.",
    )

    recorded = events(AuditAction.GRADE_OVERRIDE).get()
    assert (recorded.actor, recorded.subject) == (org.staff, org.engineer)
    assert recorded.detail == {
        "item": test_cell.grade_id,
        "old_points": 0.0,
        "new_points": float(test_cell.points),
    }
    assert "The test was wrong." not in str(recorded.detail)


def test_a_gradebook_export_is_recorded(client, org, lab):
    submission = LabSubmissionFactory(lab=lab, person=org.engineer)
    client.force_login(org.staff.user)
    response = client.get(reverse("labs:gradebook-csv", args=[submission.lab.slug]))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    recorded = events(AuditAction.EXPORT).get()
    assert recorded.actor == org.staff
    assert recorded.object_type == "labs.lab"
    assert recorded.detail["what"] == "gradebook"


def test_making_someone_staff_in_the_admin_is_recorded(client, org):
    client.force_login(org.staff.user)
    user = org.engineer.user
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("groups", "user_permissions", "password")
    }
    data.update(
        {
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "person-TOTAL_FORMS": "1",
            "person-INITIAL_FORMS": "1",
            "person-MIN_NUM_FORMS": "0",
            "person-MAX_NUM_FORMS": "1",
            "person-0-id": org.engineer.pk,
            "person-0-user": user.pk,
            "person-0-team": org.engineer.team_id,
            "person-0-manager": org.director.pk,  # was the manager
            "person-0-career_stage": org.engineer.career_stage,
            "person-0-title": org.engineer.title,
            "person-0-timezone": org.engineer.timezone,
            "person-0-joined_on": org.engineer.joined_on.isoformat(),
            "person-0-bio": "",
        }
    )
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    user.refresh_from_db()
    assert user.is_staff
    changes = {e.detail and next(iter(e.detail)) for e in events(AuditAction.ROLE_CHANGE)}
    assert changes == {"is_staff", "manager"}
    assert all(e.subject == org.engineer for e in events(AuditAction.ROLE_CHANGE))
    assert all(e.actor == org.staff for e in events(AuditAction.ROLE_CHANGE))


def test_changing_a_manager_in_the_person_admin_is_recorded(client, org):
    client.force_login(org.staff.user)
    person = org.engineer
    response = client.post(
        reverse("admin:core_person_change", args=[person.pk]),
        {
            "user": person.user_id,
            "team": person.team_id,
            "manager": org.director.pk,
            "career_stage": person.career_stage,
            "title": person.title,
            "timezone": person.timezone,
            "joined_on": person.joined_on.isoformat(),
            "bio": "",
        },
    )
    assert response.status_code == 302

    recorded = events(AuditAction.ROLE_CHANGE).get()
    assert recorded.detail == {"manager": org.director.pk}
    assert recorded.subject == person


def test_saving_a_person_without_a_role_change_records_nothing(client, org):
    client.force_login(org.staff.user)
    person = org.engineer
    client.post(
        reverse("admin:core_person_change", args=[person.pk]),
        {
            "user": person.user_id,
            "team": person.team_id,
            "manager": person.manager_id,
            "career_stage": person.career_stage,
            "title": "Another title",
            "timezone": person.timezone,
            "joined_on": person.joined_on.isoformat(),
            "bio": "",
        },
    )
    assert not events(AuditAction.ROLE_CHANGE).exists()


# --- the audit page and API ------------------------------------------------------------------


@pytest.fixture
def logged(org):
    """Three events: the manager read the engineer's page, staff exported, and an older one."""
    read = audit_record(
        actor=org.manager, action=AuditAction.PERSON_DATA_READ, subject=org.engineer
    )
    export = audit_record(actor=org.staff, action=AuditAction.EXPORT, detail={"what": "gradebook"})
    old = AuditEvent.objects.create(
        created_at=timezone.now() - datetime.timedelta(days=40),
        actor=org.director,
        actor_label="Director (director)",
        action=AuditAction.SIGN_OFF,
        subject=org.peer,
        subject_label="Peer (peer)",
    )
    return type("Logged", (), {"read": read, "export": export, "old": old})


def shown(response) -> list[int]:
    return [event.pk for event in response.context["page"].object_list]


@pytest.mark.parametrize("who", ["engineer", "manager", "director"])
def test_only_staff_find_the_audit_page(client, org, logged, who):
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("audit")).status_code == 404


def test_staff_read_the_log_newest_first_with_names_linked(client, org, logged):
    client.force_login(org.staff.user)
    response = client.get(reverse("audit"))
    assert response.status_code == 200
    assert shown(response) == [logged.export.pk, logged.read.pk, logged.old.pk]
    html = response.content.decode()
    assert f'href="{org.engineer.get_absolute_url()}"' in html
    assert 'class="table-scroll"' in html
    for label in ("What", "Who did it", "About whom", "From", "Until"):
        assert f">{label}</label>" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "export"}, ["export"]),
        ({"actor": "manager"}, ["read"]),
        ({"subject": "peer"}, ["old"]),
        ({"actor": "{staff}"}, ["export"]),
        ({"subject": "{engineer}"}, ["read"]),
        ({"since": "{yesterday}"}, ["export", "read"]),
        ({"until": "{yesterday}"}, ["old"]),
        ({"action": "sign_off", "since": "{yesterday}"}, []),
    ],
)
def test_staff_filter_the_log(client, org, logged, params, expected):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    values = {"staff": org.staff.pk, "engineer": org.engineer.pk, "yesterday": yesterday}
    query = {key: value.format(**values) for key, value in params.items()}
    client.force_login(org.staff.user)

    response = client.get(reverse("audit"), query)

    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(getattr(logged, name).pk for name in expected)


def test_the_api_lists_the_log_for_staff_only_with_the_same_filters(org, logged):
    api = APIClient()
    api.force_authenticate(org.manager.user)
    assert api.get("/api/audit/").status_code == 404

    api.force_authenticate(org.staff.user)
    everything = api.get("/api/audit/")
    assert everything.status_code == 200
    assert everything.json()["count"] == 3
    exports = api.get("/api/audit/", {"action": "export"}).json()["results"]
    assert [row["id"] for row in exports] == [logged.export.pk]
    assert exports[0]["actor"] == org.staff.pk
    by_subject = api.get("/api/audit/", {"subject": org.engineer.pk}).json()["results"]
    assert [row["id"] for row in by_subject] == [logged.read.pk]
    assert api.get("/api/audit/", {"since": "not a day"}).status_code == 400


def test_the_api_cannot_change_the_log(org, logged):
    api = APIClient()
    api.force_authenticate(org.staff.user)
    assert api.post("/api/audit/", {"action": "export"}).status_code == 405
    assert api.delete(f"/api/audit/{logged.read.pk}/").status_code == 404
    assert AuditEvent.objects.count() == 3


def test_an_account_without_a_person_is_named_by_its_username(db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username="root-admin", is_staff=True)
    subject = PersonFactory()
    recorded = audit_record(actor=admin, action=AuditAction.ROLE_CHANGE, subject=subject)
    assert (recorded.actor, recorded.actor_label) == (None, "root-admin")
