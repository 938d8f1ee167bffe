"""Acceptance 3: who reads each feedback note and each private session note, through the pages
and the API, role by role. Everyone else gets 404."""

import datetime

import pytest
from django.urls import reverse

from mentoring.models import FeedbackNote, PrivateNote, Session
from tests.factories import PersonFactory
from tests.mentoring.conftest import active_mentorship, open_mentor

pytestmark = pytest.mark.django_db

ROLES = [
    "author",
    "recipient",
    "recipients_manager",
    "other_manager",
    "mentor",
    "outsider",
    "staff",
]

WHO_READS = {
    "private": {"author", "recipient"},
    "with_managers": {"author", "recipient", "recipients_manager"},
    "managers_only": {"author", "recipients_manager"},
}


@pytest.fixture
def cast(org):
    """recipient = peer (manager → director above), author = engineer (a colleague), mentor =
    the outsider (active mentor of peer), another manager with a report of their own."""
    open_mentor(org.outsider)
    mentorship = active_mentorship(org.outsider, org.peer)
    other_manager = PersonFactory(user__username="other-manager", career_stage="staff")
    PersonFactory(manager=other_manager)
    return {
        "author": org.engineer,
        "recipient": org.peer,
        "recipients_manager": org.manager,
        "other_manager": other_manager,
        "mentor": org.outsider,
        "outsider": PersonFactory(user__username="stranger"),
        "staff": org.staff,
        "mentorship": mentorship,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visibility", list(WHO_READS))
def test_feedback_note_visibility(visibility, role, cast, client, api):
    note = FeedbackNote.objects.create(
        author=cast["author"],
        recipient=cast["recipient"],
        category="collaboration",
        kind="constructive",
        body="Share the design doc **earlier**.",
        visibility=visibility,
    )
    reader = cast[role]
    client.force_login(reader.user)
    may_read = role in WHO_READS[visibility]

    page = client.get(reverse("mentoring:feedback-note", kwargs={"pk": note.pk}))
    detail = api(reader).get(f"/api/feedback-notes/{note.pk}/")
    listed = api(reader).get("/api/feedback-notes/").json()
    feedback_page = client.get(reverse("mentoring:feedback")).content.decode()

    assert page.status_code == (200 if may_read else 404)
    assert detail.status_code == (200 if may_read else 404)
    assert (note.pk in [n["id"] for n in listed["results"]]) == may_read
    assert (note.get_absolute_url() in feedback_page) == may_read
    assert FeedbackNote.objects.visible_to(reader.user).filter(pk=note.pk).exists() == may_read
    if may_read:
        assert "<strong>earlier</strong>" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("author_role", ["mentor", "recipient"])
def test_private_session_notes_are_for_their_author_only(author_role, role, cast, client, api):
    session = Session.objects.create(mentorship=cast["mentorship"], date=datetime.date(2026, 2, 3))
    secret = f"private thoughts of the {author_role}"
    PrivateNote.objects.create(session=session, author=cast[author_role], body=secret)
    reader = cast[role]
    client.force_login(reader.user)
    in_session = role in {"mentor", "recipient"}  # mentor and mentee

    page = client.get(reverse("mentoring:session", kwargs={"pk": session.pk}))
    detail = api(reader).get(f"/api/mentoring-sessions/{session.pk}/")
    note = api(reader).get(f"/api/mentoring-sessions/{session.pk}/private-note/")
    sessions = api(reader).get(f"/api/mentorships/{cast['mentorship'].pk}/sessions/")

    assert page.status_code == (200 if in_session else 404)
    assert detail.status_code == (200 if in_session else 404)
    everything = page.content.decode() + detail.content.decode() + sessions.content.decode()
    assert (secret in everything) == (role == author_role)
    assert note.status_code == (200 if role == author_role else 404)
    assert PrivateNote.objects.visible_to(reader.user).exists() == (role == author_role)


def test_the_admin_never_shows_private_notes_or_feedback_bodies(cast, client):
    session = Session.objects.create(mentorship=cast["mentorship"], date=datetime.date(2026, 2, 3))
    private = PrivateNote.objects.create(session=session, author=cast["mentor"], body="SECRET-1")
    note = FeedbackNote.objects.create(
        author=cast["author"],
        recipient=cast["recipient"],
        category="other",
        kind="praise",
        body="SECRET-2",
        visibility="private",
    )
    client.force_login(cast["staff"].user)

    pages = [
        client.get(reverse("admin:mentoring_privatenote_change", args=[private.pk])),
        client.get(reverse("admin:mentoring_privatenote_changelist")),
        client.get(reverse("admin:mentoring_feedbacknote_change", args=[note.pk])),
        client.get(reverse("admin:mentoring_feedbacknote_changelist")),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "SECRET" not in page.content.decode()


def test_the_recipient_acknowledges_and_nobody_else_can(cast, api):
    note = FeedbackNote.objects.create(
        author=cast["author"],
        recipient=cast["recipient"],
        category="coding",
        kind="praise",
        body="Good.",
        visibility="with_managers",
    )

    assert (
        api(cast["recipients_manager"])
        .post(f"/api/feedback-notes/{note.pk}/acknowledge/")
        .status_code
        == 404
    )
    response = api(cast["recipient"]).post(f"/api/feedback-notes/{note.pk}/acknowledge/")

    assert response.status_code == 200
    assert response.json()["acknowledged_at"]


def test_a_feedback_request_is_answered_by_a_note(cast, api):
    asked = api(cast["recipient"]).post(
        "/api/feedback-requests/",
        {"asked": cast["author"].pk, "about": "My code reviews"},
        format="json",
    )
    request_id = asked.json()["id"]

    answer = api(cast["author"]).post(
        "/api/feedback-notes/",
        {
            "recipient": cast["recipient"].pk,
            "category": "coding",
            "kind": "praise",
            "body": "Thorough.",
            "request": request_id,
        },
        format="json",
    )

    assert answer.status_code == 201
    requests = api(cast["recipient"]).get("/api/feedback-requests/").json()["results"]
    assert requests[0]["status"] == "answered"
