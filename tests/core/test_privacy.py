"""Personal data (issue 15, "Privacy"): a person downloads everything Cultivate holds about
them, and staff erase a person, after which no table names them any more."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.sessions.models import Session as DjangoSession
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core import privacy
from core.audit.models import AuditAction, AuditEvent
from core.audit.services import audit_record
from core.notifications.models import Notification, NotificationPreference
from core.skills.models import ReviewRequest
from curriculum.models import Enrolment
from hackathons.models import JoinRequest, Membership, Team
from labs.models import LabProblemReport, LabRating
from mentoring.models import FeedbackRequest, MentorProfile, PrivateNote
from tests.factories import (
    AnswerFactory,
    AssessmentFactory,
    EvidenceFactory,
    FeedbackNoteFactory,
    IdeaCommentFactory,
    IdeaFactory,
    LabSubmissionFactory,
    LearningEntryFactory,
    MentorshipFactory,
    NotificationFactory,
    PathFactory,
    PersonFactory,
    PrivateNoteFactory,
    QuestionFactory,
    ReviewRequestFactory,
    SessionFactory,
    enable_totp,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zephyrine", "Quillfeather"
USERNAME = "zquillfeather"
EMAIL = "zephyrine.q@example.org"
OTHER_EMAIL = "zq.private@example.net"
NAMES = (FIRST, LAST, USERNAME, EMAIL, OTHER_EMAIL)
FULL = f"{FIRST} {LAST}"

# Other people's private text about her that her export must never hold.
MENTORS_PRIVATE_NOTE = "MENTOR-ONLY: worried about her workload"
MANAGERS_ONLY_NOTE = "MANAGERS-ONLY: ready for promotion"


@pytest.fixture
def zephyrine(org):
    """Someone with rows in every app, many of them naming her in their texts."""
    person = PersonFactory(
        user__username=USERNAME,
        user__email=EMAIL,
        user__first_name=FIRST,
        user__last_name=LAST,
        manager=org.manager,
        title=f"{LAST} lab lead",
        bio=f"Hi, I am {FULL}; write to {EMAIL}.",
    )
    EmailAddress.objects.create(user=person.user, email=EMAIL, primary=True, verified=True)
    EmailAddress.objects.create(user=person.user, email=OTHER_EMAIL)
    enable_totp(person.user)
    Token.objects.create(user=person.user)
    return person


@pytest.fixture
def world(org, zephyrine, client):
    z = zephyrine
    mentor = org.outsider
    # --- skills
    AssessmentFactory(subject=z, note=f"{FIRST} rates herself.")
    AssessmentFactory(subject=z, assessor=org.manager, assessor_role="manager", note=f"{LAST}: 3")
    EvidenceFactory(person=z, title=f"{FULL}'s talk", note=f"by {USERNAME}")
    ReviewRequestFactory(requester=z, reviewer=org.manager, message=f"From {FIRST}")
    ReviewRequestFactory(requester=org.peer, reviewer=z, message=f"Dear {FIRST}, please review")
    # --- mentoring
    mentorship = MentorshipFactory(mentor=mentor, mentee=z, goals=f"Help {FIRST} grow")
    session = SessionFactory(mentorship=mentorship, notes=f"{FIRST} presented", agenda="Evals")
    session.action_items.create(mentorship=mentorship, text=f"{FIRST} reads the paper")
    PrivateNoteFactory(session=session, author=z, body=f"{FIRST}'s own worries")
    PrivateNoteFactory(session=session, author=mentor, body=f"{MENTORS_PRIVATE_NOTE} ({FIRST})")
    MentorProfile.objects.create(person=z, open_to_mentoring=True, capacity=1)
    FeedbackNoteFactory(author=z, recipient=org.peer, body=f"Thanks! -- {FIRST}")
    FeedbackNoteFactory(author=org.peer, recipient=z, body=f"Great work, {FIRST}.")
    FeedbackNoteFactory(
        author=org.director,
        recipient=z,
        body=f"{MANAGERS_ONLY_NOTE}: {FULL}",
        visibility="managers_only",
    )
    FeedbackRequest.objects.create(requester=z, asked=org.peer, about=f"{FIRST}'s demo")
    question = QuestionFactory(author=z, anonymous=True, body=f"Asked by {USERNAME}")
    AnswerFactory(question=question, author=org.peer, body=f"@{USERNAME}: read the docs")
    AnswerFactory(author=z, body=f"{FIRST} says: use a holdout set")
    LearningEntryFactory(person=z, what=f"{FIRST} read about drift")
    # --- labs
    submission = LabSubmissionFactory(
        person=z, answers={"a": {"cell_type": "code", "source": f"# by {FULL}\nx = 1"}}
    )
    LabRating.objects.create(
        lab=submission.lab, version=submission.version, person=z, stars=4, comment=f"-- {FIRST}"
    )
    LabProblemReport.objects.create(
        lab=submission.lab, version=submission.version, person=z, text=f"{USERNAME}: typo"
    )
    # --- hackathons
    idea = IdeaFactory(proposer=z, title=f"{FIRST}'s idea", problem=f"{LAST} pain")
    IdeaCommentFactory(idea=idea, author=org.peer, body=f"Nice one {FIRST}")
    IdeaCommentFactory(author=z, body=f"+1 from {FIRST}")
    from tests.hackathons.helpers import make_event

    event = make_event(slug="privacy-hack")
    team = Team.objects.create(event=event, idea=idea, lead=z, name=f"Team {LAST}")
    Membership.objects.create(team=team, event=event, person=z)
    JoinRequest.objects.create(
        team=team, person=org.peer, kind="invitation", created_by=z, message=f"Join {FIRST}!"
    )
    # --- curriculum
    Enrolment.objects.create(person=z, path=PathFactory(), enrolled_by=z)
    # --- notifications
    NotificationFactory(recipient=z, title=f"Hello {FIRST}")
    NotificationFactory(recipient=org.peer, actor=z, title=f"{FULL} wrote you feedback")
    NotificationPreference.objects.create(person=z, kind="feedback_received", email=False)
    # --- core: a sign-in session, a page read and an admin change that name her
    Client().force_login(z.user)  # her own browser: a session row that names her account
    client.force_login(org.manager.user)
    client.get(reverse("person-detail", args=[z.pk]))
    audit_record(actor=z, action=AuditAction.EXPORT, subject=z, detail={"what": "test"})
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=org.staff.user,
        content_type=ContentType.objects.get_for_model(z),
        object_id=str(z.pk),
        object_repr=str(z),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Title"]}}]),
    )
    return org


def rows_naming(terms) -> list[str]:
    """Every text or JSON value, in every table, holding one of `terms` (any case)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            alias = f"_text_{field.column}"
            rows = model._base_manager.annotate(**{alias: Cast(field.name, TextField())})
            named = Q()
            for term in terms:
                named |= Q(**{f"{alias}__icontains": term})
            for pk, value in rows.filter(named).values_list("pk", alias)[:3]:
                found.append(f"{model._meta.label}.{field.name} #{pk}: {value[:80]!r}")
    return found


