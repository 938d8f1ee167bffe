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
