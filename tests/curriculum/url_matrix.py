"""Permission-matrix rows for the learning paths' pages and API.

Paths are open to every member. A person's progress is private: the subject is enrolled in a
path; a teammate or an outsider gets 404, their manager, their mentor and staff see it. The team
page is for managers (staff who manage nobody get 404, as on mentoring's team page).
"""

from curriculum.models import Audience, Enrolment, Module, Path, Step, StepKind
from tests.url_matrix import REDIRECT, Case, api, only, signed_in


def path_of(org) -> Path:
    if not hasattr(org, "path"):
        org.path = Path.objects.create(
            slug="matrix-path", title="Matrix path", audience=Audience.SENIOR, summary="Test."
        )
        module = Module.objects.create(path=org.path, position=1, title="One", reading="Read.")
        Step.objects.create(module=module, position=1, kind=StepKind.LAB, lab_slug="data-drift")
        Enrolment.objects.create(person=org.peer, path=org.path, enrolled_by=org.manager)
    return org.path


PATH = {"slug": lambda org: path_of(org).slug}
PEER = {"pk": lambda org: (path_of(org), org.peer.pk)[1]}
PRIVATE_PAGE = only("subject", "mentor", "manager", "staff")
PRIVATE_API = api(PRIVATE_PAGE)
TEAM_PAGE = only("manager", "other_manager")

URLS: dict[str, Case | list[Case]] = {
    "curriculum:index": Case(signed_in(200), setup=path_of),
    "curriculum:team": Case(TEAM_PAGE, setup=path_of),
    "curriculum:person": Case(PRIVATE_PAGE, kwargs=PEER),
    "curriculum:path": Case(signed_in(200), kwargs=PATH),
    # Enrolling oneself: anyone; leaving: whoever is enrolled (the subject).
    "curriculum:enrol": [
        Case(signed_in(405), kwargs=PATH),
        Case(signed_in(REDIRECT), kwargs=PATH, method="post"),
    ],
    "curriculum:leave": [
        Case(signed_in(405), kwargs=PATH),
        Case(only("subject", outcome=REDIRECT), kwargs=PATH, method="post", idor=False),
    ],
    "api:learning-path-list": Case(signed_in(200, anonymous=401), setup=path_of),
    "api:learning-path-detail": Case(signed_in(200, anonymous=401), kwargs=PATH),
    "api:path-enrolments": [
        Case(signed_in(200, anonymous=401)),
        Case(
            {**signed_in(201, anonymous=401), "subject": 400},
            method="post",
            json=True,
            data=lambda org: {"path": path_of(org).slug},
        ),  # the subject is enrolled already
    ],
    "api:path-progress": Case(PRIVATE_API, kwargs=PEER),
}

# Paths and modules come from the files under curriculum/paths/, not from the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:curriculum_path_add": 403,
    "admin:curriculum_module_add": 403,
}


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
NO_REAL_BODY_YET: set[str] = set()