def erase(client, staff, person, username=None):
    client.force_login(staff.user)
    return client.post(
        reverse("person-erase", args=[person.pk]),
        {"username": username or person.user.username},
    )


def test_every_part_of_cultivate_registers_its_personal_data():
    keys = {part.key for part in privacy.registered_parts()}
    expected = {"account", "skills", "notifications", "mentoring", "labs", "hackathons"}
    assert expected | {"curriculum"} <= keys
    assert privacy.registered_parts()[-1].key == "account"  # its eraser runs last


# --- erasure ------------------------------------------------------------------------------------


def test_after_erasure_no_table_holds_her_name_username_or_email(client, world, zephyrine):
    assert len(rows_naming(NAMES)) > 20  # the world names her everywhere before

    response = erase(client, world.staff, zephyrine)

    assert response.status_code == 302
    assert rows_naming(NAMES) == []


def test_erasure_deletes_what_is_hers_alone_and_keeps_what_others_need(client, world, zephyrine):
    z = zephyrine
    erase(client, world.staff, z)

    z.refresh_from_db()
    user = z.user
    user.refresh_from_db()
    assert user.username == f"erased-{z.pk}"
    assert user.email == f"erased-{z.pk}@invalid"
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.has_usable_password()
    assert not (user.is_active or user.is_staff or user.is_superuser)
    assert (z.title, z.bio) == ("", "")
    # Hers alone: gone.
    assert not PrivateNote.objects.filter(author=z).exists()
    assert not Notification.objects.filter(recipient=z).exists()
    assert not NotificationPreference.objects.filter(person=z).exists()
    assert not Token.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not MentorProfile.objects.filter(person=z).exists()
    assert not FeedbackRequest.objects.filter(requester=z, status="open").exists()
    assert not ReviewRequest.objects.filter(requester=z, status="open").exists()
    assert not JoinRequest.objects.filter(created_by=z, status="pending").exists()
    assert not any(
        str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
        for s in DjangoSession.objects.all()
    )
    # What others need: kept, without her name.
    assert z.feedback_given.get().body == "Thanks! -- [erased]"
    assert z.feedback_received.filter(visibility="private").get().body == "Great work, [erased]."
    mentors_note = PrivateNote.objects.get(author=world.outsider)
    assert mentors_note.body == f"{MENTORS_PRIVATE_NOTE} ([erased])"
    assert z.answers.get().body == "[erased] says: use a holdout set"
    assert z.hackathon_ideas.get().title == "[erased]'s idea"
    assert z.lab_submissions.get().score == 3.0
    assert LabProblemReport.objects.get(person=z).text == "[erased]: typo"
    assert Enrolment.objects.filter(person=z).count() == 1
    assert Notification.objects.get(actor=z).title == "[erased] wrote you feedback"


