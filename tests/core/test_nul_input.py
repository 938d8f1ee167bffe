"""A NUL character in any input is a 400 in the product's words, and saves nothing.

PostgreSQL cannot store or compare text holding a NUL (psycopg raises DataError): found by
fuzzing the API, `POST /api/learning-time/` answered 500 on PostgreSQL with one in a field. On
SQLite these tests check the same answers; in CI they run on PostgreSQL, where the 500 was.
"""

import pytest
from django.db import DataError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.middleware import NUL_MESSAGE, RefuseNulMiddleware
from mentoring.models import LearningEntry, Question

pytestmark = pytest.mark.django_db

NUL = "\x00"


def api_as(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


@pytest.mark.parametrize(
    "field, value",
    [("what", f"Read{NUL}ing"), ("skill", f"coding{NUL}"), ("date", f"2026-01-01{NUL}")],
)
def test_the_learning_time_api_refuses_a_nul_in_any_field(org, field, value):
    body = {"date": timezone.localdate().isoformat(), "minutes": 30, "what": "Reading"}
    response = api_as(org.engineer).post(
        reverse("api:learning-entry-list"), {**body, field: value}, format="json"
    )
    assert response.status_code == 400
    assert not LearningEntry.objects.exists()


def test_a_nul_in_a_json_key_or_a_nested_value_is_refused_with_words(org):
    response = api_as(org.engineer).post(
        reverse("api:learning-entry-list"),
        {"date": "2026-01-01", "minutes": 30, "what": "x", f"extra{NUL}": [{"a": NUL}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE}
    assert not LearningEntry.objects.exists()


def test_a_nul_in_a_query_string_is_a_400_page_not_a_500(client, org):
    client.force_login(org.engineer.user)
    response = client.get(reverse("people-directory"), {"q": f"am{NUL}ara"})
    assert response.status_code == 400
    assert "cannot contain the NUL character" in response.content.decode()
    api = api_as(org.engineer).get(reverse("api:person-list"), {"search": NUL})
    assert api.status_code == 400 and api.json() == {"detail": NUL_MESSAGE}


def test_a_nul_in_a_form_saves_nothing(client, org):
    client.force_login(org.engineer.user)
    response = client.post(
        reverse("mentoring:question-ask"), {"title": f"Why{NUL}?", "body": "Because"}
    )
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_a_nul_that_still_reaches_the_database_is_a_400():
    """The last line: psycopg's refusal, wherever it comes from, is answered 400."""

    middleware = RefuseNulMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/api/anything/")
    response = middleware.process_exception(request, DataError("cannot contain NUL (0x00)"))
    assert response.status_code == 400
    other = middleware.process_exception(request, DataError("value too long"))
    assert other is None  # any other DataError is a real bug: it stays a 500 and is logged
