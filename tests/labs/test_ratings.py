"""Learners' feedback on labs: ratings after grading, problem reports, and what authors read."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from labs import ratings
from labs.format import load_lab
from labs.models import LabProblemReport, LabRating, LabVersion, Submission, SubmissionStatus
from labs.services import lab_store
from tests.factories import PersonFactory
from tests.labs.conftest import REFERENCE_LAB


@pytest.fixture
def lab(db):
    # Stored without the sandbox validation: these tests are about feedback, not grading.
    return lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab


def attempt(lab, person, status=SubmissionStatus.GRADED, *, number=1, version=None):
    return Submission.objects.create(
        lab=lab,
        version=version or lab.current_version,
        person=person,
        attempt=number,
        answers={},
        status=status,
        score=3 if status != SubmissionStatus.QUEUED else None,
        max_score=4,
    )


def second_version(lab) -> LabVersion:
    first = lab.current_version
    version = LabVersion.objects.create(
        lab=lab,
        number=2,
        content_hash="2" * 64,
        source_format=first.source_format,
        spec=first.spec,
        release=first.release,
    )
    lab.current_version = version
    lab.save()
    return version


def api_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- rating ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statuses", [[], [SubmissionStatus.QUEUED], [SubmissionStatus.FAILED, SubmissionStatus.RUNNING]]
)
def test_rating_needs_an_attempt_that_was_graded(lab, org, statuses):
    for number, status in enumerate(statuses, start=1):
        attempt(lab, org.engineer, status, number=number)

    with pytest.raises(ValidationError, match="after one of your attempts is graded"):
        ratings.lab_rate(lab=lab, person=org.engineer, stars=4)

    assert not LabRating.objects.exists()


@pytest.mark.parametrize(
    "status",
    [SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW, SubmissionStatus.REJECTED],
)
def test_a_graded_attempt_waiting_or_sent_back_lets_the_learner_rate(lab, org, status):
    attempt(lab, org.engineer, status)

    rating = ratings.lab_rate(lab=lab, person=org.engineer, stars=4, comment="  Clear.  ")

    assert (rating.stars, rating.comment) == (4, "Clear.")


def test_rating_again_replaces_it_and_keeps_the_version_last_submitted_to(lab, org):
    attempt(lab, org.engineer)
    ratings.lab_rate(lab=lab, person=org.engineer, stars=2, comment="Too long.")
    v2 = second_version(lab)
    attempt(lab, org.engineer, SubmissionStatus.QUEUED, number=2, version=v2)

    ratings.lab_rate(lab=lab, person=org.engineer, stars=5)

    rating = LabRating.objects.get()
    assert (rating.stars, rating.comment, rating.version) == (5, "", v2)
    assert ratings.my_rating(lab, org.engineer) == rating
    assert ratings.my_rating(lab, org.peer) is None


@pytest.mark.parametrize("stars", [0, 6, -1, "5", 4.5, True, None])
def test_stars_outside_1_to_5_are_refused(lab, org, stars):
    attempt(lab, org.engineer)

    with pytest.raises(ValidationError) as refused:
        ratings.lab_rate(lab=lab, person=org.engineer, stars=stars)

    assert refused.value.message_dict == {"stars": ["Rate the lab from 1 to 5 stars."]}
    assert not LabRating.objects.exists()


def test_a_comment_over_2000_characters_is_refused(lab, org):
    attempt(lab, org.engineer)

    with pytest.raises(ValidationError, match="Keep the comment to 2,000 characters"):
        ratings.lab_rate(lab=lab, person=org.engineer, stars=3, comment="x" * 2001)


def test_the_learner_rates_from_their_submission_page(lab, org, client):
    submission = attempt(lab, org.engineer)
    client.force_login(org.engineer.user)
    html = page(client, submission.get_absolute_url())
    assert "Rate this lab" in html and "Report a problem" in html
    for label in ["1 — poor", "2 — fair", "3 — good", "4 — very good", "5 — excellent"]:
        assert label in html
    assert 'type="radio" name="stars"' in html

    response = client.post(
        reverse("labs:rate", args=[lab.slug]),
        {"stars": "4", "comment": "Good data.", "next": submission.get_absolute_url()},
        follow=True,
    )

    assert response.redirect_chain == [(submission.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Thank you: you rated" in html
    assert "You rated it 4 of 5" in html and "Good data." in html
    assert re.search(r'name="stars" value="4"[^>]* checked', html)  # the form shows it
    assert LabRating.objects.get().stars == 4


def test_a_rating_page_with_errors_keeps_what_was_typed(lab, org, client):
    submission = attempt(lab, org.engineer)
    client.force_login(org.engineer.user)

    response = client.post(
        reverse("labs:rate", args=[lab.slug]),
        {"stars": "9", "comment": "Words I typed", "next": submission.get_absolute_url()},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Rate the lab from 1 to 5 stars." in html and "Words I typed" in html
    assert f'name="next" value="{submission.get_absolute_url()}"' in html
    assert not LabRating.objects.exists()


def test_rating_before_a_graded_attempt_is_refused_on_the_page(lab, org, client):
    client.force_login(org.engineer.user)

    response = client.post(reverse("labs:rate", args=[lab.slug]), {"stars": "5"})

    assert response.status_code == 400
    assert "Rate the lab after one of your attempts is graded." in response.content.decode()


def test_rating_through_the_api(lab, org):
    api = api_for(org.engineer)
    url = reverse("api:lab-rating", args=[lab.slug])
    assert api.get(url).status_code == 404
    refused = api.post(url, {"stars": 5}, format="json")
    assert refused.status_code == 400
    assert refused.json() == ["Rate the lab after one of your attempts is graded."]
    attempt(lab, org.engineer)

    assert api.post(url, {"stars": 6}, format="json").json() == {
        "stars": ["Rate the lab from 1 to 5 stars."]
    }
    created = api.post(url, {"stars": 3, "comment": "Fine."}, format="json")
    replaced = api.post(url, {"stars": 5}, format="json")

    assert created.status_code == replaced.status_code == 200
    assert api.get(url).json() == {
        "lab": lab.slug,
        "version": 1,
        "stars": 5,
        "comment": "",
        "updated_at": replaced.json()["updated_at"],
    }
    assert LabRating.objects.count() == 1
    assert api_for(org.peer).get(url).status_code == 404  # your own rating, nobody else's


# --- the forms show only for the submission's own learner ---------------------------------------


@pytest.mark.parametrize("viewer", ["manager", "staff"])
def test_others_who_see_the_submission_get_no_feedback_forms(lab, org, client, viewer):
    submission = attempt(lab, org.engineer)
    client.force_login(getattr(org, viewer).user)

    html = page(client, submission.get_absolute_url())

    assert "Rate this lab" not in html and 'id="report-problem"' not in html


def test_no_feedback_forms_while_the_attempt_is_being_graded(lab, org, client):
    submission = attempt(lab, org.engineer, SubmissionStatus.QUEUED)
    client.force_login(org.engineer.user)

    html = page(client, submission.get_absolute_url())

    assert "Rate this lab" not in html and 'id="report-problem"' not in html


def test_a_failed_attempt_offers_a_report_but_no_rating_until_a_grade(lab, org, client):
    submission = attempt(lab, org.engineer, SubmissionStatus.FAILED)
    client.force_login(org.engineer.user)

    html = page(client, submission.get_absolute_url())

    assert 'id="report-problem"' in html and 'name="stars"' not in html
    assert "Rate the lab after one of your attempts is graded." in html


# --- reporting problems ------------------------------------------------------------------------


def test_a_report_about_an_own_attempt_keeps_its_version(lab, org):
    mine = attempt(lab, org.engineer)
    second_version(lab)

    report = ratings.problem_report(
        lab=lab, person=org.engineer, text="  The scale check fails.  ", submission=mine
    )
    general = ratings.problem_report(lab=lab, person=org.peer, text="Typo in part 2.")

    assert (report.text, report.submission, report.version.number) == (
        "The scale check fails.",
        mine,
        1,
    )
    assert (general.submission, general.version.number) == (None, 2)


def test_a_report_about_another_learners_attempt_is_refused(lab, org):
    theirs = attempt(lab, org.peer)

    with pytest.raises(ValidationError, match="one of your own attempts"):
        ratings.problem_report(lab=lab, person=org.engineer, text="Hm.", submission=theirs)


@pytest.mark.parametrize(
    ("text", "words"), [("   ", "Say what the problem is"), ("x" * 5001, "5,000")]
)
def test_an_empty_or_too_long_report_is_refused(lab, org, text, words):
    with pytest.raises(ValidationError, match=words):
        ratings.problem_report(lab=lab, person=org.engineer, text=text)

    assert not LabProblemReport.objects.exists()


def test_a_learner_reports_from_the_lab_page(lab, org, client):
    client.force_login(org.engineer.user)
    html = page(client, lab.get_absolute_url())
    url = reverse("labs:report-problem", args=[lab.slug])
    assert f'href="{url}"' in html and 'id="problems-link"' not in html
    assert "What is wrong" in page(client, url)

    response = client.post(url, {"text": "The data file is missing."})

    assert response.status_code == 302 and response["Location"] == lab.get_absolute_url()
    report = LabProblemReport.objects.get()
    assert (report.person, report.submission, report.text) == (
        org.engineer,
        None,
        "The data file is missing.",
    )
    assert "your report went to the lab" in page(client, lab.get_absolute_url())


def test_a_report_from_the_submission_page_comes_back_to_it(lab, org, client):
    submission = attempt(lab, org.engineer)
    client.force_login(org.engineer.user)

    response = client.post(
        reverse("labs:report-problem", args=[lab.slug]),
        {
            "text": "Check 2 is wrong.",
            "submission": submission.pk,
            "next": submission.get_absolute_url(),
        },
    )

    assert response["Location"] == submission.get_absolute_url()
    assert LabProblemReport.objects.get().submission == submission


def test_a_report_page_with_errors_keeps_what_was_typed(lab, org, client):
    submission = attempt(lab, org.engineer)
    client.force_login(org.engineer.user)
    url = reverse("labs:report-problem", args=[lab.slug])

    empty = client.post(url, {"text": "", "submission": submission.pk})
    too_long = client.post(url, {"text": "word " * 1001, "submission": submission.pk})

    assert empty.status_code == too_long.status_code == 400
    assert "Say what the problem is" in empty.content.decode()
    html = too_long.content.decode()
    assert "Keep the report to 5,000 characters" in html and "word word word" in html
    assert f'name="submission" value="{submission.pk}"' in html
    assert not LabProblemReport.objects.exists()


def test_another_learners_submission_id_gets_404(lab, org, client):
    theirs = attempt(lab, org.peer)
    client.force_login(org.engineer.user)
    url = reverse("labs:report-problem", args=[lab.slug])

    assert client.post(url, {"text": "Hm.", "submission": theirs.pk}).status_code == 404
    assert client.get(url, {"submission": theirs.pk}).status_code == 404
    api = api_for(org.engineer)
    response = api.post(
        reverse("api:lab-problems", args=[lab.slug]),
        {"text": "Hm.", "submission": theirs.pk},
        format="json",
    )
    assert response.status_code == 404
    assert not LabProblemReport.objects.exists()


def test_reporting_through_the_api(lab, org):
    mine = attempt(lab, org.engineer)
    url = reverse("api:lab-problems", args=[lab.slug])
    api = api_for(org.engineer)

    assert api.post(url, {"text": " "}, format="json").json() == {
        "text": ["Say what the problem is: the lab's authors read it."]
    }
    response = api.post(url, {"text": "Check *2*.", "submission": mine.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["submission"] == mine.pk and body["open"] is True
    assert body["reporter"] == {"id": org.engineer.pk, "name": org.engineer.display_name}
    assert body["text_html"] == "<p>Check <em>2</em>.</p>"
    assert api.get(url).status_code == 404  # the list is for the lab's authors


# --- resolving ---------------------------------------------------------------------------------


def report_by(lab, person, text="The spread check is flaky.", **kwargs):
    return ratings.problem_report(lab=lab, person=person, text=text, **kwargs)


@pytest.mark.parametrize("who", ["engineer", "manager", "director"])
def test_only_staff_resolve(lab, org, client, who):
    report = report_by(lab, org.peer)
    person = getattr(org, who)

    with pytest.raises(PermissionDenied):
        ratings.problem_resolve(report=report, by=person, resolution="Fixed.")
    client.force_login(person.user)
    url = reverse("labs:problem-resolve", args=[report.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"resolution": "Fixed."}).status_code == 404
    assert client.get(reverse("labs:problems", args=[lab.slug])).status_code == 404
    api = api_for(person)
    resolve = reverse("api:problem-resolve", args=[report.pk])
    assert api.post(resolve, {"resolution": "Fixed."}, format="json").status_code == 404
    report.refresh_from_db()
    assert report.resolved_at is None


def test_resolving_needs_words_and_happens_once(lab, org):
    report = report_by(lab, org.peer)

    with pytest.raises(ValidationError, match="Say how the problem was resolved"):
        ratings.problem_resolve(report=report, by=org.staff, resolution="  ")
    ratings.problem_resolve(report=report, by=org.staff, resolution="Fixed in version 2.")
    with pytest.raises(ValidationError, match="resolved already"):
        ratings.problem_resolve(report=report, by=org.staff, resolution="Again.")

    report.refresh_from_db()
    assert (report.resolved_by, report.resolution) == (org.staff, "Fixed in version 2.")


def test_the_reporter_is_emailed_after_the_commit(
    lab, org, eager_tasks, django_capture_on_commit_callbacks
):
    report = report_by(lab, org.peer)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ratings.problem_resolve(report=report, by=org.staff, resolution="The data file is back.")
    assert mail.outbox == [] and len(callbacks) == 1  # nothing is sent before the commit
    callbacks[0]()

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [org.peer.user.email]
    assert "is resolved" in sent.subject and lab.title in sent.subject
    assert "The data file is back." in sent.body and "The spread check is flaky." in sent.body
    assert lab.get_absolute_url() in sent.body


def test_staff_resolve_on_the_page_and_the_reporter_hears(
    lab, org, client, eager_tasks, django_capture_on_commit_callbacks
):
    report = report_by(lab, org.peer)
    client.force_login(org.staff.user)
    url = reverse("labs:problem-resolve", args=[report.pk])
    problems = reverse("labs:problems", args=[lab.slug])

    kept = client.post(url, {"resolution": "", "next": problems})
    assert kept.status_code == 400 and "Say how the problem was resolved" in kept.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"resolution": "Thanks, fixed.", "next": problems})

    assert response.status_code == 302 and response["Location"] == problems
    assert [m.to for m in mail.outbox] == [[org.peer.user.email]]
    html = page(client, problems)
    assert "Thanks, fixed." in html and "0 open, 1 resolved" in html


def test_staff_resolve_through_the_api(lab, org, eager_tasks, django_capture_on_commit_callbacks):
    report = report_by(lab, org.peer)
    api = api_for(org.staff)
    url = reverse("api:problem-resolve", args=[report.pk])

    assert api.post(url, {}, format="json").json() == {
        "resolution": ["Say how the problem was resolved: the learner who reported it reads it."]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"resolution": "Fixed."}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["open"] is False and body["resolution"] == "Fixed."
    assert body["resolved_by"] == {"id": org.staff.pk, "name": org.staff.display_name}
    assert len(mail.outbox) == 1


# --- what authors read -------------------------------------------------------------------------


def rate(lab, stars, comment="", person=None):
    person = person or PersonFactory()
    if not ratings.may_rate(lab=lab, person=person):
        attempt(lab, person)
    return ratings.lab_rate(lab=lab, person=person, stars=stars, comment=comment)


def test_the_summary_counts_ratings_and_reports(lab, org):
    for stars in [5, 4, 4, 3, 2]:
        rate(lab, stars)
    rate(lab, 5, "Loved the drift part.")
    rate(lab, 1, "Too hard.")
    reports = [report_by(lab, org.engineer, text=f"Problem {n}") for n in range(3)]
    ratings.problem_resolve(report=reports[0], by=org.staff, resolution="Fixed.")

    summary = ratings.lab_feedback_summary(lab)

    assert summary.count == 7
    assert summary.average == 3.4  # 24 / 7 = 3.43
    assert summary.average_text == "3.4 of 5 from 7 learners"
    assert [(row.stars, row.label, row.count) for row in summary.distribution] == [
        (1, "poor", 1),
        (2, "fair", 1),
        (3, "good", 1),
        (4, "very good", 2),
        (5, "excellent", 2),
    ]
    assert summary.distribution[3].percent == 28.6
    assert [r.comment for r in summary.latest_comments] == ["Too hard.", "Loved the drift part."]
    assert (summary.open_reports, summary.resolved_reports) == (2, 1)
    assert [r.text for r in summary.latest_open_reports] == ["Problem 2", "Problem 1"]


@pytest.mark.parametrize(
    ("stars", "words"),
    [
        ([], "No ratings yet"),
        ([4], "4.0 of 5 from 1 learner"),
        ([5, 4, 4, 4], "4.3 of 5 from 4 learners"),
    ],
)
def test_the_average_in_words_rounds_half_up(lab, stars, words):
    for n in stars:
        rate(lab, n)

    assert ratings.lab_feedback_summary(lab).average_text == words


def test_the_problems_page_lists_open_reports_first_with_the_summary(lab, org, client):
    mine = attempt(lab, org.engineer)
    rate(lab, 4, person=org.engineer)
    first = report_by(lab, org.engineer, text="First, resolved.", submission=mine)
    ratings.problem_resolve(report=first, by=org.staff, resolution="Done.")
    report_by(lab, org.peer, text="Second, open.")
    client.force_login(org.staff.user)
    assert 'id="problems-link"' in page(client, lab.get_absolute_url())

    html = page(client, reverse("labs:problems", args=[lab.slug]))

    assert html.index("Second, open.") < html.index("First, resolved.")
    assert "4.0 of 5 from 1 learner" in html and 'id="rating-distribution"' in html
    assert org.peer.get_absolute_url() in html and mine.get_absolute_url() in html
    assert reverse("labs:problem-resolve", args=[first.pk + 1]) in html
    assert reverse("labs:problem-resolve", args=[first.pk]) not in html  # resolved: no form


def test_the_problems_page_is_paginated(lab, org, client):
    for n in range(26):
        LabProblemReport.objects.create(
            lab=lab, version=lab.current_version, person=org.peer, text=f"Report number {n}."
        )
    client.force_login(org.staff.user)
    url = reverse("labs:problems", args=[lab.slug])

    # The list below the summary (which shows the latest open reports on every page).
    first, second = (
        page(client, u).split('id="problem-reports"')[1] for u in [url, url + "?page=2"]
    )

    assert "Report number 25." in first and "Page 1 of 2" in first
    assert "Report number 0." in second and "Report number 25." not in second


def test_staff_list_reports_through_the_api(lab, org):
    report_by(lab, org.peer, text="Open one.")
    ratings.problem_resolve(
        report=report_by(lab, org.peer, text="Closed one."), by=org.staff, resolution="Ok."
    )
    api = api_for(org.staff)
    url = reverse("api:lab-problems", args=[lab.slug])

    every = api.get(url).json()
    open_only = api.get(url, {"open": "true"}).json()

    assert every["count"] == 2 and [r["text"] for r in every["results"]] == [
        "Open one.",
        "Closed one.",
    ]
    assert [r["text"] for r in open_only["results"]] == ["Open one."]


# --- markdown in a report is sanitised wherever it is shown -----------------------------------


def test_a_script_in_a_report_never_comes_back(lab, org, client):
    text = "<script>alert(1)</script>**Check 2** fails. [x](javascript:alert(2))"
    report = report_by(lab, org.peer, text=text)
    client.force_login(org.staff.user)

    pages = [
        page(client, reverse("labs:problems", args=[lab.slug])),
        page(client, reverse("labs:problem-resolve", args=[report.pk])),
    ]
    body = api_for(org.staff).get(reverse("api:lab-problems", args=[lab.slug])).json()

    for html in [*pages, body["results"][0]["text_html"]]:
        assert "<strong>Check 2</strong>" in html
        assert "<script>alert(1)</script>" not in html and "javascript:" not in html