def test_the_audit_log_keeps_her_rows_under_erased_person_and_records_the_erasure(
    client, world, zephyrine
):
    z = zephyrine
    erase(client, world.staff, z)

    label = f"erased person {z.pk}"
    read = AuditEvent.objects.get(action=AuditAction.PERSON_DATA_READ, subject=z)
    assert read.subject_label == label
    assert AuditEvent.objects.get(action=AuditAction.EXPORT, actor=z).actor_label == label
    erasure = AuditEvent.objects.get(action=AuditAction.ERASURE)
    assert erasure.actor == world.staff
    assert (erasure.subject, erasure.subject_label) == (z, label)
    assert erasure.detail == {"person_id": z.pk}


@pytest.mark.parametrize("who", ["engineer", "manager", "director", "outsider"])
def test_only_staff_may_erase(client, world, zephyrine, who):
    client.force_login(getattr(world, who).user)
    url = reverse("person-erase", args=[zephyrine.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"username": USERNAME}).status_code == 404
    zephyrine.user.refresh_from_db()
    assert zephyrine.user.username == USERNAME
    assert not AuditEvent.objects.filter(action=AuditAction.ERASURE).exists()


def test_the_service_refuses_anyone_but_staff(world, zephyrine):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        privacy.person_erase(person=zephyrine, by=world.manager.user)


