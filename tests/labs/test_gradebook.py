"""The gradebook (issue 12): each learner's standing in a lab for their managers and staff,
per lab and per learner, filtered by team, career stage and path, and exported as CSV that
streams in bounded queries and memory (acceptance 2)."""

import csv
import datetime
import io
import logging
import tracemalloc

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Person
from curriculum.models import Audience, Enrolment, Path
from labs.gradebook import CSV_HEADER
from labs.models import Submission, SubmissionStatus
from tests.labs.test_results import make_lab

GRADED, FAILED = SubmissionStatus.GRADED, SubmissionStatus.FAILED
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def submit(lab, person, *, score=None, status=GRADED, at=T0, graded_after=None):
    attempt = Submission.objects.filter(lab=lab, person=person).count() + 1
    submission = Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=person,
        attempt=attempt,
        answers={},
        status=status,
        score=score,
        max_score=4,
    )
    graded_at = at + (graded_after or datetime.timedelta(minutes=5))
    Submission.objects.filter(pk=submission.pk).update(created_at=at, graded_at=graded_at)
    return submission


@pytest.fixture
def lab(org):
    """Pass at 70% of 4 points, 3 attempts. The engineer passed on their third try two days
    after the first and did worse afterwards; the peer has not passed; the outsider passed."""
    lab = make_lab(passing_score=70, max_attempts=3)
    submit(lab, org.engineer, score=2, at=T0)  # 50%: not passed
    submit(lab, org.engineer, status=FAILED, at=T0 + datetime.timedelta(hours=1))  # no attempt
    submit(lab, org.engineer, score=4, at=T0 + datetime.timedelta(days=2))  # passed
    submit(lab, org.engineer, score=3, at=T0 + datetime.timedelta(days=3))  # 75%: latest
    submit(lab, org.peer, score=1, at=T0)
    submit(lab, org.peer, status=SubmissionStatus.REJECTED, score=4, at=T0)
    submit(lab, org.outsider, score=4, at=T0)
    return lab


def page_rows(client, user, lab, **params):
    client.force_login(user)
    response = client.get(reverse("labs:gradebook", kwargs={"slug": lab.slug}), params)
    assert response.status_code == 200
    return {row.person.user.username: row for row in response.context["rows"]}


