"""Permission-matrix rows for the labs' pages and API.

The lab is open to every member; a submission belongs to `peer`: the engineer (a colleague)
gets 404, their manager and staff see it. The review pages and actions are for the peer's
reviewers (their manager, staff); the review queue is open to every member (empty for most).
The gradebook (per lab, its CSV, per learner: the peer) is for managers and staff: a member who
manages nobody gets 404.
"""

from labs.format import load_lab
from labs.models import Submission, SubmissionStatus
from labs.services import lab_store
from tests.labs.conftest import REFERENCE_LAB
from tests.url_matrix import Case, signed_in


def lab_of(org):
    if not hasattr(org, "lab"):
        # Stored without the sandbox validation: these tests are about who may see what.
        org.lab = lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab
    return org.lab


def peer_submission(org):
    if not hasattr(org, "submission"):
        lab = lab_of(org)
        org.submission = Submission.objects.create(
            lab=lab, version=lab.current_version, person=org.peer, attempt=1, answers={}
        )
    return org.submission


def peer_waiting_submission(org):
    """The peer's graded attempt, waiting for a sign-off."""
    if not hasattr(org, "waiting"):
        lab = lab_of(org)
        org.waiting = Submission.objects.create(
            lab=lab,
            version=lab.current_version,
            person=org.peer,
            attempt=2,
            answers={},
            status=SubmissionStatus.NEEDS_REVIEW,
            score=4,
            max_score=4,
            flags=["tamper_suspected"],
        )
    return org.waiting


LAB = {"slug": lambda org: lab_of(org).slug}
SUBMISSION = {"pk": lambda org: peer_submission(org).pk}
PRIVATE_PAGE = {"anonymous": "login", "engineer": 404, "manager": 200, "staff": 200}
PRIVATE_API = {**PRIVATE_PAGE, "anonymous": 401}
WAITING = {"pk": lambda org: peer_waiting_submission(org).pk}
REVIEWERS_PAGE = PRIVATE_PAGE  # the peer's manager and staff review; a colleague gets 404
REVIEWERS_API = PRIVATE_API
PEER = {"pk": lambda org: org.peer.pk}

URLS: dict[str, Case] = {
    "labs:index": Case(signed_in(200)),
    "labs:detail": Case(signed_in(200), kwargs=LAB),
    "labs:notebook": Case(signed_in(200), kwargs=LAB),
    "labs:submit": Case(signed_in(405), kwargs=LAB),  # POST only: tests/labs/test_api.py
    "labs:submission": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "labs:submission-status": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "labs:submission-feedback": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "api:lab-list": Case(signed_in(200, anonymous=401)),
    "api:lab-detail": Case(signed_in(200, anonymous=401), kwargs=LAB),
    "api:lab-notebook": Case(signed_in(200, anonymous=401), kwargs=LAB),
    "api:lab-submissions": Case(signed_in(200, anonymous=401), kwargs=LAB),
    "api:submission-list": Case(signed_in(200, anonymous=401)),
    "api:submission-detail": Case(PRIVATE_API, kwargs=SUBMISSION),
    "labs:review-queue": Case(signed_in(200)),
    "labs:submission-review": Case(REVIEWERS_PAGE, kwargs=WAITING),
    "api:review-list": Case(signed_in(200, anonymous=401)),
    # Approving with no comment signs off; sending back without one is refused (400), which
    # still shows that the reviewer got past the 404 that everyone else gets.
    "api:submission-approve": Case(REVIEWERS_API, kwargs=WAITING, method="post"),
    "api:submission-reject": Case(
        {**REVIEWERS_API, "manager": 400, "staff": 400}, kwargs=WAITING, method="post"
    ),
    "labs:gradebook": Case(PRIVATE_PAGE, kwargs=LAB, setup=peer_submission),
    "labs:gradebook-csv": Case(PRIVATE_PAGE, kwargs=LAB, setup=peer_submission),
    "labs:learner-gradebook": Case(PRIVATE_PAGE, kwargs=PEER, setup=lab_of),
    "api:lab-gradebook": Case(PRIVATE_API, kwargs=LAB, setup=peer_submission),
}


# --- learners' feedback on labs (labs.ratings; tests/labs/test_ratings.py) ----------------------
# Rating and reporting are open to every member (each their own); the lab's problem reports, its
# ratings summary and resolving a report are for staff (its authors): 404 for anyone else.


