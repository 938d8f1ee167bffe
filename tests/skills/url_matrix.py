"""Permission-matrix rows for the skill matrix's pages and API (core/skills).

The person in a URL is `peer`: their matrix, history and forms are for themselves, their
managers and staff; the engineer (a colleague) gets 404. The catalog, a skill's page (names and
levels of who is strong in it), the coverage counts and your own heatmap are for every member.
"""

from tests.url_matrix import LOGIN, Case, signed_in

PEERS_MATRIX = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 200}
PEERS_MATRIX_API = {**PEERS_MATRIX, "anonymous": 401}


def peer(org) -> int:
    return org.peer.pk


URLS: dict[str, Case] = {
    # --- pages ---------------------------------------------------------------------------
    "skills:index": Case(signed_in(200)),
    "skills:person": Case(PEERS_MATRIX, kwargs={"pk": peer}),
    "skills:person-skill": Case(PEERS_MATRIX, kwargs={"pk": peer, "slug": "coding"}),
    "skills:assess": Case(PEERS_MATRIX, kwargs={"pk": peer, "slug": "coding"}),
    "skills:evidence-add": Case(PEERS_MATRIX, kwargs={"pk": peer}),
    "skills:heatmap": Case(signed_in(200)),
    "skills:coverage": Case(signed_in(200)),
    "skills:catalog": Case(signed_in(200)),
    "skills:skill": Case(signed_in(200), kwargs={"slug": "coding"}),
    "skills:review-requests": Case(signed_in(200)),
    "skills:review-request-create": Case(signed_in(200)),
    # --- API -------------------------------------------------------------------------------
    "api:skill-list": Case(signed_in(200, anonymous=401)),
    "api:skill-detail": Case(signed_in(200, anonymous=401), kwargs={"slug": "coding"}),
    "api:person-skills": Case(PEERS_MATRIX_API, kwargs={"pk": peer}),
    "api:skill-heatmap": Case(signed_in(200, anonymous=401)),
    "api:assessment-list": Case(signed_in(200, anonymous=401)),
    "api:evidence-list": Case(signed_in(200, anonymous=401)),
    "api:review-request-list": Case(signed_in(200, anonymous=401)),
}

# Admin pages that refuse even staff, by design: assessments, evidence and review requests are
# append-only (no add, change or delete), skills and targets are retired, never deleted.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:core_assessment_add": 403,
    "admin:core_assessment_delete": 403,
    "admin:core_evidence_add": 403,
    "admin:core_evidence_delete": 403,
    "admin:core_reviewrequest_add": 403,
    "admin:core_reviewrequest_delete": 403,
    "admin:core_skill_delete": 403,
    "admin:core_skilltarget_delete": 403,
}
