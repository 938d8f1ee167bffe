"""Permission-matrix rows for the learning paths' pages and API.

Paths are open to every member. A person's progress is private: `peer` is enrolled in a path;
the engineer (a colleague) gets 404, their manager and staff see it. The team page is for
managers (staff who manage nobody get 404, as on mentoring's team page).
"""

from curriculum.models import Audience, Enrolment, Module, Path, Step, StepKind
from tests.url_matrix import LOGIN, Case, signed_in


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
PRIVATE_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 200}
PRIVATE_API = {**PRIVATE_PAGE, "anonymous": 401}
TEAM_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 404}

URLS: dict[str, Case] = {
    "curriculum:index": Case(signed_in(200), setup=path_of),
    "curriculum:team": Case(TEAM_PAGE, setup=path_of),
    "curriculum:person": Case(PRIVATE_PAGE, kwargs=PEER),
    "curriculum:path": Case(signed_in(200), kwargs=PATH),
    "curriculum:enrol": Case(signed_in(405), kwargs=PATH),  # POST only: test_paths.py
    "curriculum:leave": Case(signed_in(405), kwargs=PATH),  # POST only: test_paths.py
    "api:learning-path-list": Case(signed_in(200, anonymous=401), setup=path_of),
    "api:learning-path-detail": Case(signed_in(200, anonymous=401), kwargs=PATH),
    "api:path-enrolments": Case(signed_in(200, anonymous=401)),
    "api:path-progress": Case(PRIVATE_API, kwargs=PEER),
}

# Paths and modules come from the files under curriculum/paths/, not from the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:curriculum_path_add": 403,
    "admin:curriculum_module_add": 403,
}
