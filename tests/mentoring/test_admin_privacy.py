"""The admin is no back door: staff see that sessions, action items and questions exist, never
what a pair wrote, and edit nobody's words (the pages and the API refuse them the same)."""

import pytest
from django.urls import reverse

from mentoring.models import ActionItem, Answer, Question
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

AGENDA, NOTES, ACTION = "SECRET-agenda", "SECRET-notes", "SECRET-action"


@pytest.fixture
def session():
    session = SessionFactory(agenda=AGENDA, notes=NOTES)
    ActionItem.objects.create(mentorship=session.mentorship, session=session, text=ACTION)
    return session


def admin_url(obj, view="change"):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def test_staff_never_read_a_sessions_agenda_notes_or_action_items(client, org, session):
    client.force_login(org.staff.user)
    item = session.action_items.get()
    pages = [
        reverse("admin:mentoring_session_changelist"),
        admin_url(session),
        reverse("admin:mentoring_actionitem_changelist"),
        admin_url(item),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert AGENDA not in text and NOTES not in text and ACTION not in text, url


def test_staff_cannot_edit_a_session_or_its_action_items(client, org, session):
    client.force_login(org.staff.user)
    item = session.action_items.get()
    posted = {"date": "2026-01-01", "agenda": "changed", "notes": "changed", "text": "changed"}
    assert client.post(admin_url(session), posted).status_code == 403
    assert client.post(admin_url(item), posted).status_code == 403
    session.refresh_from_db()
    item.refresh_from_db()
    assert (session.agenda, session.notes, item.text) == (AGENDA, NOTES, ACTION)


def test_staff_cannot_edit_an_anonymous_question_or_an_answer(client, org):
    question = Question.objects.create(author=org.engineer, title="Why?", anonymous=True)
    answer = Answer.objects.create(question=question, author=org.peer, body="Because.")
    client.force_login(org.staff.user)
    response = client.post(admin_url(question), {"title": "Edited by staff", "body": "x"})
    assert response.status_code == 403
    assert client.post(admin_url(answer), {"body": "Edited by staff"}).status_code == 403
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.title == "Why?" and answer.body == "Because."
    page = client.get(admin_url(question)).content.decode()
    assert org.engineer.user.username not in page  # the asker stays hidden
