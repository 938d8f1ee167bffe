"""Acceptance 6: every bad upload answers 400/413 with a reason and stores nothing."""

import json

import nbformat
import pytest
from rest_framework.test import APIClient

from labs.format import build_release, load_lab
from labs.models import Submission
from tests.labs.conftest import CORRECT, FIXTURES, answered_notebook


@pytest.fixture
def api(org):
    client = APIClient()
    client.force_authenticate(org.engineer.user)
    return client


def upload(api, lab, data: bytes, name="answers.ipynb"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, data, content_type="application/x-ipynb+json")
    return api.post(f"/api/labs/{lab.slug}/submissions/", {"notebook": file}, format="multipart")


def good_notebook(version) -> bytes:
    return nbformat.writes(answered_notebook(version, CORRECT)).encode()


def another_labs_notebook() -> bytes:
    return nbformat.writes(build_release(load_lab(FIXTURES / "otter_v1"))).encode()


def deep_nesting() -> bytes:
    return b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b', "nbformat": 4}'


def too_many_cells(version) -> bytes:
    notebook = answered_notebook(version, CORRECT)
    notebook.cells += [nbformat.v4.new_markdown_cell("x") for _ in range(600)]
    return nbformat.writes(notebook).encode()


BAD = {
    "not JSON": (lambda v: b"this is not a notebook", 400, "not JSON"),
    "deep nesting": (lambda v: deep_nesting(), 400, "nested too deeply"),
    "wrong schema": (
        lambda v: json.dumps(
            {"cells": [{"cell_type": "bogus"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}
        ).encode(),
        400,
        "does not follow the notebook format",
    ),
    "bad UTF-8": (lambda v: b'{"cells": [], "x": "\xff\xfe"}', 400, "not UTF-8"),
    "empty file": (lambda v: b"", 400, "empty"),
    "JSON but not a notebook": (lambda v: b"[1, 2, 3]", 400, "not a Jupyter notebook"),
    "another lab's notebook": (lambda v: another_labs_notebook(), 400, "belongs to the lab"),
    "too many cells": (too_many_cells, 400, "cells; at most 500"),
}


@pytest.mark.parametrize("case", BAD.keys())
def test_bad_uploads_are_refused_with_a_reason_and_store_nothing(case, api, reference_version):
    make, status, reason = BAD[case]

    response = upload(api, reference_version.lab, make(reference_version))

    assert response.status_code == status, response.content
    assert reason in response.json()["notebook"][0]
    assert Submission.objects.count() == 0


def test_an_oversize_file_answers_413(api, reference_version, settings):
    settings.LABS_MAX_UPLOAD_BYTES = 2_000
    data = good_notebook(reference_version)
    assert len(data) > 2_000

    response = upload(api, reference_version.lab, data)

    assert response.status_code == 413
    assert "limit" in response.json()["notebook"][0]
    assert Submission.objects.count() == 0


def test_a_missing_file_field_is_a_400(api, reference_version):
    response = api.post(
        f"/api/labs/{reference_version.lab.slug}/submissions/", {}, format="multipart"
    )

    assert response.status_code == 400
    assert "notebook" in response.json()


def test_a_good_notebook_is_stored_queued_with_its_answers_only(api, reference_version, org):
    response = upload(api, reference_version.lab, good_notebook(reference_version))

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.version == reference_version
    assert submission.person == org.engineer
    assert set(submission.answers) == {"mean_of", "scale", "spread"}


def test_attempts_are_limited_per_lab(api, reference_version, monkeypatch):
    import dataclasses

    from labs.models import LabVersion

    spec = reference_version.get_spec()
    limited = dataclasses.replace(spec, settings=dataclasses.replace(spec.settings, max_attempts=1))
    LabVersion.objects.filter(pk=reference_version.pk).update(spec=limited.to_dict())

    first = upload(api, reference_version.lab, good_notebook(reference_version))
    second = upload(api, reference_version.lab, good_notebook(reference_version))

    assert first.status_code == 201
    assert second.status_code == 409
    assert "all 1 attempts" in second.json()["notebook"][0]
    assert Submission.objects.count() == 1


def test_the_upload_page_shows_the_reason(client, org, reference_version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(org.engineer.user)
    file = SimpleUploadedFile("x.ipynb", b"not json")

    response = client.post(f"/labs/{reference_version.lab.slug}/submit/", {"notebook": file})

    assert response.status_code == 400
    assert "The file is not JSON" in response.content.decode()
    assert Submission.objects.count() == 0
