"""Who is told about the grading sandbox: staff see the reduced-isolation warning on the lab pages
and on their home dashboard, learners never do, and /healthz names the mode for the operator."""

import subprocess

import pytest

from labs import executor

# Words of the operator's warning that a learner must never read.
OPERATOR_WORDS = (
    "Reduced isolation",
    "reduced isolation",
    "bubblewrap",
    "LABS_SANDBOX",
    "learners",
)


@pytest.fixture
def reduced(settings, monkeypatch):
    """No usable bubblewrap on this machine and LABS_SANDBOX=auto: reduced isolation."""
    settings.LABS_SANDBOX = "auto"
    monkeypatch.setattr(executor, "bubblewrap_works", lambda: False)


@pytest.fixture
def isolated(settings, monkeypatch):
    """bubblewrap works here (as far as the pages can tell)."""
    settings.LABS_SANDBOX = "auto"
    monkeypatch.setattr(executor, "bubblewrap_works", lambda: True)


def lab_pages(client, lab) -> list[str]:
    return [client.get(url).content.decode() for url in ("/labs/", f"/labs/{lab.slug}/")]


@pytest.mark.parametrize("role", ["engineer", "manager"])
def test_learners_never_read_the_operators_warning(reduced, reference_lab, client, org, role):
    client.force_login(getattr(org, role).user)

    pages = [*lab_pages(client, reference_lab), client.get("/").content.decode()]

    for page in pages:
        assert not [words for words in OPERATOR_WORDS if words in page]
        assert 'data-panel="labs.sandbox"' not in page


def test_a_learner_with_a_rejected_upload_reads_no_warning_either(
    reduced, reference_lab, client, org
):
    client.force_login(org.engineer.user)

    response = client.post(
        f"/labs/{reference_lab.slug}/submit/",
        {"notebook": _upload(b"not a notebook")},
    )

    assert response.status_code == 400
    assert "Reduced isolation" not in response.content.decode()


def test_staff_read_the_warning_once_on_each_lab_page_and_on_their_dashboard(
    reduced, reference_lab, client, org
):
    client.force_login(org.staff.user)

    for page in lab_pages(client, reference_lab):
        assert page.count("Reduced isolation") == 1  # the heading does not repeat itself
        assert "install bubblewrap and set LABS_SANDBOX=required" in page
    home = client.get("/").content.decode()
    assert 'data-panel="labs.sandbox"' in home
    assert "install bubblewrap and set LABS_SANDBOX=required" in home


def test_with_bubblewrap_staff_are_told_nothing(isolated, reference_lab, client, org):
    client.force_login(org.staff.user)

    pages = [*lab_pages(client, reference_lab), client.get("/").content.decode()]

    for page in pages:
        assert "Reduced isolation" not in page
    assert 'data-panel="labs.sandbox"' not in pages[-1]


@pytest.mark.parametrize(
    ("policy", "bubblewrap", "mode"),
    [
        ("auto", True, "bubblewrap"),
        ("required", True, "bubblewrap"),
        ("auto", False, "reduced"),
        ("off", True, "reduced"),
        ("required", False, "unavailable"),
    ],
)
def test_healthz_names_the_sandbox_mode_to_anyone(
    settings, monkeypatch, client, db, policy, bubblewrap, mode
):
    settings.LABS_SANDBOX = policy
    monkeypatch.setattr(executor, "bubblewrap_works", lambda: bubblewrap)

    response = client.get("/healthz")

    assert response.status_code in (200, 503)  # 503 only names what is down, never the sandbox
    assert response.json()["sandbox"] == mode


def test_healthz_still_answers_when_the_bubblewrap_probe_fails(settings, monkeypatch, client, db):
    def probe_hangs():
        raise subprocess.TimeoutExpired("bwrap", 30)

    settings.LABS_SANDBOX = "auto"
    monkeypatch.setattr(executor, "bubblewrap_works", probe_hangs)

    response = client.get("/healthz")

    assert response.json()["sandbox"] == "unavailable"


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("answers.ipynb", data, content_type="application/x-ipynb+json")