def peer_report(org):
    """The peer's report of a problem with the lab."""
    if not hasattr(org, "report"):
        from labs.models import LabProblemReport

        lab = lab_of(org)
        org.report = LabProblemReport.objects.create(
            lab=lab, version=lab.current_version, person=org.peer, text="Check 2 is wrong."
        )
    return org.report


def engineer_rating(org):
    """The engineer's rating, after a graded attempt of their own: my rating is mine alone."""
    from labs.models import LabRating

    lab = lab_of(org)
    Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=org.engineer,
        attempt=1,
        answers={},
        status=SubmissionStatus.GRADED,
        score=4,
        max_score=4,
    )
    LabRating.objects.create(lab=lab, version=lab.current_version, person=org.engineer, stars=4)


STAFF_PAGE = {"anonymous": "login", "engineer": 404, "manager": 404, "staff": 200}
STAFF_API = {**STAFF_PAGE, "anonymous": 401}
REPORT = {"pk": lambda org: peer_report(org).pk}

URLS.update(
    {
        # GET: the rating page (the submission page posts to it; it shows the form's errors).
        "labs:rate": Case(signed_in(200), kwargs=LAB),
        "labs:report-problem": Case(signed_in(200), kwargs=LAB),
        "labs:problems": Case(STAFF_PAGE, kwargs=LAB, setup=peer_report),
        "labs:problem-resolve": Case(STAFF_PAGE, kwargs=REPORT),
        # GET: my rating; only the engineer has one (the others get 404: none of their own).
        "api:lab-rating": Case(
            {"anonymous": 401, "engineer": 200, "manager": 404, "staff": 404},
            kwargs=LAB,
            setup=engineer_rating,
        ),
        # GET: the lab's reports (POST, reporting, is every member's: test_ratings.py).
        "api:lab-problems": Case(STAFF_API, kwargs=LAB, setup=peer_report),
        # Resolving without words is refused (400): staff got past the 404 everyone else gets.
        "api:problem-resolve": Case({**STAFF_API, "staff": 400}, kwargs=REPORT, method="post"),
    }
)

# Lab analytics and grading health (issue 12): staff only, a 404 for every member else. The
# peer's graded submission gives the analytics figures to show.
URLS.update(
    {
        "labs:analytics": Case(STAFF_PAGE, kwargs=LAB, setup=peer_waiting_submission),
        "labs:health": Case(STAFF_PAGE),
        "api:lab-analytics": Case(STAFF_API, kwargs=LAB, setup=peer_waiting_submission),
        "api:grading-health": Case(STAFF_API),
    }
)

# --- grading by hand and regrades (tests/labs/test_hand_grading.py, test_regrades.py) -----------
# Grading by hand is for the learner's mentors and staff: the peer has no mentor here, so their
# manager gets 404 like a colleague (mentors are tried in test_hand_grading.py). Regrades are
# staff's. Staff posting nothing: a refused form (302 back, or 400 from the API) past the 404.


def peer_regrade(org):
    if not hasattr(org, "regrade"):
        from labs.models import Regrade

        lab = lab_of(org)
        org.regrade = Regrade.objects.create(
            lab=lab, version=lab.current_version, total=1, submission_ids=[]
        )
    return org.regrade


REGRADE = {"pk": lambda org: peer_regrade(org).pk}
URLS.update(
    {
        "labs:submission-grade": Case(STAFF_PAGE, kwargs=WAITING),
        "labs:submission-regrade": Case(
            {**STAFF_PAGE, "staff": 302}, kwargs=WAITING, method="post"
        ),
        "labs:regrade-start": Case({**STAFF_PAGE, "staff": 302}, kwargs=LAB, method="post"),
        "labs:regrade": Case(STAFF_PAGE, kwargs=REGRADE),
        "labs:regrade-status": Case(STAFF_PAGE, kwargs=REGRADE),
        "api:submission-history": Case(PRIVATE_API, kwargs=SUBMISSION),
        "api:submission-grade": Case({**STAFF_API, "staff": 400}, kwargs=WAITING, method="post"),
        "api:submission-regrade": Case({**STAFF_API, "staff": 202}, kwargs=WAITING, method="post"),
        "api:lab-regrades": Case({**STAFF_API, "staff": 400}, kwargs=LAB, method="post"),
        "api:regrade-detail": Case(STAFF_API, kwargs=REGRADE),
    }
)

# Admin pages that staff may not use: versions come from `import_lab`, never from a form;
# regrades are started from the lab page or the API, which queue their tasks.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:labs_labversion_add": 403,
    "admin:labs_regrade_add": 403,
}
