"""The whole API fuzzed from its own OpenAPI schema with schemathesis (issue 15, "Fuzzing"):
every operation, signed in as an engineer and as a manager, gets requests generated from the
schema, valid and not; none may answer 5xx. Bounded: a few examples per operation, derandomised
so that a failure replays. In CI this runs on PostgreSQL, where a NUL in a text field once gave
a 500."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = 8  # per operation and role: about 900 requests a role, a minute in all


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in this process inside the test's transaction:
    as Django's own test client does, a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("role", ["engineer", "manager"])
def test_no_generated_request_gets_a_server_error(org, role, settings, wsgi_app):
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    person = getattr(org, role)
    token = Token.objects.create(user=person.user)
    auth = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=auth)
    errors: list[str] = []
    seen: list[int] = []

    for operation in operations(schema):

        @given(case=operation.as_strategy())
        @settings_for_fuzz
        def call(case):
            response = case.call(headers=auth)
            seen.append(response.status_code)
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()

    assert len(seen) > 300  # every operation was called, most more than once
    assert errors == [], f"{len(errors)} server errors, e.g. {sorted(set(errors))[:5]}"


settings_for_fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
