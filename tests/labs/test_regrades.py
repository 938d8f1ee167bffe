"""Regrades: a new lab version imported while earlier ones have submissions; staff regrade them
against it as a batch of Celery tasks with progress; every run is kept and the learner sees
which version graded them. Issue 12, acceptance 3."""

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from labs.models import GradingRun, Regrade, Submission, SubmissionStatus
from labs.regrades import regrade_one, regrade_start, regrades_sweep
from labs.services import keep_run, lab_store, submission_adjust
from tests.labs.conftest import CORRECT, PARTIAL, REFERENCE_LAB, validated
from tests.labs.hand_graded import ESSAY
from tests.worker import wait_for


def two_versions(*, essay=False):
    """Version 1 of the reference lab, then version 2 where `test_scale` is worth 3 points."""
    spec, report = validated(REFERENCE_LAB)
    if essay:
        spec = dataclasses.replace(spec, cells=(*spec.cells, ESSAY))
    first = lab_store(spec=spec, report=report)
    cells = tuple(
        dataclasses.replace(c, points=3.0) if c.grade_id == "test_scale" else c for c in spec.cells
    )
    second = lab_store(spec=dataclasses.replace(spec, cells=cells), report=report)
    assert (first.number, second.number) == (1, 2)
    first.lab.refresh_from_db()  # its current version is the second now
    return first, second


def graded_by(version, person, answers, *, score, attempt=1):
    """A submission graded by `version` (its run kept), without running the notebook."""
    submission = Submission.objects.create(
        lab=version.lab,
        version=version,
        graded_version=version,
        person=person,
        attempt=attempt,
        answers={k: {"cell_type": "code", "source": v} for k, v in answers.items()},
        status=SubmissionStatus.GRADED,
        score=score,
        max_score=version.get_spec().max_score,
        graded_at=timezone.now(),
    )
    keep_run(submission)
    return submission


def test_a_regrade_keeps_both_runs_and_says_which_version_graded(
    org, django_capture_on_commit_callbacks
):
    first, second = two_versions()
    submission = graded_by(first, org.peer, PARTIAL, score=2)

    with django_capture_on_commit_callbacks(execute=False):
        regrade = regrade_start(lab=first.lab, by=org.staff)
    assert (regrade.version, regrade.total, regrade.submission_ids) == (second, 1, [submission.pk])

    run = regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)

    submission.refresh_from_db()
    assert run.version == second and run.status == SubmissionStatus.GRADED
    # PARTIAL gets mean_of right (2 points): scale, now worth 3, stays wrong.
    assert (submission.score, submission.max_score) == (2.0, 6.0)
    assert submission.graded_version == second and submission.version == first
    assert [(r.version.number, r.max_score) for r in submission.runs.all()] == [(1, 4.0), (2, 6.0)]
    assert submission.telemetry["regrade"] == regrade.pk
    regrade.refresh_from_db()
    assert (regrade.done, regrade.failed, regrade.finished) == (1, 0, True)
    assert regrade.finished_at is not None


def test_a_task_delivered_twice_adds_one_run(org, django_capture_on_commit_callbacks):
    first, _ = two_versions()
    submission = graded_by(first, org.peer, CORRECT, score=4)
    with django_capture_on_commit_callbacks(execute=False):
        regrade = regrade_start(lab=first.lab, by=org.staff)

    regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)
    again = regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)

    assert again is None
    assert submission.runs.count() == 2
    regrade.refresh_from_db()
    assert (regrade.done, regrade.failed) == (1, 0)
    assert Submission.objects.get(pk=submission.pk).times_graded == 1


def test_a_regrade_that_passes_adds_evidence_for_the_new_version(
    org, django_capture_on_commit_callbacks
):
    first, second = two_versions()
    submission = graded_by(first, org.peer, CORRECT, score=3)  # wrongly graded: 3 of 4
    with django_capture_on_commit_callbacks(execute=False):
        regrade = regrade_start(lab=first.lab, by=org.staff)
    regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)

    submission.refresh_from_db()
    assert submission.score == submission.max_score == 6.0
    assert org.peer.evidence.filter(source=f"labs.version:{second.pk}").exists()


def test_answers_graded_by_hand_keep_their_points_overrides_of_tests_do_not(
    org, django_capture_on_commit_callbacks
):
    first, _ = two_versions(essay=True)
    submission = graded_by(first, org.peer, PARTIAL, score=2)
    submission.results = [
        {"id": "test_spread", "title": "t", "max_points": 1.0, "points": 0.0, "passed": False}
    ]
    submission.save()
    submission_adjust(submission=submission, by=org.staff, item="essay", points=1.5)
    submission_adjust(
        submission=submission, by=org.staff, item="test_spread", points=1, comment="Close."
    )
    with django_capture_on_commit_callbacks(execute=False):
        regrade = regrade_start(lab=first.lab, by=org.staff)
    regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)

    submission.refresh_from_db()
    rows = {r["id"]: r for r in submission.results}
    assert rows["essay"]["points"] == 1.5 and rows["essay"]["manual"]
    assert rows["test_spread"]["points"] == 0 and not rows["test_spread"].get("adjusted")
    assert submission.score == 2 + 1.5