def test_erasure_asks_for_the_username_first(client, world, zephyrine):
    client.force_login(world.staff.user)
    url = reverse("person-erase", args=[zephyrine.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Type their username to confirm" in page.content.decode()

    response = erase(client, world.staff, zephyrine, username="someone-else")

    assert response.status_code == 200
    assert "That is not their username." in response.content.decode()
    zephyrine.user.refresh_from_db()
    assert zephyrine.user.username == USERNAME


def test_staff_cannot_erase_themselves_or_erase_twice(client, world, zephyrine):
    response = erase(client, world.staff, world.staff)
    assert "You cannot erase yourself" in response.content.decode()
    assert world.staff.user.is_active

    erase(client, world.staff, zephyrine)
    zephyrine.refresh_from_db()
    page = client.get(reverse("person-erase", args=[zephyrine.pk]))
    assert "erased already" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE).count() == 1


# --- export -------------------------------------------------------------------------------------


def download(client, person):
    client.force_login(person.user)
    response = client.get(reverse("account-data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="cultivate-data-')
    return json.loads(response.content)


def test_the_export_holds_her_data_from_every_part(client, world, zephyrine):
    data = download(client, zephyrine)

    assert data["person_id"] == zephyrine.pk
    assert data["account"]["account"]["username"] == USERNAME
    emails = {row["email"] for row in data["account"]["account"]["email_addresses"]}
    assert emails == {EMAIL, OTHER_EMAIL}
    assert data["account"]["account"]["two_factor"] == ["totp"]
    assert data["account"]["profile"]["bio"].startswith("Hi, I am")
    mentoring = data["mentoring"]
    assert [n["body"] for n in mentoring["feedback_you_wrote"]] == [f"Thanks! -- {FIRST}"]
    assert [n["body"] for n in mentoring["feedback_for_you"]] == [f"Great work, {FIRST}."]
    assert [n["body"] for n in mentoring["your_private_notes"]] == [f"{FIRST}'s own worries"]
    assert mentoring["questions_you_asked"][0]["anonymous"] is True
    assert mentoring["sessions"][0]["notes"] == f"{FIRST} presented"
    assert mentoring["learning_time"][0]["what"] == f"{FIRST} read about drift"
    assert len(data["skills"]["assessments_of_you"]) == 2
    assert data["skills"]["evidence"][0]["title"] == f"{FULL}'s talk"
    attempt = data["labs"]["submissions"][0]
    assert set(attempt["notebook"]) == {"name", "size", "sha256"}
    assert attempt["notebook"]["size"] > 0 and len(attempt["notebook"]["sha256"]) == 64
    assert attempt["score"] == 3.0
    assert data["labs"]["ratings"][0]["stars"] == 4
    assert data["hackathons"]["ideas"][0]["title"] == f"{FIRST}'s idea"
    assert data["hackathons"]["teams"][0]["name"] == f"Team {LAST}"
    assert len(data["curriculum"]["paths"]) == 1
    assert [n["title"] for n in data["notifications"]["notifications"]] == [f"Hello {FIRST}"]
    assert data["notifications"]["preferences"][0]["email"] is False


def test_the_export_holds_nothing_private_of_others(client, world, zephyrine):
    text = json.dumps(download(client, zephyrine))

    assert MENTORS_PRIVATE_NOTE not in text
    assert MANAGERS_ONLY_NOTE not in text
    assert "x = 1" not in text  # the notebook itself: name, size and hash only
    # Secrets of her own account are not data about her either.
    assert zephyrine.user.password not in text
    assert Token.objects.get(user=zephyrine.user).key not in text


def test_the_export_is_always_ones_own_and_is_recorded(client, world, zephyrine):
    client.force_login(world.peer.user)
    response = client.get(reverse("account-data"), {"person": zephyrine.pk, "pk": zephyrine.pk})
    data = json.loads(response.content)

    assert data["person_id"] == world.peer.pk
    assert data["account"]["account"]["username"] == "peer"
    text = json.dumps(data)
    for hers in (f"{FIRST}'s own worries", EMAIL, "Hi, I am", f"{FIRST} read about drift"):
        assert hers not in text
    recorded = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=world.peer)
    assert recorded.subject == world.peer


def test_the_export_needs_a_signed_in_person(client, db):
    response = client.get(reverse("account-data"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_account_pages_link_to_the_download(client, world, zephyrine):
    client.force_login(zephyrine.user)
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("account-data")}"' in html
    assert "Download your data" in html
