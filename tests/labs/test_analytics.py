"""Lab analytics and grading health (issue 12): the figures against a lab seeded with known,
varied results (pass rate per test, the score distribution, time to complete, failures, limits
hit, flaky tests), the hourly health buckets, the pages and the API for staff only, and a query
count that does not grow with the number of submissions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from labs.analytics import grading_health, lab_analytics
from labs.models import GradingRun, LabVersion, Regrade, Submission, SubmissionStatus
from tests.labs.test_results import make_lab

GRADED, REVIEW = SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW
FAILED, QUEUED = SubmissionStatus.FAILED, SubmissionStatus.QUEUED
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MINUTE, HOUR, DAY = (datetime.timedelta(**{unit: 1}) for unit in ("minutes", "hours", "days"))

MEAN, SCALE, SPREAD = "test_mean_of", "test_scale", "test_spread"
POINTS = {MEAN: 2.0, SCALE: 1.0, SPREAD: 1.0}
MESSAGES = {MEAN: "mean is off", SCALE: "scale is off", SPREAD: "`spread` is off."}
EVERYTHING = (MEAN, SCALE, SPREAD)


def results(failing=()) -> list[dict]:
    return [
        {
            "id": test,
            "title": test,
            "max_points": points,
            "hidden": False,
            "points": 0.0 if test in failing else points,
            "passed": test not in failing,
            "message": MESSAGES[test] if test in failing else "Passed.",
        }  # fmt: skip
        for test, points in POINTS.items()
    ]


def timing(queue=None, seconds=None, limits=(), ended="finished") -> dict:
    """Telemetry as the grader writes it; queue=None leaves the key out, as older rows do."""
    telemetry = {"seconds": seconds, "cells": [], "limits_hit": list(limits), "ended": ended}
    if queue is not None:
        telemetry["queue_seconds"] = queue
    return telemetry


def submit(lab, person, *, code, failing=(), status=GRADED, at=T0, graded_after=5 * MINUTE,
           telemetry=None, run=True, run_status=None):  # fmt: skip
    """A submission of `code` with its grade; and its first grading run, unless run=False (a
    submission graded before there were runs)."""
    graded = status in (GRADED, REVIEW)
    rows = results(failing) if graded else []
    submission = Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        graded_version=lab.current_version,
        person=person,
        attempt=Submission.objects.filter(lab=lab, person=person).count() + 1,
        answers={"mean_of": {"cell_type": "code", "source": code}},
        status=status,
        score=sum(r["points"] for r in rows) if graded else None,
        max_score=4,
        results=rows,
        telemetry=telemetry or {},
    )
    graded_at = None if status == QUEUED else at + graded_after
    Submission.objects.filter(pk=submission.pk).update(created_at=at, graded_at=graded_at)
    if run:
        grading_run(submission, failing=failing, status=run_status or status, telemetry=telemetry)
    return submission


def grading_run(submission, *, failing=(), status=GRADED, telemetry=None, regrade=None,
                version=None, at=None):  # fmt: skip
    rows = results(failing)
    run = GradingRun.objects.create(
        submission=submission,
        version=version or submission.version,
        regrade=regrade,
        status=status,
        score=sum(r["points"] for r in rows),
        max_score=4,
        results=rows,
        telemetry=telemetry or {},
    )
    if at is not None:
        GradingRun.objects.filter(pk=run.pk).update(created_at=at)
    return run


@pytest.fixture
def lab(org):
    """Pass at 80% of 4 points (mean_of 2, scale 1, spread 1). Code "A" is graded twice (the
    engineer's and the peer's identical notebooks) and scale disagrees: flaky. Code "C" is
    regraded against the same version and spread disagrees: flaky. Code "B" is graded three
    times: twice the same, once by a kernel that never started (left out)."""
    lab = make_lab(passing_score=80, max_attempts=0)
    e, p, o, d = org.engineer, org.peer, org.outsider, org.director
    # The engineer: 50%, then 100% a day later: passed after 1 day 5 minutes.
    lab.s1 = submit(lab, e, code="A", failing=(SCALE, SPREAD), telemetry=timing(2, 10))
    lab.s2 = submit(lab, e, code="B", at=T0 + DAY, telemetry=timing(4, 12))
    # The peer: 75%, not enough; a cell ran out of time.
    lab.s3 = submit(
        lab,
        p,
        code="A",
        failing=(SPREAD,),
        graded_after=3 * HOUR,
        telemetry=timing(6, 30, limits=["cell_timeout"], ended="timed_out"),
    )
    # The outsider: 0% at first (an older row: no queue time, no ending), regraded to 25%
    # and waiting for a sign-off; a grading that never started; then 100% graded before
    # there were runs: passed after 1 hour 5 minutes; then one still in the queue.
    regraded = timing(1000, 50)
    lab.s4 = submit(lab, o, code="C", failing=(MEAN, SCALE), status=REVIEW, run=False,
                    telemetry=regraded)  # fmt: skip
    grading_run(lab.s4, failing=EVERYTHING, status=REVIEW, telemetry={"seconds": 8})
    again = Regrade.objects.create(lab=lab, version=lab.current_version, total=1, done=1)
    grading_run(lab.s4, failing=(MEAN, SCALE), status=REVIEW, telemetry=regraded, regrade=again)
    lab.s5 = submit(lab, o, code="B", status=FAILED, at=T0 + 2 * HOUR, graded_after=MINUTE,
                    telemetry=timing(1, 0, ended="not_started"))  # fmt: skip
    GradingRun.objects.filter(submission=lab.s5).update(results=results(EVERYTHING))
    lab.s7 = submit(lab, o, code="B", at=T0 + HOUR, run=False, telemetry=timing(5, 11))
    submit(lab, o, code="E", status=QUEUED, at=T0 + 3 * HOUR, run=False)
    # The director: 100% ten minutes after submitting.
    submit(lab, d, code="D", graded_after=10 * MINUTE, telemetry=timing(3, 9))
    return lab


# --- The figures ------------------------------------------------------------------------------


def test_pass_rate_per_test_against_known_results(lab):
    figures = lab_analytics(lab)

    # Graded or waiting for a sign-off: s1, s2, s3, s4 (its current, regraded grade), s7, s8.
    assert (figures.submissions, figures.graded) == (8, 6)
    rates = {t.grade_id: (t.passed, t.attempts, t.pass_rate) for t in figures.tests}
    assert rates == {MEAN: (5, 6, 83.3), SCALE: (4, 6, 66.7), SPREAD: (4, 6, 66.7)}
    assert [t.title for t in figures.tests] == [
        "mean_of works",
        "scale maps to [0, 1]",
        "spread, judged outside the kernel",
    ]


def test_flaky_tests_are_those_that_disagreed_on_identical_code(lab):
    figures = lab_analytics(lab)

    flaky = {t.grade_id: (t.groups, t.compared) for t in figures.flaky}
    # Groups graded at least twice: A (s1, s3), B (s2, s7; the unstarted grading left out),
    # C (s4 and its regrade). Mean never disagreed, even with the unstarted grading of B.
    assert figures.groups_compared == 3
    assert flaky == {SCALE: (1, 3), SPREAD: (1, 3)}
    examples = {t.grade_id: [s.pk for s in t.examples] for t in figures.flaky}
    assert examples == {SCALE: [lab.s3.pk, lab.s1.pk], SPREAD: [lab.s4.pk]}


def test_identical_code_against_another_version_is_not_compared(org):
    lab = make_lab(passing_score=80)
    other = LabVersion.objects.create(
        lab=lab,
        number=2,
        content_hash="another",
        source_format="native",
        spec=lab.current_version.spec,
        release={},
    )
    first = submit(lab, org.engineer, code="A")
    grading_run(first, failing=(SCALE,), version=other)

    figures = lab_analytics(lab)

    assert (figures.groups_compared, figures.flaky) == (0, [])


def test_score_distribution_in_ten_bins(lab):
    figures = lab_analytics(lab)

    # 25% (s4), 50% (s1), 75% (s3), and 100% three times, in the last bin.
    assert [b.count for b in figures.histogram] == [0, 0, 1, 0, 0, 1, 0, 1, 0, 3]
    assert [b.label for b in figures.histogram][::9] == ["0–10%", "90–100%"]
    assert figures.histogram[9].share == 50.0


def test_median_time_to_complete_over_the_learners_who_passed(lab):
    figures = lab_analytics(lab)

    # The director in 10 minutes, the outsider in 1 hour 5, the engineer in 1 day 5 minutes;
    # the peer has not passed (75% of the 80% asked).
    assert (figures.learners_passed, figures.learners, figures.pass_share) == (3, 4, 75.0)
    assert figures.median_time_to_complete == HOUR + 5 * MINUTE
    assert figures.time_to_complete == "1 hour, 5 minutes"


def test_medians_of_queue_wait_and_execution_over_first_gradings(lab):
    figures = lab_analytics(lab)

    # Waits 2, 4, 6, 1, 3 and 5 (s4's first grading recorded none; its regrade's 1000 s is
    # left out); durations 10, 12, 30, 8, 0, 11 and 9.
    assert (figures.median_queue_seconds, figures.median_seconds, figures.timed) == (3.5, 10, 7)


def test_most_common_failure_messages(lab):
    figures = lab_analytics(lab)

    failures = {(f.title, f.message): f.count for f in figures.common_failures}
    assert failures == {
        ("spread, judged outside the kernel", "`spread` is off."): 2,
        ("scale maps to [0, 1]", "scale is off"): 2,
        ("mean_of works", "mean is off"): 1,
    }
    assert [f.count for f in figures.common_failures] == [2, 2, 1]


def test_runs_that_hit_limits_the_most_recent_first(lab):
    figures = lab_analytics(lab)

    assert figures.limit_hit_count == 2
    assert [hit.submission.pk for hit in figures.limit_hits] == [lab.s5.pk, lab.s3.pk]
    assert [hit.words for hit in figures.limit_hits] == [
        "The kernel did not start",
        "A cell ran out of time; timed out",
    ]
    assert {c.what: c.submissions for c in figures.limit_counts} == {
        "a cell ran out of time": 1,
        "timed out": 1,
        "the kernel did not start": 1,
    }


def test_a_lab_nobody_submitted(org):
    figures = lab_analytics(make_lab())

    assert (figures.submissions, figures.graded, figures.learners) == (0, 0, 0)
    assert figures.pass_share is None and figures.median_time_to_complete is None
    assert [t.pass_rate for t in figures.tests] == [None, None, None]
    assert figures.flaky == [] and figures.limit_hits == []


def seed_many(lab, people, count: int) -> None:
    """`count` graded submissions, each with a run, some hitting limits, pairs of identical
    code disagreeing."""
    submissions = Submission.objects.bulk_create(
        Submission(
            lab=lab,
            version=lab.current_version,
            person=people[i % len(people)],
            attempt=i // len(people) + 1,
            answers={},
            answers_digest=f"{i // 2:064x}",
            status=GRADED,
            score=3,
            max_score=4,
            results=results((SCALE,) if i % 2 else ()),
            telemetry=timing(i, 5, limits=["output"] if i % 3 == 0 else []),
        )
        for i in range(count)
    )
    GradingRun.objects.bulk_create(
        GradingRun(
            submission=s,
            version=lab.current_version,
            status=GRADED,
            results=s.results,
            telemetry=s.telemetry,
        )
        for s in submissions
    )


def test_the_query_count_does_not_grow_with_the_submissions(org):
    people = [org.engineer, org.peer, org.outsider, org.director]
    small, large = make_lab(), make_lab(slug="many", title="Many")
    seed_many(small, people, 10)
    seed_many(large, people, 200)

    counts = []
    for lab in (small, large):
        with CaptureQueriesContext(connection) as queries:
            figures = lab_analytics(lab)
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        grading_health()

    assert figures.graded == 200 and len(figures.flaky) == 1
    assert counts[0] == counts[1] <= 5
    assert len(queries) <= 3


# --- Grading health ---------------------------------------------------------------------------

NOW = datetime.datetime(2026, 3, 2, 12, 30, tzinfo=datetime.UTC)


@pytest.fixture
def day_of_grading(org):
    lab = make_lab(slug="busy", title="Busy")
    submission = submit(lab, org.engineer, code="A", run=False)
    regrade = Regrade.objects.create(lab=lab, version=lab.current_version)
    for at, status, telemetry, again in [
        (NOW - 10 * MINUTE, GRADED, timing(2), None),  # 12:20
        (NOW - 25 * MINUTE, REVIEW, timing(4), None),  # 12:05
        (NOW - 50 * MINUTE, FAILED, timing(10), None),  # 11:40
        (NOW - 80 * MINUTE, GRADED, timing(6, ended="not_started"), None),  # 11:10: failed
        (NOW - 75 * MINUTE, GRADED, timing(999), regrade),  # 11:15: no wait counted
        (NOW - 5 * HOUR, GRADED, {}, None),  # 07:30, before queue times were kept
        (NOW - 25 * HOUR, GRADED, timing(1), None),  # yesterday 11:30: too old
        (NOW + HOUR, GRADED, timing(1), None),  # after `now`
    ]:
        grading_run(submission, status=status, telemetry=telemetry, regrade=again, at=at)
    submit(lab, org.peer, code="B", status=QUEUED, at=NOW - 3 * MINUTE, run=False)
    submit(lab, org.peer, code="C", status=QUEUED, at=NOW - 2 * MINUTE, run=False)
    submit(lab, org.outsider, code="D", status=SubmissionStatus.RUNNING, run=False)
    return lab


def test_health_buckets_by_hour(day_of_grading):
    health = grading_health(now=NOW)

    assert (health.queued, health.running, health.depth) == (2, 1, 3)
    assert health.oldest_queued_at == NOW - 3 * MINUTE
    assert len(health.hours) == 24
    assert health.since == datetime.datetime(2026, 3, 1, 13, 0, tzinfo=datetime.UTC)
    by_hour = {
        h.start.hour: (h.graded, h.failed, h.failure_rate, h.median_queue_seconds)
        for h in health.hours
        if h.gradings
    }
    assert by_hour == {12: (2, 0, 0.0, 3.0), 11: (1, 2, 66.7, 8.0), 7: (1, 0, 0.0, None)}
    assert (health.graded, health.failed, health.failure_rate) == (4, 2, 33.3)
    assert health.median_queue_seconds == 5.0  # of 2, 4, 10 and 6


def test_health_hours_follow_the_time_zone(day_of_grading, settings):
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+05:30: hours start at half past, in UTC

    health = grading_health(now=NOW)

    assert health.hours[-1].start == NOW  # 18:00 in Kolkata, nothing graded since
    buckets = [(h.graded, h.failed) for h in health.hours[-3:]]
    assert buckets == [(1, 1), (2, 1), (0, 0)]  # 16:30, 17:30 and 18:00 in Kolkata


def test_health_with_nothing_graded(db):
    health = grading_health(now=NOW)

    assert (health.depth, health.gradings, health.failure_rate) == (0, 0, None)
    assert all(h.gradings == 0 for h in health.hours)


# --- Pages and API ----------------------------------------------------------------------------


def test_the_analytics_page_shows_the_figures(client, org, lab):
    client.force_login(org.staff.user)

    response = client.get(reverse("labs:analytics", kwargs={"slug": lab.slug}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 of 4 learners passed (75%)" in page
    assert "1 hour, 5 minutes (the median over the 3 learners who passed" in page
    assert "5 of 6 submissions" in page and "83.3%" in page
    assert "`spread` is off." in page
    assert 'id="score-chart"' in page and page.count("<rect") >= 10
    assert reverse("labs:submission", kwargs={"pk": lab.s5.pk}) in page
    assert org.outsider.get_absolute_url() in page
    assert "in 1 of 3 groups of identical code" in page


def test_the_analytics_page_of_a_lab_nobody_submitted(client, org):
    lab = make_lab()
    client.force_login(org.staff.user)

    page = client.get(reverse("labs:analytics", kwargs={"slug": lab.slug})).content.decode()

    assert "No graded submissions yet." in page
    assert "Nobody has submitted this lab yet." in page
    assert "No run has hit a limit." in page


def test_the_health_page_shows_the_numbers_beside_the_charts(
    client, org, day_of_grading, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    client.force_login(org.staff.user)

    page = client.get(reverse("labs:health")).content.decode()

    assert "3 submissions in the queue: 2 waiting for a worker, 1 being graded." in page
    assert 'id="throughput-chart"' in page and 'id="health-hours"' in page
    assert "<strong>4</strong> submissions graded, 2 more failed to grade." in page
    assert "33.3%</strong>: 2 of 6 gradings failed." in page
    assert "A median of <strong>5.0 s</strong>" in page
    assert page.count('class="bar-chart__bar bar-chart__bar--bad"') == 24


def test_the_health_page_with_nothing_graded(client, org):
    client.force_login(org.staff.user)

    page = client.get(reverse("labs:health")).content.decode()

    assert "The queue is empty" in page
    assert "Nothing was graded in the last 24 hours." in page


@pytest.mark.parametrize("role", ["engineer", "manager", "director"])
def test_only_staff_see_analytics_and_health(client, org, lab, role):
    client.force_login(getattr(org, role).user)
    api = APIClient()
    api.force_authenticate(getattr(org, role).user)
    detail = client.get(reverse("labs:detail", kwargs={"slug": lab.slug})).content.decode()
    index = client.get(reverse("labs:index")).content.decode()

    assert client.get(reverse("labs:analytics", kwargs={"slug": lab.slug})).status_code == 404
    assert client.get(reverse("labs:health")).status_code == 404
    assert api.get(reverse("api:lab-analytics", kwargs={"slug": lab.slug})).status_code == 404
    assert api.get(reverse("api:grading-health")).status_code == 404
    assert 'id="analytics-link"' not in detail and 'id="health-link"' not in index


def test_staff_find_the_pages_from_the_labs(client, org, lab):
    client.force_login(org.staff.user)
    detail = client.get(reverse("labs:detail", kwargs={"slug": lab.slug})).content.decode()
    index = client.get(reverse("labs:index")).content.decode()

    assert reverse("labs:analytics", kwargs={"slug": lab.slug}) in detail
    assert reverse("labs:health") in index


def test_the_api_gives_staff_the_same_figures(org, lab, day_of_grading):
    api = APIClient()
    api.force_authenticate(org.staff.user)

    figures = api.get(reverse("api:lab-analytics", kwargs={"slug": lab.slug})).json()
    health = api.get(reverse("api:grading-health")).json()

    assert figures["lab"] == lab.slug
    assert (figures["learners_passed"], figures["learners"]) == (3, 4)
    rates = {t["grade_id"]: t["pass_rate"] for t in figures["tests"]}
    assert rates == {MEAN: 83.3, SCALE: 66.7, SPREAD: 66.7}
    assert [b["count"] for b in figures["histogram"]] == [0, 0, 1, 0, 0, 1, 0, 1, 0, 3]
    assert figures["median_time_to_complete"] == 3900
    assert {t["grade_id"] for t in figures["flaky"]} == {SCALE, SPREAD}
    assert figures["limit_hits"][0]["submission"]["id"] == lab.s5.pk
    # The lab's own queued submission, and the busy lab's two.
    assert (health["queued"], health["running"], len(health["hours"])) == (3, 1, 24)


def test_anonymous_api_calls_get_401(lab):
    api = APIClient()

    assert api.get(reverse("api:lab-analytics", kwargs={"slug": lab.slug})).status_code == 401
    assert api.get(reverse("api:grading-health")).status_code == 401


def test_learners_ratings_and_reports_show_beside_the_analytics(client, org):
    """Authors see what learners say next to the figures (labs.ratings)."""
    from labs.models import LabProblemReport, LabRating

    lab = make_lab()
    LabRating.objects.create(lab=lab, version=lab.current_version, person=org.peer, stars=4)
    LabRating.objects.create(lab=lab, version=lab.current_version, person=org.engineer, stars=2)
    LabProblemReport.objects.create(
        lab=lab, version=lab.current_version, person=org.peer, text="Check 2 is off by one."
    )
    client.force_login(org.staff.user)

    page = client.get(reverse("labs:analytics", args=[lab.slug])).content.decode()

    assert "What learners say" in page and "3.0 of 5 from 2 learners" in page
    assert "Check 2 is off by one." in page
