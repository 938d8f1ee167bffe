"""The questions board: anonymity, answers, acceptance as evidence, expert e-mails, re-raising."""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.skills.models import Evidence, EvidenceKind, Skill
from mentoring import services
from mentoring.models import Question
from tests.factories import PersonFactory
from tests.mentoring.conftest import make_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def asker(org):
    return PersonFactory(
        user__username="zqasker",
        user__first_name="Zebulon",
        user__last_name="Quartermain",
        manager=org.manager,
    )


def ask(asker, anonymous=True, skills=("coding",)):
    return services.question_create(
        author=asker,
        title="How do I test a flaky pipeline?",
        body="It *fails* sometimes.",
        skills=list(Skill.objects.filter(slug__in=skills)),
        anonymous=anonymous,
    )


def _leaks(text: str, asker) -> list[str]:
    needles = [asker.user.first_name, asker.user.last_name, asker.user.username]
    needles.append(asker.get_absolute_url())
    return [n for n in needles if n in text]


def _json_leaks(data, asker) -> list:
    found = []
    if isinstance(data, dict):
        if data.get("id") == asker.pk and "name" in data:
            found.append(data)
        if "author" in data and "title" in data:
            found.append("author key on a question")
        for value in data.values():
            found += _json_leaks(value, asker)
    elif isinstance(data, list):
        for value in data:
            found += _json_leaks(value, asker)
    return found


def test_an_anonymous_asker_is_never_shown(
    eager_tasks, org, asker, client, api, django_capture_on_commit_callbacks
):
    make_expert(org.outsider, "coding", level=3)
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(asker)
    answer = services.answer_create(question=question, author=org.outsider, body="Retry **once**.")
    services.answer_accept(question=question, answer=answer, person=asker)
    assert "Zebulon" not in mail.outbox[0].body

    pages = [
        reverse("mentoring:questions"),
        reverse("mentoring:questions") + "?unanswered=1",
        question.get_absolute_url(),
        reverse("mentoring:index"),
        reverse("mentoring:question-ask"),
    ]
    admin_pages = [
        reverse("admin:mentoring_question_changelist"),
        reverse("admin:mentoring_question_change", args=[question.pk]),
        reverse("admin:mentoring_answer_changelist"),
    ]
    endpoints = [
        reverse("api:question-list"),
        reverse("api:question-detail", args=[question.pk]),
        reverse("api:question-answers", args=[question.pk]),
    ]
    for viewer in (org.engineer, org.staff, org.manager, org.outsider):
        client.force_login(viewer.user)
        for url in pages + (admin_pages if viewer is org.staff else []):
            response = client.get(url)
            assert response.status_code == 200, url
            assert not _leaks(response.content.decode(), asker), (viewer, url)
        for url in endpoints:
            response = api(viewer).get(url)
            assert response.status_code == 200
            assert not _leaks(response.content.decode(), asker), (viewer, url)
            assert not _json_leaks(json.loads(response.content), asker), (viewer, url)
        assert client.get(reverse("mentoring:question-edit", args=[question.pk])).status_code == 404
        response = api(viewer).patch(
            reverse("api:question-detail", args=[question.pk]), {"title": "x"}, format="json"
        )
        assert response.status_code == 404

    client.force_login(asker.user)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "You asked this" in page
    assert api(asker).get(reverse("api:question-detail", args=[question.pk])).data["asked_by_you"]


def test_a_named_question_shows_its_author(org, asker, api):
    question = ask(asker, anonymous=False)
    data = api(org.engineer).get(reverse("api:question-detail", args=[question.pk])).data
    assert data["author"]["name"] == "Zebulon Quartermain"
    assert data["asked_by_you"] is False


def test_experts_are_told_after_commit_but_not_the_asker(
    eager_tasks, org, asker, django_capture_on_commit_callbacks
):
    make_expert(org.outsider, "coding", level=3)
    make_expert(org.engineer, "coding", level=2)
    make_expert(asker, "coding", level=4)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(asker)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[org.outsider.user.email]]


def test_accepting_records_mentoring_evidence_once(org, asker, api):
    question = ask(asker)
    answer = services.answer_create(question=question, author=org.outsider, body="Do this.")
    url = reverse("api:question-accept", args=[question.pk])

    assert api(org.engineer).post(url, {"answer": answer.pk}, format="json").status_code == 404
    for _ in range(2):
        response = api(asker).post(url, {"answer": answer.pk}, format="json")
        assert response.status_code == 200
    evidence = Evidence.objects.get(person=org.outsider)
    assert evidence.skill.slug == "mentoring"
    assert evidence.kind == EvidenceKind.ANSWERED_QUESTION
    assert evidence.source == f"mentoring.answer:{answer.pk}"
    assert response.data["accepted_answer"] == answer.pk


def test_answers_through_the_api_and_the_page(org, asker, api, client):
    question = ask(asker)
    url = reverse("api:question-answers", args=[question.pk])
    response = api(org.engineer).post(url, {"body": "Use `pytest-rerunfailures`."}, format="json")
    assert response.status_code == 201
    assert "<code>pytest-rerunfailures</code>" in response.data["body_html"]
    assert api(asker).post(url, {"body": "me"}, format="json").status_code == 400
    assert api(org.engineer).post(url, {"body": ""}, format="json").status_code == 400

    client.force_login(org.manager.user)
    response = client.post(question.get_absolute_url(), {"body": "Ask the team."})
    assert response.status_code == 302
    assert question.answers.count() == 2


def test_ask_and_edit_through_the_pages(org, asker, client):
    client.force_login(asker.user)
    response = client.post(
        reverse("mentoring:question-ask"), {"title": "Why?", "skills": [], "anonymous": "on"}
    )
    question = Question.objects.get()
    assert response.url == question.get_absolute_url() and question.anonymous
    response = client.post(
        reverse("mentoring:question-edit", args=[question.pk]), {"title": "Why not?", "body": ""}
    )
    question.refresh_from_db()
    assert question.title == "Why not?"
    assert client.post(reverse("mentoring:question-ask"), {"title": ""}).status_code == 400


def test_unanswered_questions_are_raised_again_once_after_48_hours(org, asker):
    make_expert(org.outsider, "coding", level=3)
    now = timezone.now()
    old = ask(asker)
    Question.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(hours=49))
    fresh = ask(asker)
    answered = ask(asker)
    Question.objects.filter(pk=answered.pk).update(created_at=now - datetime.timedelta(hours=49))
    services.answer_create(question=answered, author=org.outsider, body="Done.")
    mail.outbox.clear()

    assert services.questions_reraise(now=now) == 1
    assert [m.to for m in mail.outbox] == [[org.outsider.user.email]]
    assert "Still unanswered" in mail.outbox[0].subject
    assert services.questions_reraise(now=now + datetime.timedelta(hours=1)) == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.reraised_at == now and fresh.reraised_at is None


def test_the_periodic_task_is_scheduled(settings):
    from mentoring import tasks

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "mentoring.tasks.reraise_questions" in names
    assert tasks.reraise_questions() == 0
