"""Results a learner understands: tests named in words, the grade against the lab's passing
score with the attempts left, a banner that follows the status, and a lab list that says how
far the learner got in each lab."""

import dataclasses
import html
import re

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from labs.executor import CellOutcome, ExecutionResult
from labs.format import load_lab
from labs.judge import build_run, judge
from labs.models import Submission, SubmissionStatus
from labs.services import lab_store
from labs.spec import readable_id, source_title
from tests.labs.conftest import REFERENCE_LAB, answered_notebook

QUEUE_WORDS = "in the queue"


def reference_spec(**settings):
    spec = load_lab(REFERENCE_LAB)
    return dataclasses.replace(spec, settings=dataclasses.replace(spec.settings, **settings))


def make_lab(**settings):
    """The reference lab (4 points), stored without the sandbox validation, with `settings`."""
    return lab_store(spec=reference_spec(**settings), report={}).lab


def submit(lab, person, *, score=None, status=SubmissionStatus.GRADED, results=()):
    attempt = Submission.objects.filter(lab=lab, person=person).count() + 1
    return Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=person,
        attempt=attempt,
        answers={},
        status=status,
        score=score,
        max_score=4,
        results=list(results),
    )


def result(grade_id, title, points, max_points, message="Passed."):
    return {"id": grade_id, "title": title, "points": points, "max_points": max_points,
            "passed": points == max_points, "hidden": False, "message": message}  # fmt: skip


RESULTS = [
    result("test_mean_of", "mean_of works", 2.0, 2.0),
    result("test_scale", "test_scale", 1.0, 1.0),  # stored before tests had titles
    result("test_spread", "spread, judged outside the kernel", 0.0, 1.0, "`spread` is off."),
]


@pytest.fixture
def api(org):
    client = APIClient()
    client.force_authenticate(org.engineer.user)
    return client


@pytest.fixture
def signed_in(client, org):
    client.force_login(org.engineer.user)
    return client


