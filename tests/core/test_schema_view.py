"""`/api/schema/` under several requests at once on a fresh server: each a 200, one document."""

import json
import threading

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from core.api import SchemaView
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CALLERS = 8


def test_concurrent_first_requests_all_get_the_same_schema(monkeypatch):
    monkeypatch.setattr(SchemaView, "_schemas", {})  # as a freshly started process
    user = PersonFactory().user
    view = SchemaView.as_view()
    start = threading.Barrier(CALLERS)
    answers: list = [None] * CALLERS

    def call(index: int) -> None:
        request = APIRequestFactory().get("/api/schema/", HTTP_ACCEPT="application/json")
        force_authenticate(request, user=user)
        start.wait()
        try:
            response = view(request)
            response.render()
            answers[index] = (response.status_code, response.content)
        except Exception as error:  # a crash in a thread must fail the test, not vanish
            answers[index] = (500, repr(error).encode())

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [status for status, _ in answers] == [200] * CALLERS
    assert len({content for _, content in answers}) == 1
    schema = json.loads(answers[0][1])
    assert schema["openapi"].startswith("3.") and "/api/learning-time/" in schema["paths"]


def test_anonymous_callers_are_refused(client):
    assert client.get("/api/schema/").status_code == 401
