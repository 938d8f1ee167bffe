"""One person sends at most so many notebooks for grading a minute, page and API together; the
next is refused with a 429 in words and nothing is stored. Reading is never limited."""

import pytest
from rest_framework.test import APIClient

from labs.models import Submission
from labs.throttles import SubmissionThrottle
from tests.labs.test_uploads import good_notebook, page_reasons, page_upload, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_a_minute(monkeypatch):
    monkeypatch.setattr(SubmissionThrottle, "THROTTLE_RATES", {"submissions": "2/min"})


def api_as(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def test_the_third_notebook_in_a_minute_is_refused_and_not_stored(org, reference_version):
    lab, notebook = reference_version.lab, good_notebook(reference_version)
    api = api_as(org.engineer)
    assert [upload(api, lab, notebook).status_code for _ in range(2)] == [201, 201]

    refused = upload(api, lab, notebook)

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You have sent 2 notebooks for grading in the last")
    assert "Wait" in refused.json()["detail"]
    assert Submission.objects.count() == 2
    assert api.get(f"/api/labs/{lab.slug}/submissions/").status_code == 200  # reading is free
    assert upload(api_as(org.peer), lab, notebook).status_code == 201  # each person has their own


def test_the_page_and_the_api_share_the_limit(client, org, reference_version):
    lab, notebook = reference_version.lab, good_notebook(reference_version)
    upload(api_as(org.engineer), lab, notebook)
    client.force_login(org.engineer.user)
    assert page_upload(client, lab, notebook).status_code == 302

    refused = page_upload(client, lab, notebook)

    assert refused.status_code == 429
    assert page_reasons(refused)[0].startswith("You have sent 2 notebooks for grading")
    assert Submission.objects.count() == 2