def csv_rows(client, user, lab, **params):
    client.force_login(user)
    response = client.get(reverse("labs:gradebook-csv", kwargs={"slug": lab.slug}), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


# --- Who sees whom ----------------------------------------------------------------------------


def test_staff_see_every_learner_of_the_lab(client, org, lab):
    assert set(page_rows(client, org.staff.user, lab)) == {"engineer", "peer", "outsider"}


def test_a_manager_sees_only_the_people_who_report_to_them(client, org, lab):
    assert set(page_rows(client, org.manager.user, lab)) == {"engineer", "peer"}
    # Up the line too: the director's reports' reports.
    assert set(page_rows(client, org.director.user, lab)) == {"engineer", "peer"}


@pytest.mark.parametrize("role", ["engineer", "peer", "outsider"])
def test_people_who_manage_nobody_get_404_everywhere(client, org, lab, role):
    client.force_login(getattr(org, role).user)
    urls = [
        reverse("labs:gradebook", kwargs={"slug": lab.slug}),
        reverse("labs:gradebook-csv", kwargs={"slug": lab.slug}),
        reverse("labs:learner-gradebook", kwargs={"pk": org.engineer.pk}),
        reverse("api:lab-gradebook", kwargs={"slug": lab.slug}),
    ]

    assert [client.get(url).status_code for url in urls] == [404] * 4


def test_a_manager_gets_404_for_a_learner_outside_their_line(client, org, lab):
    client.force_login(org.manager.user)
    url = reverse("labs:learner-gradebook", kwargs={"pk": org.outsider.pk})

    assert client.get(url).status_code == 404


# --- The columns ------------------------------------------------------------------------------


def test_the_columns_against_known_grades(client, org, lab):
    rows = page_rows(client, org.manager.user, lab)
    engineer, peer = rows["engineer"], rows["peer"]

    assert (engineer.attempts.used, engineer.attempts.limit) == (3, 3)  # the failed one is free
    assert (engineer.latest_score, engineer.best_score, engineer.max_score) == (3, 4, 4)
    assert engineer.latest_status == GRADED
    assert engineer.passed and engineer.state_label == "Passed"
    assert engineer.passed_at == T0 + datetime.timedelta(days=2, minutes=5)
    assert engineer.time_to_complete == "2 days"
    assert peer.attempts.used == 1  # sent back: does not count
    assert (peer.latest_status, peer.best_score) == (SubmissionStatus.REJECTED, 1)
    assert not peer.passed and peer.time_to_complete == ""


def test_the_page_says_it_in_words_and_links_each_name(client, org, lab):
    client.force_login(org.manager.user)

    page = client.get(reverse("labs:gradebook", kwargs={"slug": lab.slug})).content.decode()

    assert 'class="table-scroll"' in page
    assert f'href="{org.engineer.get_absolute_url()}"' in page
    assert "Passed" in page and "Not passed yet" in page and "2 days" in page
    assert reverse("labs:learner-gradebook", kwargs={"pk": org.peer.pk}) in page


def test_the_lab_pages_link_the_gradebook_for_managers_only(client, org, lab):
    gradebook = reverse("labs:gradebook", kwargs={"slug": lab.slug})
    for role, linked in [("manager", True), ("staff", True), ("engineer", False)]:
        client.force_login(getattr(org, role).user)
        for url in [reverse("labs:index"), lab.get_absolute_url()]:
            assert (gradebook in client.get(url).content.decode()) is linked, (role, url)


def test_an_empty_gradebook_says_so(client, org):
    lab = make_lab(passing_score=70)
    client.force_login(org.manager.user)

    page = client.get(reverse("labs:gradebook", kwargs={"slug": lab.slug})).content.decode()

    assert "has submitted this lab yet" in page


def test_the_learner_gradebook_lists_every_lab(client, org, lab):
    untried = make_lab(passing_score=50, slug="untried-lab", title="Untried lab")
    client.force_login(org.manager.user)

    response = client.get(reverse("labs:learner-gradebook", kwargs={"pk": org.engineer.pk}))

    rows = {row.lab.slug: row for row in response.context["rows"]}
    assert rows[lab.slug].passed and rows[lab.slug].time_to_complete == "2 days"
    assert rows[untried.slug].state == "not_tried" and rows[untried.slug].attempts.used == 0
    assert "Not tried yet" in response.content.decode()


# --- Filters ----------------------------------------------------------------------------------


def test_filters_by_team_career_stage_and_path(client, org, lab):
    staff = org.staff.user
    path = Path.objects.create(
        slug="mlops", title="MLOps", audience=Audience.EARLY_CAREER, summary="Ship models."
    )
    Enrolment.objects.create(person=org.peer, path=path)

    assert set(page_rows(client, staff, lab, team=org.outsider.team.slug)) == {"outsider"}
    assert set(page_rows(client, staff, lab, career_stage="senior")) == {"outsider"}
    assert set(page_rows(client, staff, lab, path="mlops")) == {"peer"}
    assert set(page_rows(client, org.manager.user, lab, career_stage="senior")) == set()
    page = client.get(reverse("labs:gradebook", kwargs={"slug": lab.slug}), {"path": "mlops"})
    assert "gradebook.csv?path=mlops" in page.content.decode()  # the export keeps the filters


def test_an_unknown_filter_value_is_left_out_and_the_others_apply(client, org, lab):
    rows = page_rows(client, org.staff.user, lab, team="no-such-team", career_stage="senior")

    assert set(rows) == {"outsider"}


# --- CSV --------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_a_row_per_learner(client, org, lab, caplog):
    with caplog.at_level(logging.INFO, logger="labs.gradebook"):
        header, *rows = csv_rows(client, org.manager.user, lab)

    assert header == CSV_HEADER
    by_username = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_username) == {"engineer", "peer"}
    engineer = by_username["engineer"]
    assert engineer["Attempts"] == "3" and engineer["Attempts allowed"] == "3"
    assert (engineer["Latest score"], engineer["Best score"], engineer["Max score"]) == (
        "3",
        "4",
        "4",
    )
    assert (engineer["Passed"], engineer["Time to complete"]) == ("yes", "2 days")
    assert by_username["peer"]["Passed"] == "no"
    assert f"lab={lab.slug} by user=manager" in caplog.text