def test_only_staff_regrade_and_an_empty_regrade_is_refused(
    org, django_capture_on_commit_callbacks
):
    first, second = two_versions()
    for person in (org.manager, org.peer):
        with pytest.raises(PermissionDenied):
            regrade_start(lab=first.lab, by=person)
    with pytest.raises(ValidationError, match="Nothing to regrade"):
        regrade_start(lab=first.lab, by=org.staff)
    graded_by(second, org.peer, CORRECT, score=6)  # graded by the current version already
    with pytest.raises(ValidationError, match="Nothing to regrade"):
        regrade_start(lab=first.lab, by=org.staff)
    assert not Regrade.objects.exists()


def test_a_submission_still_in_the_queue_is_not_regraded(org, django_capture_on_commit_callbacks):
    first, _ = two_versions()
    queued = graded_by(first, org.peer, CORRECT, score=4)
    Submission.objects.filter(pk=queued.pk).update(status=SubmissionStatus.QUEUED)
    with pytest.raises(ValidationError, match="Only graded submissions"):
        regrade_start(lab=first.lab, by=org.staff, submissions=[queued.pk])


def test_the_sweeper_resends_what_a_broker_outage_dropped(org, django_capture_on_commit_callbacks):
    first, _ = two_versions()
    a = graded_by(first, org.peer, CORRECT, score=4)
    b = graded_by(first, org.engineer, CORRECT, score=4)
    with django_capture_on_commit_callbacks(execute=False):  # the broker never hears of it
        regrade = regrade_start(lab=first.lab, by=org.staff)
    regrade_one(regrade_id=regrade.pk, submission_id=a.pk)
    Regrade.objects.filter(pk=regrade.pk).update(created_at=timezone.now().replace(year=2020))

    sent = []
    from labs import regrades

    original = regrades._enqueue
    regrades._enqueue = lambda regrade_id, ids: sent.append((regrade_id, ids)) or len(ids)
    try:
        resent = regrades_sweep()
    finally:
        regrades._enqueue = original
    assert resent == [(regrade.pk, b.pk)] and sent == [(regrade.pk, [b.pk])]


# --- pages and API ---------------------------------------------------------------------------


def test_staff_start_a_regrade_from_the_lab_page_and_follow_it(
    client, org, django_capture_on_commit_callbacks
):
    first, _ = two_versions()
    submission = graded_by(first, org.peer, PARTIAL, score=2)
    client.force_login(org.staff.user)
    page = client.get(first.lab.get_absolute_url()).content.decode()
    assert "1 graded submission was graded by another version" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("labs:regrade-start", args=[first.lab.slug]),
            {"version": first.lab.current_version_id},
        )
    regrade = Regrade.objects.get()
    assert response["Location"] == regrade.get_absolute_url()
    progress = client.get(regrade.get_absolute_url()).content.decode()
    assert "0 of 1 submission regraded (0%)" in progress and "Nothing regraded yet" in progress

    regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)
    status = client.get(reverse("labs:regrade-status", args=[regrade.pk])).json()
    assert (status["done"], status["finished"], status["percent"]) == (1, True, 100)
    progress = client.get(regrade.get_absolute_url()).content.decode()
    assert "1 of 1 submission regraded (100%)" in progress
    assert f'href="{submission.get_absolute_url()}"' in progress

    client.force_login(org.peer.user)
    mine = client.get(submission.get_absolute_url()).content.decode()
    assert "regraded by version 2" in mine and "Every grading of this attempt" in mine
    assert "version 1" in mine and "(a regrade)" in mine


def test_staff_regrade_one_learners_submission_alone(
    client, org, django_capture_on_commit_callbacks
):
    first, _ = two_versions()
    one = graded_by(first, org.peer, CORRECT, score=4)
    graded_by(first, org.engineer, CORRECT, score=4)
    client.force_login(org.staff.user)
    assert "Regrade against version 2" in client.get(one.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("labs:submission-regrade", args=[one.pk]))
    assert Regrade.objects.get().submission_ids == [one.pk]


