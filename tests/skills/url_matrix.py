"""Permission-matrix rows for the skill matrix's pages and API (core/skills).

The person in a URL is the subject: their matrix, history and forms are for themselves, their
managers, their mentor and staff; anyone else (a teammate, another branch's manager) gets 404.
The catalog, a skill's page (names and levels of who is strong in it), the coverage counts and
your own heatmap are for every member.
"""

from tests.url_matrix import REDIRECT, Case, api, only, signed_in

PEERS_MATRIX = only("subject", "manager", "mentor", "staff")
PEERS_MATRIX_API = api(PEERS_MATRIX)


def peer(org) -> int:
    return org.peer.pk


ASSESS_BODY = {"level": 2, "note": "Writes tests first."}
EVIDENCE = {"skill": "coding", "kind": "external_link", "title": "Drift PR",
            "url": "https://example.com/pr/1", "note": ""}  # fmt: skip
# Assessing the subject, or adding evidence about them: themselves, their manager, their mentor
# and staff; anyone else finds no such person (404).
ASSESSORS_FORM = only("subject", "manager", "mentor", "staff", outcome=REDIRECT)
ASSESSORS_API = api(only("subject", "manager", "mentor", "staff", outcome=201))


def review_request(org) -> dict:
    """Asking the manager to review one's coding: theirs to ask (the subject, the teammate)."""
    return {"reviewer": org.manager.pk, "skill": "coding", "message": "Please look at my tests."}


URLS: dict[str, Case | list[Case]] = {
    # --- pages ---------------------------------------------------------------------------
    "skills:index": Case(signed_in(200)),
    "skills:person": Case(PEERS_MATRIX, kwargs={"pk": peer}),
    "skills:person-skill": Case(PEERS_MATRIX, kwargs={"pk": peer, "slug": "coding"}),
    "skills:assess": [
        Case(PEERS_MATRIX, kwargs={"pk": peer, "slug": "coding"}),
        Case(
            ASSESSORS_FORM, kwargs={"pk": peer, "slug": "coding"}, method="post", data=ASSESS_BODY
        ),
    ],
    "skills:evidence-add": [
        Case(PEERS_MATRIX, kwargs={"pk": peer}),
        Case(ASSESSORS_FORM, kwargs={"pk": peer}, method="post", data=EVIDENCE),
    ],
    "skills:heatmap": Case(signed_in(200)),
    "skills:coverage": Case(signed_in(200)),
    "skills:catalog": Case(signed_in(200)),
    "skills:skill": Case(signed_in(200), kwargs={"slug": "coding"}),
    "skills:review-requests": Case(signed_in(200)),
    "skills:review-request-create": [
        Case(signed_in(200)),
        Case(
            only("subject", "teammate", outcome=REDIRECT, refused=400),
            method="post",
            data=review_request,
        ),
    ],
    # --- API -------------------------------------------------------------------------------
    "api:skill-list": Case(signed_in(200, anonymous=401)),
    "api:skill-detail": Case(signed_in(200, anonymous=401), kwargs={"slug": "coding"}),
    "api:person-skills": Case(PEERS_MATRIX_API, kwargs={"pk": peer}),
    "api:skill-heatmap": Case(signed_in(200, anonymous=401)),
    "api:assessment-list": [
        Case(signed_in(200, anonymous=401)),
        Case(
            ASSESSORS_API,
            method="post",
            json=True,
            data=lambda org: {"subject": org.subject.pk, "skill": "coding", **ASSESS_BODY},
        ),
    ],
    "api:evidence-list": [
        Case(signed_in(200, anonymous=401)),
        Case(
            ASSESSORS_API,
            method="post",
            json=True,
            data=lambda org: {"person": org.subject.pk, **EVIDENCE},
        ),
    ],
    "api:review-request-list": [
        Case(signed_in(200, anonymous=401)),
        Case(
            api(only("subject", "teammate", outcome=201, refused=400)),
            method="post",
            json=True,
            data=review_request,
        ),
    ],
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


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
NO_REAL_BODY_YET: set[str] = set()
