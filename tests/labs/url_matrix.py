"""Permission-matrix rows for the labs' pages and API.

The lab is open to every member; a submission belongs to `peer`: the engineer (a colleague)
gets 404, their manager and staff see it.
"""

from labs.format import load_lab
from labs.models import Submission
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


LAB = {"slug": lambda org: lab_of(org).slug}
SUBMISSION = {"pk": lambda org: peer_submission(org).pk}
PRIVATE_PAGE = {"anonymous": "login", "engineer": 404, "manager": 200, "staff": 200}
PRIVATE_API = {**PRIVATE_PAGE, "anonymous": 401}

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
}