def test_the_csv_takes_the_same_filters(client, org, lab):
    _, *rows = csv_rows(client, org.staff.user, lab, career_stage="senior")

    assert [row[1] for row in rows] == ["outsider"]


def test_csv_cells_cannot_run_as_formulas(client, org, lab):
    user = org.engineer.user
    user.first_name, user.last_name = '=HYPERLINK("http://evil.example")', "@once"
    user.save()
    org.engineer.team.name = "+team"
    org.engineer.team.save()

    _, *rows = csv_rows(client, org.manager.user, lab)

    engineer = next(row for row in rows if row[1] == "engineer")
    assert engineer[0] == '\'=HYPERLINK("http://evil.example") @once'
    assert engineer[2] == "'+team"


# --- API --------------------------------------------------------------------------------------


def test_the_api_pages_the_same_rows(org, lab):
    api = APIClient()
    api.force_authenticate(org.manager.user)

    response = api.get(reverse("api:lab-gradebook", kwargs={"slug": lab.slug}))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    engineer = next(r for r in body["results"] if r["learner"]["id"] == org.engineer.pk)
    assert engineer["attempts"] == {"used": 3, "limit": 3, "left": 0}
    assert (engineer["best_score"], engineer["latest_score"], engineer["passed"]) == (4, 3, True)
    assert engineer["time_to_complete"] == "2 days"
    filtered = api.get(reverse("api:lab-gradebook", kwargs={"slug": lab.slug}), {"team": "x"})
    assert filtered.json()["count"] == 2  # an unknown team is no filter


# --- Acceptance 2: the export streams in bounded queries and memory ----------------------------

# Queries for a whole export, whatever its size: eight today (the session, the user, their
# two-factor check, the lab, the filter form's team and path choices, the audit log's record of
# the export, and one query for all the rows), plus one spare so that a middleware's extra query
# does not read as a regression; a query per learner would add 50 at the smaller size already.
CSV_QUERY_BOUND = 9
# Peak Python memory of one export, measured with tracemalloc (SQLite's own sort buffers are C
# memory it does not see). Measured on SQLite: 0.73 MB for 100 submissions, 0.89 MB for 10,000
# and the same 0.89 MB for 20,000 (the rows are read CSV_CHUNK at a time, each learner's line
# written and dropped), while merely listing the 10,000 submissions as model instances peaks at
# about 28 MB. 3 MB leaves room for allocator and interpreter noise and still fails by far if
# the rows were held.
CSV_MEMORY_BOUND = 3 * 1024 * 1024


def learners_with_submissions(lab, *, submissions: int) -> None:
    """`submissions` graded attempts, two per learner, made with bulk_create (fast)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"learner{n:05}", first_name="Learner", last_name=f"{n:05}")
        for n in range(submissions // 2)
    )
    people = Person.objects.bulk_create(Person(user=user) for user in users)
    now = timezone.now()
    Submission.objects.bulk_create(
        Submission(
            lab=lab,
            version=lab.current_version,
            person=person,
            attempt=attempt,
            answers={},
            status=GRADED,
            score=attempt + 1,
            max_score=4,
            graded_at=now,
        )
        for person in people
        for attempt in (1, 2)
    )


@pytest.mark.parametrize("submissions", [100, 10_000])
def test_the_csv_export_streams_in_bounded_queries_and_memory(
    client, org, submissions, django_assert_max_num_queries
):
    lab = make_lab(passing_score=70)
    learners_with_submissions(lab, submissions=submissions)
    client.force_login(org.staff.user)
    url = reverse("labs:gradebook-csv", kwargs={"slug": lab.slug})

    lines = 0
    tracemalloc.start()
    try:
        with django_assert_max_num_queries(CSV_QUERY_BOUND):
            response = client.get(url)
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert lines == 1 + submissions // 2  # the header, a line per learner
    assert peak < CSV_MEMORY_BOUND, f"peak {peak / 1e6:.2f} MB"