@pytest.mark.parametrize("who", ["peer", "manager", "engineer"])
def test_regrade_pages_and_actions_are_staff_only(client, org, who):
    first, _ = two_versions()
    submission = graded_by(first, org.peer, CORRECT, score=4)
    regrade = Regrade.objects.create(lab=first.lab, version=first, total=1, submission_ids=[1])
    client.force_login(getattr(org, who).user)
    assert client.get(regrade.get_absolute_url()).status_code == 404
    assert client.get(reverse("labs:regrade-status", args=[regrade.pk])).status_code == 404
    assert client.post(reverse("labs:regrade-start", args=[first.lab.slug])).status_code == 404
    assert client.post(reverse("labs:submission-regrade", args=[submission.pk])).status_code in (
        404,
    )
    assert Regrade.objects.count() == 1
    assert "Regrade" not in client.get(first.lab.get_absolute_url()).content.decode()


def test_the_api_starts_and_reports_a_regrade(org, django_capture_on_commit_callbacks):
    first, _ = two_versions()
    submission = graded_by(first, org.peer, PARTIAL, score=2)
    api = APIClient()
    api.force_authenticate(org.manager.user)
    assert api.post(f"/api/labs/{first.lab.slug}/regrades/", {}).status_code == 404

    api.force_authenticate(org.staff.user)
    assert api.post(f"/api/labs/{first.lab.slug}/regrades/", {"version": 7}).status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        started = api.post(f"/api/labs/{first.lab.slug}/regrades/", {"version": 2})
    assert started.status_code == 202, started.content
    body = started.json()
    assert (body["version"], body["total"], body["done"], body["finished"]) == (2, 1, 0, False)

    regrade_one(regrade_id=body["id"], submission_id=submission.pk)
    assert api.get(f"/api/regrades/{body['id']}/").json()["done"] == 1
    api.force_authenticate(org.peer.user)
    assert api.get(f"/api/regrades/{body['id']}/").status_code == 404
    detail = api.get(f"/api/submissions/{submission.pk}/").json()
    assert (detail["version"], detail["graded_version"]) == (1, 2)


# --- acceptance 3: fifty submissions on a real worker ----------------------------------------


@pytest.mark.worker
@pytest.mark.usefixtures("transactional_db")
def test_fifty_submissions_regrade_on_a_real_worker_with_progress(org, celery_worker):
    first, second = two_versions()
    people = [org.peer, org.engineer, org.manager, org.director, org.outsider]
    submissions = [
        graded_by(first, people[i % 5], CORRECT if i % 2 else PARTIAL, score=0, attempt=1 + i // 5)
        for i in range(50)
    ]
    api = APIClient()
    api.force_authenticate(org.staff.user)

    started = api.post(f"/api/labs/{first.lab.slug}/regrades/", {"version": 2})
    assert started.status_code == 202, started.content
    url = f"/api/regrades/{started.json()['id']}/"
    seen = []

    def finished():
        body = api.get(url).json()
        seen.append(body["done"] + body["failed"])
        return body if body["finished"] else None

    final = wait_for(finished, timeout=600, worker=celery_worker, interval=1)

    assert (final["done"], final["failed"], final["total"]) == (50, 0, 50)
    assert seen == sorted(seen) and seen[-1] == 50  # progress only goes forward
    runs = GradingRun.objects.filter(submission__in=submissions)
    assert runs.count() == 100
    for submission in submissions:
        submission.refresh_from_db()
        assert [r.version_id for r in submission.runs.all()] == [first.pk, second.pk]
        assert submission.graded_version == second
        assert submission.score == (
            6.0 if submission.answers["scale"]["source"] == CORRECT["scale"] else 2.0
        )


def test_feedback_is_rendered_on_first_view_not_while_grading(
    client, org, django_capture_on_commit_callbacks
):
    """Issue 13: the learner does not wait for nbconvert; the HTML is made once, when opened."""
    first, _ = two_versions()
    submission = graded_by(first, org.peer, PARTIAL, score=2)
    Submission.objects.filter(pk=submission.pk).update(feedback_html="<p>old grading</p>")
    with django_capture_on_commit_callbacks(execute=False):
        regrade = regrade_start(lab=first.lab, by=org.staff)
    regrade_one(regrade_id=regrade.pk, submission_id=submission.pk)

    submission.refresh_from_db()
    assert submission.feedback_html == ""  # the old grading's HTML is gone with it
    assert any("def scale" in "".join(c["source"]) for c in submission.feedback_notebook["cells"])

    client.force_login(org.peer.user)
    url = reverse("labs:submission-feedback", args=[submission.pk])
    html = client.get(url).content.decode()
    assert html.startswith("<!DOCTYPE html>") and "scale" in html and "old grading" not in html
    submission.refresh_from_db()
    assert submission.feedback_html == html  # kept: the next view serves it as it is
