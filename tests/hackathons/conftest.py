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
