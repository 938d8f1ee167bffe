"""Permission-matrix rows for the labs' pages and API.

The lab is open to every member; a submission belongs to the subject: a teammate, an outsider
or another branch's manager gets 404; their manager, their mentor and staff see it. The review
pages and actions are for the subject's reviewers (their mentor, their manager, staff); the
review queue is open to every member (empty for most). The gradebook (per lab, its CSV) is for
managers and staff: a member who manages nobody gets 404; per learner, for the subject's
manager and staff.
"""

import nbformat
from django.core.files.uploadedfile import SimpleUploadedFile

from labs.format import load_lab
from labs.models import Submission, SubmissionStatus
from labs.services import lab_store
from tests.labs.conftest import CORRECT, REFERENCE_LAB, answered_notebook
from tests.labs.hand_graded import graded, lab_with_essay
from tests.url_matrix import REDIRECT, Case, api, only, signed_in


def lab_of(org):
    if not hasattr(org, "lab"):
        # Stored without the sandbox validation: these tests are about who may see what.
        org.lab = lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab
    return org.lab


def peer_submission(org):
    if not hasattr(org, "submission"):
        lab = lab_of(org)
        org.submission = Submission.objects.create(
            lab=lab,
            version=lab.current_version,
            person=org.peer,
            attempt=1,
            answers={"mean_of": LEARNER_ANSWER},
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


LEARNER_ANSWER = "def mean_of(values): return 7351"

PROBLEM = {"text": "Check 2 fails when a value is NaN."}


def notebook_upload(org) -> SimpleUploadedFile:
    """The lab's notebook with correct answers, as a learner uploads it."""
    notebook = answered_notebook(lab_of(org).current_version, CORRECT)
    return {"notebook": SimpleUploadedFile("answers.ipynb", nbformat.writes(notebook).encode())}


LAB = {"slug": lambda org: lab_of(org).slug}
SUBMISSION = {"pk": lambda org: peer_submission(org).pk}
PRIVATE_PAGE = only("subject", "mentor", "manager", "staff")
PRIVATE_API = api(PRIVATE_PAGE)
GRADEBOOK_PAGE = only("manager", "other_manager", "staff")
GRADEBOOK_API = api(GRADEBOOK_PAGE)
WAITING = {"pk": lambda org: peer_waiting_submission(org).pk}
REVIEWERS_PAGE = only("mentor", "manager", "staff")  # the subject's reviewers
REVIEWERS_API = api(REVIEWERS_PAGE)
PEER = {"pk": lambda org: org.peer.pk}

URLS: dict[str, Case | list[Case]] = {
    "labs:index": Case(signed_in(200)),
    "labs:detail": Case(signed_in(200), kwargs=LAB),
    "labs:notebook": Case(signed_in(200), kwargs=LAB),
    # Every member may hand in an attempt (graded later, by a worker: tests/labs/test_grading.py).
    "labs:submit": [
        Case(signed_in(405), kwargs=LAB),
        Case(signed_in(REDIRECT), kwargs=LAB, method="post", data=notebook_upload),
    ],
    "labs:submission": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "labs:submission-status": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "labs:submission-feedback": Case(PRIVATE_PAGE, kwargs=SUBMISSION),
    "api:lab-list": Case(signed_in(200, anonymous=401)),
    "api:lab-detail": Case(signed_in(200, anonymous=401), kwargs=LAB),
    "api:lab-notebook": Case(signed_in(200, anonymous=401), kwargs=LAB),
    "api:lab-submissions": [
        Case(signed_in(200, anonymous=401), kwargs=LAB),
        Case(signed_in(201, anonymous=401), kwargs=LAB, method="post", data=notebook_upload),
    ],
    "api:submission-list": Case(signed_in(200, anonymous=401)),
    "api:submission-detail": Case(PRIVATE_API, kwargs=SUBMISSION),
    "labs:review-queue": Case(signed_in(200)),
    "labs:submission-review": [
        Case(REVIEWERS_PAGE, kwargs=WAITING),
        Case(
            only("mentor", "manager", "staff", outcome=REDIRECT),
            kwargs=WAITING,
            method="post",
            data={"decision": "approve", "comment": ""},
        ),
    ],
    "api:review-list": Case(signed_in(200, anonymous=401)),
    # Approving with no comment signs off; sending back takes one.
    "api:submission-approve": Case(REVIEWERS_API, kwargs=WAITING, method="post"),
    "api:submission-reject": Case(
        REVIEWERS_API,
        kwargs=WAITING,
        method="post",
        data={"comment": "Check 2 reads the wrong column."},
        json=True,
    ),
    "labs:gradebook": Case(GRADEBOOK_PAGE, kwargs=LAB, setup=peer_submission),
    "labs:gradebook-csv": Case(GRADEBOOK_PAGE, kwargs=LAB, setup=peer_submission),
    "labs:learner-gradebook": Case(only("manager", "staff"), kwargs=PEER, setup=lab_of),
    "api:lab-gradebook": Case(GRADEBOOK_API, kwargs=LAB, setup=peer_submission),
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


def subject_rating(org):
    """The subject's rating, after a graded attempt of their own: my rating is mine alone."""
    from labs.models import LabRating

    lab = lab_of(org)
    Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=org.subject,
        attempt=3,
        answers={},
        status=SubmissionStatus.GRADED,
        score=4,
        max_score=4,
    )
    LabRating.objects.create(lab=lab, version=lab.current_version, person=org.subject, stars=4)


STAFF_PAGE = only("staff")
STAFF_API = api(STAFF_PAGE)
REPORT = {"pk": lambda org: peer_report(org).pk}

URLS.update(
    {
        # GET: the rating page (the submission page posts to it; it shows the form's errors).
        # Rating takes a graded attempt of one's own: only the subject has one.
        "labs:rate": [
            Case(signed_in(200), kwargs=LAB),
            Case(
                only("subject", outcome=REDIRECT, refused=400),
                kwargs=LAB,
                method="post",
                data={"stars": 5, "comment": ""},
            ),
        ],
        "labs:report-problem": [
            Case(signed_in(200), kwargs=LAB),
            Case(signed_in(REDIRECT), kwargs=LAB, method="post", data=PROBLEM),
        ],
        "labs:problems": Case(STAFF_PAGE, kwargs=LAB, setup=peer_report),
        "labs:problem-resolve": [
            Case(STAFF_PAGE, kwargs=REPORT),
            Case(
                only("staff", outcome=REDIRECT),
                kwargs=REPORT,
                method="post",
                data={"resolution": "Fixed in version 2."},
            ),
        ],
        # GET: my rating; only the subject has one (the others get 404: none of their own).
        "api:lab-rating": [
            Case(api(only("subject")), kwargs=LAB, setup=subject_rating),
            Case(
                api(only("subject", refused=400)),
                kwargs=LAB,
                method="post",
                json=True,
                data={"stars": 5},
            ),
        ],
        # GET: the lab's reports (POST, reporting, is every member's: test_ratings.py).
        "api:lab-problems": [
            Case(STAFF_API, kwargs=LAB, setup=peer_report),
            Case(signed_in(201, anonymous=401), kwargs=LAB, method="post", json=True, data=PROBLEM),
        ],
        # Resolving without words is refused (400): staff got past the 404 everyone else gets.
        "api:problem-resolve": Case(
            STAFF_API,
            kwargs=REPORT,
            method="post",
            data={"resolution": "Fixed in version 2."},
            json=True,
        ),
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
# Grading by hand is for the learner's mentors and staff: their manager gets 404 like a colleague.
# Regrades are staff's.


def peer_regrade(org):
    if not hasattr(org, "regrade"):
        from labs.models import Regrade

        lab = lab_of(org)
        org.regrade = Regrade.objects.create(
            lab=lab, version=lab.current_version, total=1, submission_ids=[]
        )
    return org.regrade


def essay_submission(org):
    """The lab's second version adds an answer graded by hand; the subject's attempt at it
    waits for a grader (their mentor, or staff). Submissions of the first version are what a
    regrade against the second takes."""
    if not hasattr(org, "essay"):
        lab_of(org)
        org.essay = graded(lab_with_essay().lab.current_version, org.subject)
    return org.essay


REGRADE = {"pk": lambda org: peer_regrade(org).pk}
ESSAY = {"pk": lambda org: essay_submission(org).pk}
GRADE_BODY = {"item": "essay", "points": 1.5, "comment": "Names the edge case."}
URLS.update(
    {
        "labs:submission-grade": [
            Case(only("mentor", "staff"), kwargs=WAITING),
            Case(
                only("mentor", "staff", outcome=REDIRECT),
                kwargs=ESSAY,
                method="post",
                data=GRADE_BODY,
            ),
        ],
        "labs:submission-regrade": Case(
            {**STAFF_PAGE, "staff": 302}, kwargs=WAITING, method="post"
        ),
        "labs:regrade-start": Case({**STAFF_PAGE, "staff": 302}, kwargs=LAB, method="post"),
        "labs:regrade": Case(STAFF_PAGE, kwargs=REGRADE),
        "labs:regrade-status": Case(STAFF_PAGE, kwargs=REGRADE),
        "api:submission-history": Case(PRIVATE_API, kwargs=SUBMISSION),
        "api:submission-grade": Case(
            api(only("mentor", "staff", outcome=201)),
            kwargs=ESSAY,
            method="post",
            json=True,
            data=GRADE_BODY,
        ),
        "api:submission-regrade": Case({**STAFF_API, "staff": 202}, kwargs=WAITING, method="post"),
        "api:lab-regrades": Case(
            {**STAFF_API, "staff": 202}, kwargs=LAB, method="post", setup=essay_submission
        ),
        "api:regrade-detail": Case(STAFF_API, kwargs=REGRADE),
    }
)

# Admin pages that staff may not use: versions come from `import_lab`, never from a form;
# regrades are started from the lab page or the API, which queue their tasks.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:labs_labversion_add": 403,
    "admin:labs_regrade_add": 403,
}


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
NO_REAL_BODY_YET: set[str] = set()
