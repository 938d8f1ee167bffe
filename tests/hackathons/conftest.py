import pytest
from rest_framework.test import APIClient

from tests.hackathons.helpers import (  # noqa: F401 - shared with the tests of this folder
    make_event,
    make_submission,
    make_team,
    move_to,
    phase_dates,
    rate,
)


@pytest.fixture
def api():
    def client_for(person):
        client = APIClient()
        if person is not None:
            client.force_authenticate(person.user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_tasks(settings):
    """Tasks run in the test's process when enqueued (after commit), e-mail kept in memory.
    The real worker path is the same thin task; tests/test_worker* cover the broker."""
    from core.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