def text(fragment: str) -> str:
    """What a person reads in an HTML fragment: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(page: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return text(found.group(2))


def lab_row(page: str, slug: str) -> str:
    found = re.search(rf'<tr data-lab="{slug}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"no row for {slug}"
    return text(found.group(1))


# --- test titles ----------------------------------------------------------------------------


def test_a_test_is_titled_by_its_docstring():
    assert source_title('"""mean_of works"""\nassert mean_of([1, 2]) == 1.5') == "mean_of works"
    assert source_title('"""\n  Scale maps to [0, 1].\n\n  More words.\n"""\nx') == (
        "Scale maps to [0, 1]."
    )
    # Otter's exception-format tests are one function: its docstring names the test.
    otter = 'def test_q1(x):\n    """x is a list"""\n    assert isinstance(x, list)\ntest_q1(x=x)'
    assert source_title(otter) == "x is a list"


def test_a_test_without_a_docstring_is_titled_by_its_first_comment():
    assert source_title("# The mean of two values\nassert mean_of([1, 2]) == 1.5") == (
        "The mean of two values"
    )
    # Instructions to the grading tools are not names; a comment after the code is not either.
    assert source_title("# hidden\n### BEGIN HIDDEN TESTS\n# Edge cases\nassert f()") == (
        "Edge cases"
    )
    assert source_title("assert f()\n# a note on the line above") == ""
    assert source_title("%%time\nassert f()") == ""


@pytest.mark.parametrize(
    ("grade_id", "words"),
    [
        ("test_mean_shift", "Mean shift"),
        ("q2-test-1", "Q2 test 1"),
        ("tests-scale", "Scale"),
        ("test", "Test"),
        ("psi", "Psi"),
        (None, "Unnamed test"),
    ],
)
def test_a_test_that_names_itself_nowhere_gets_its_grade_id_in_words(grade_id, words):
    assert readable_id(grade_id) == words


def judged_results(spec) -> list[dict]:
    """The results of judging a run in which nothing ran: every test reported, none passed;
    as the submission keeps them."""
    plan = build_run(spec, {})
    execution = ExecutionResult(cells=[CellOutcome() for _ in plan.cells], sandbox="reduced")
    return [result.as_dict() for result in judge(spec, plan, execution).results]


def test_judged_results_carry_a_title_in_words_and_keep_the_grade_id():
    spec = reference_spec()
    cells = {cell.grade_id: cell for cell in spec.tests}
    scale = "# Scale maps to the unit interval\nassert scale([2, 4]) == [0.0, 1.0]"
    renamed = {
        "test_scale": dataclasses.replace(cells["test_scale"], source=scale, release_source=scale),
        "test_spread": dataclasses.replace(
            cells["test_spread"], source="assert spread([1, 1]) == 0", release_source=""
        ),
    }
    spec = dataclasses.replace(
        spec, cells=tuple(renamed.get(cell.grade_id, cell) for cell in spec.cells)
    )

    results = judged_results(spec)

    assert [(r["id"], r["title"]) for r in results] == [
        ("test_mean_of", "mean_of works"),
        ("test_scale", "Scale maps to the unit interval"),
        ("test_spread", "Spread"),
    ]
    assert all(set(r) >= {"points", "max_points", "passed", "message"} for r in results)


def test_a_hidden_test_is_never_titled_by_its_own_code():
    spec = reference_spec()
    secret = dataclasses.replace(
        spec.tests[0], hidden=True, source='"""mean_of([2.5, 3.5]) is 3.0"""\nassert True'
    )
    assert secret.display_title == "Mean of"
    assert "2.5" not in str(judged_results(dataclasses.replace(spec, cells=(secret,))))


def test_the_lab_page_lists_its_checks_by_title(signed_in, db):
    lab = make_lab()

    page = signed_in.get(lab.get_absolute_url()).content.decode()

    assert "mean_of works — 2 points" in text(page)
    assert "test_mean_of" not in text(page)


# --- the grade against the passing score, and the attempts ----------------------------------


@pytest.mark.django_db
def test_the_api_says_passed_against_the_passing_score_with_the_attempts_left(api, org):
    lab = make_lab(passing_score=70, max_attempts=3)
    submission = submit(lab, org.engineer, score=3, results=RESULTS)

    body = api.get(f"/api/submissions/{submission.pk}/").json()

    assert (body["passed"], body["percent"], body["passing_score"]) == (True, 75.0, 70.0)
    assert body["verdict"] == "Passed: 3 of 4 points (75%), the lab asks for 70%."
    assert body["attempts"] == {"used": 1, "limit": 3, "left": 2}
    assert [(r["id"], r["title"]) for r in body["results"]] == [
        ("test_mean_of", "mean_of works"),
        ("test_scale", "Scale"),
        ("test_spread", "spread, judged outside the kernel"),
    ]
    listed = api.get(f"/api/labs/{lab.slug}/submissions/").json()
    assert [(s["id"], s["passed"], s["attempts"]["left"]) for s in listed] == [
        (submission.pk, True, 2)
    ]


@pytest.mark.django_db
def test_a_grade_below_the_passing_score_has_not_passed(api, org):
    lab = make_lab(passing_score=80)
    submission = submit(lab, org.engineer, score=3)

    body = api.get(f"/api/submissions/{submission.pk}/").json()

    assert body["passed"] is False
    assert body["verdict"] == "Not passed: 3 of 4 points (75%), the lab asks for 80%."
    assert body["attempts"] == {"used": 1, "limit": 0, "left": None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "score", "verdict"),
    [
        (SubmissionStatus.QUEUED, None, ""),
        (SubmissionStatus.RUNNING, None, ""),
        (SubmissionStatus.FAILED, None, ""),
        (
            SubmissionStatus.NEEDS_REVIEW,
            4,
            "Not final yet: 4 of 4 points (100%), the lab asks for 100%; it counts once a "
            "reviewer signs it off.",
        ),
    ],
)
def test_without_a_final_grade_nothing_is_passed_yet(api, org, status, score, verdict):
    submission = submit(make_lab(), org.engineer, score=score, status=status)

    body = api.get(f"/api/submissions/{submission.pk}/").json()

    assert body["passed"] is None
    assert body["verdict"] == verdict


@pytest.mark.django_db
def test_an_attempt_that_failed_to_grade_does_not_count(api, org):
    lab = make_lab(max_attempts=2)
    submit(lab, org.engineer, status=SubmissionStatus.FAILED)
    latest = submit(lab, org.engineer, score=1)
    submit(lab, org.peer, score=1)  # someone else's attempts are theirs

    body = api.get(f"/api/submissions/{latest.pk}/").json()

    assert body["attempt"] == 2
    assert body["attempts"] == {"used": 1, "limit": 2, "left": 1}


@pytest.mark.django_db
def test_the_page_shows_titles_the_verdict_and_the_attempts_left(signed_in, org):
    lab = make_lab(passing_score=70, max_attempts=3)
    submit(lab, org.engineer, score=1)
    submission = submit(lab, org.engineer, score=3, results=RESULTS)

    page = signed_in.get(submission.get_absolute_url()).content.decode()

    assert element(page, "submission-verdict") == (
        "Passed: 3 of 4 points (75%), the lab asks for 70%."
    )
    assert element(page, "submission-attempts") == "3 attempts allowed: 2 used, 1 left."
    assert element(page, "submission-banner") == "Graded: the results are below."
    assert element(page, "submission-status") == "Graded"
    table = element(page, "results")
    assert "mean_of works passed 2 / 2" in table
    assert "Scale passed 1 / 1" in table
    assert "spread, judged outside the kernel not passed 0 / 1 `spread` is off." in table
    assert "test_scale" not in table


@pytest.mark.django_db
def test_the_attempts_words_when_the_lab_sets_no_limit_or_none_are_left(signed_in, org):
    unlimited = submit(make_lab(), org.engineer, score=4)
    page = signed_in.get(unlimited.get_absolute_url()).content.decode()
    assert element(page, "submission-attempts") == (
        "1 attempt used; this lab does not limit attempts."
    )

    Submission.objects.all().delete()
    last = submit(make_lab(max_attempts=1), org.engineer, score=1)
    page = signed_in.get(last.get_absolute_url()).content.decode()
    assert element(page, "submission-attempts") == "1 attempt allowed: 1 used, none left."


@pytest.mark.django_db
def test_the_status_endpoint_gives_the_banner_of_each_status(signed_in, org):
    submission = submit(make_lab(passing_score=50), org.engineer, status=SubmissionStatus.QUEUED)
    url = submission.get_absolute_url() + "status/"
    seen = []
    for status, score in [
        (SubmissionStatus.QUEUED, None),
        (SubmissionStatus.RUNNING, None),
        (SubmissionStatus.GRADED, 2),
    ]:
        Submission.objects.filter(pk=submission.pk).update(status=status, score=score)
        body = signed_in.get(url).json()
        seen.append((body["status"], body["status_label"], body["banner_tone"], body["banner"]))

    assert [row[:3] for row in seen] == [
        ("queued", "Queued", "info"),
        ("running", "Running", "info"),
        ("graded", "Graded", "success"),
    ]
    assert seen[0][3].lower().startswith(QUEUE_WORDS)
    assert seen[1][3].startswith("Being graded")
    assert QUEUE_WORDS not in seen[2][3].lower()
    assert body["passed"] is True and body["finished"] is True
    assert body["verdict"] == "Passed: 2 of 4 points (50%), the lab asks for 50%."
    assert body["attempts_text"] == "1 attempt used; this lab does not limit attempts."


@pytest.mark.django_db
def test_failed_to_grade_says_so_and_that_it_does_not_count(signed_in, org):
    submission = submit(make_lab(), org.engineer, status=SubmissionStatus.FAILED)

    body = signed_in.get(submission.get_absolute_url() + "status/").json()

    assert body["banner_tone"] == "error"
    assert body["banner"].startswith("Failed to grade")
    assert "does not count as an attempt" in body["banner"]
    assert body["attempts"]["used"] == 0


@pytest.mark.django_db
def test_after_an_upload_only_the_banner_speaks_of_the_queue(signed_in, org):
    """The "in the queue" words once came as a one-off message beside the live status, and
    stayed there after grading: now the banner, which the page redraws, is the only place."""
    lab = make_lab()
    data = nbformat.writes(answered_notebook(lab.current_version, {})).encode()

    response = signed_in.post(
        f"/labs/{lab.slug}/submit/", {"notebook": SimpleUploadedFile("a.ipynb", data)}
    )
    queued = signed_in.get(response["Location"]).content.decode()

    assert text(queued).lower().count(QUEUE_WORDS) == 1
    assert element(queued, "submission-banner").lower().startswith(QUEUE_WORDS)
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.GRADED, score=0)
    graded = signed_in.get(response["Location"]).content.decode()
    assert QUEUE_WORDS not in text(graded).lower()
    assert element(graded, "submission-banner") == "Graded: the results are below."


# --- the learner's lab list ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lab_not_tried_says_so_with_its_maximum(signed_in, org):
    lab = make_lab(passing_score=70)
    submit(lab, org.peer, score=4)  # a colleague's pass is not yours

    row = lab_row(signed_in.get("/labs/").content.decode(), lab.slug)

    assert "Not tried yet" in row
    assert "— / 4 points" in row
    assert "pass at 70%" in row


@pytest.mark.django_db
def test_the_lab_list_shows_the_best_score_out_of_the_maximum_and_passed(signed_in, org):
    lab = make_lab(passing_score=70, max_attempts=3)
    submit(lab, org.engineer, score=3)
    submit(lab, org.engineer, score=1)

    row = lab_row(signed_in.get("/labs/").content.decode(), lab.slug)

    assert "2 of 3 3 / 4 points (75%) Passed pass at 70%" in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ([SubmissionStatus.GRADED], "Not passed yet"),
        ([SubmissionStatus.GRADED, SubmissionStatus.QUEUED], "Being graded"),
        ([SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW], "Waiting for a reviewer"),
        ([SubmissionStatus.FAILED], "Not graded: grading failed, submit again"),
    ],
)
def test_the_lab_list_says_why_a_lab_is_not_passed(signed_in, org, statuses, state):
    lab = make_lab()  # passing at 100%
    for status in statuses:
        scored = status in (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)
        submit(lab, org.engineer, status=status, score=2 if scored else None)

    row = lab_row(signed_in.get("/labs/").content.decode(), lab.slug)

    assert state in row and "Passed" not in row
    assert ("2 / 4 points (50%)" in row) == (SubmissionStatus.GRADED in statuses)


@pytest.mark.django_db
def test_a_pass_waiting_for_sign_off_is_not_a_pass_yet(signed_in, org):
    lab = make_lab(passing_score=50)
    submit(lab, org.engineer, status=SubmissionStatus.NEEDS_REVIEW, score=4)

    row = lab_row(signed_in.get("/labs/").content.decode(), lab.slug)

    assert "4 / 4 points (100%)" in row
    assert "Waiting for a reviewer's sign-off" in html.unescape(row)
    assert "Passed" not in row


@pytest.mark.django_db
def test_the_lab_list_reads_in_the_same_queries_however_many_attempts(
    signed_in, org, django_assert_max_num_queries
):
    lab = make_lab()
    signed_in.get("/labs/")  # session and user loaded once
    with django_assert_max_num_queries(12) as few:
        signed_in.get("/labs/")
    for _ in range(10):
        submit(lab, org.engineer, score=1)

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get("/labs/")


@pytest.mark.django_db
def test_the_lab_page_says_how_many_attempts_are_left(signed_in, org):
    lab = make_lab(max_attempts=3)
    submit(lab, org.engineer, score=1)
    submit(lab, org.engineer, status=SubmissionStatus.FAILED)

    page = signed_in.get(lab.get_absolute_url()).content.decode()

    assert element(page, "lab-attempts") == "3 attempts allowed: 1 used, 2 left."
