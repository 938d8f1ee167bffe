"""Permission-matrix rows for core's URLs: pages, API, sign-in and account management."""

from core.notifications.models import Notification, NotificationKind
from core.services import worker_heartbeat_record
from tests.factories import PASSWORD
from tests.url_matrix import HOME, LOGIN, REDIRECT, Case, api, everyone, only, signed_in

PUBLIC_ENTRANCE = signed_in(HOME, anonymous=200)
NEW_PASSWORD = "another-long-password-77"
NEWCOMER = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "password1": NEW_PASSWORD,
    "password2": NEW_PASSWORD,
}


def notification_of(org) -> Notification:
    """The subject's own notification: theirs to open and mark read; everyone else, their
    manager and staff included, finds nothing (404)."""
    if not hasattr(org, "notification"):
        org.notification = Notification.objects.create(
            recipient=org.subject,
            kind=NotificationKind.FEEDBACK_RECEIVED,
            title="Peer wrote you feedback",
            link="/mentoring/feedback/",
            dedupe_key="matrix",
        )
    return org.notification


NOTIFICATION = {"pk": lambda org: notification_of(org).pk}
OWN_PAGE = only("subject", outcome=REDIRECT)
OWN_API = api(only("subject"))
# A person's page: themselves, their managers, their mentor, staff.
PERSON_PAGE = only("subject", "manager", "mentor", "staff")
MANAGERS_PAGE = only("manager", "other_manager", "staff")
STAFF_PAGE = only("staff")

URLS: dict[str, Case | list[Case]] = {
    # --- pages ---------------------------------------------------------------------------
    "home": Case(signed_in(200)),
    "people-directory": Case(signed_in(200)),
    "person-detail": Case(PERSON_PAGE, kwargs={"pk": lambda org: org.peer.pk}),
    "profile-edit": [
        Case(signed_in(200)),
        Case(
            signed_in(REDIRECT),
            method="post",
            data={"title": "ML Engineer", "timezone": "Europe/Berlin", "bio": "Drift."},
        ),
    ],
    "team-list": Case(signed_in(200)),
    "team-detail": Case(signed_in(200), kwargs={"slug": lambda org: org.peer.team.slug}),
    "my-reports": Case(signed_in(200)),
    "collaboration": Case(MANAGERS_PAGE),
    # "I don't know yet" for a manager: saved where nothing was set, a no-op where it was.
    "onboarding": [
        Case(signed_in(200)),
        Case(signed_in(REDIRECT), method="post", data={"manager": ""}),
    ],
    "audit": Case(STAFF_PAGE),
    "account-data": Case(signed_in(200)),
    # Erasing the subject: staff alone, once they typed the username (rolled back after).
    "person-erase": [
        Case(STAFF_PAGE, kwargs={"pk": lambda org: org.peer.pk}),
        Case(
            only("staff", outcome=REDIRECT),
            kwargs={"pk": lambda org: org.peer.pk},
            method="post",
            data=lambda org: {"username": org.subject.user.username},
        ),
    ],
    "onboarding-assess": [
        Case(signed_in(200)),
        Case(signed_in(REDIRECT), method="post", data={"level": 2, "note": ""}),
    ],
    "onboarding-learn": Case(signed_in(200)),
    "onboarding-finish": Case(signed_in(HOME), method="post"),
    "notifications:list": Case(signed_in(200)),
    "notifications:open": Case(OWN_PAGE, kwargs=NOTIFICATION),
    "notifications:read": Case(OWN_PAGE, kwargs=NOTIFICATION, method="post"),
    "notifications:read-all": Case(signed_in(REDIRECT), method="post"),
    "notifications:preferences": [
        Case(signed_in(200)),
        Case(signed_in(REDIRECT), method="post", data={}),
    ],
    # Healthy needs a worker seen lately; without one it is 503 (tests/core/test_health.py).
    "healthz": Case(everyone(200), setup=lambda org: worker_heartbeat_record(hostname="matrix")),
    # --- API (refused, not redirected, for anonymous callers) -------------------------------
    "api:api-root": Case(signed_in(200, anonymous=401)),
    # Anyone may exchange a username and password for a token (no session needed).
    "api:token": [
        Case(everyone(405)),
        Case(
            everyone(200),
            method="post",
            json=True,
            data={"username": "mentor", "password": PASSWORD},
        ),
    ],
    "api:schema": Case(signed_in(200, anonymous=401)),
    "api:docs": Case(signed_in(200, anonymous=401)),
    "api:team-list": Case(signed_in(200, anonymous=401)),
    "api:team-detail": Case(
        signed_in(200, anonymous=401), kwargs={"slug": lambda org: org.peer.team.slug}
    ),
    "api:person-list": Case(signed_in(200, anonymous=401)),
    "api:person-me": Case(signed_in(200, anonymous=401)),
    "api:person-detail": Case(api(PERSON_PAGE), kwargs={"pk": lambda org: org.peer.pk}),
    "api:notification-list": Case(signed_in(200, anonymous=401)),
    "api:audit-list": Case(api(STAFF_PAGE)),
    "api:notification-read": Case(OWN_API, kwargs=NOTIFICATION, method="post"),
    "api:notification-read-all": Case(signed_in(200, anonymous=401), method="post"),
    "api:notification-preferences": [
        Case(signed_in(200, anonymous=401)),
        Case(signed_in(200, anonymous=401), method="put", json=True, data={"preferences": []}),
    ],
    # --- sign-in, sign-up, password reset: open to anonymous visitors -------------------------
    # Each form posted as its user would: a visitor signs in or up; members are sent home.
    "account_login": [
        Case(PUBLIC_ENTRANCE),
        Case(
            signed_in(HOME, anonymous=HOME),
            method="post",
            data={"login": "mentor", "password": PASSWORD},
        ),
    ],
    "account_signup": [
        Case(PUBLIC_ENTRANCE),
        Case(signed_in(HOME, anonymous=REDIRECT), method="post", data=NEWCOMER),
    ],
    "account_reset_password": [
        Case(everyone(200)),
        Case(everyone(REDIRECT), method="post", data={"email": "mentor@example.com"}),
    ],
    "account_reset_password_done": Case(everyone(200)),
    "account_reset_password_from_key": [
        Case(  # a key that is not real: the form says so
            everyone(200), kwargs={"uidb36": "1", "key": "not-a-real-key"}
        ),
        Case(everyone(200), kwargs={"uidb36": "1", "key": "not-a-real-key"}, method="post"),
    ],
    "account_reset_password_from_key_done": Case(everyone(200)),
    "account_email_verification_sent": Case(everyone(200)),
    "account_confirm_email": [
        Case(everyone(200), kwargs={"key": "not-a-real-key"}),
        Case(everyone(404), kwargs={"key": "not-a-real-key"}, method="post"),
    ],
    "account_inactive": Case(everyone(200)),
    # Steps inside a sign-in in progress: without one, back to the start.
    "account_confirm_login_code": [
        Case(signed_in(HOME)),
        Case(signed_in(HOME), method="post", data={"code": "123456"}),
    ],
    "mfa_authenticate": [Case(signed_in(HOME)), Case(signed_in(HOME), method="post")],
    "socialaccount_login_cancelled": Case(everyone(200)),
    "socialaccount_login_error": Case(signed_in(401)),
    "socialaccount_signup": [
        Case(everyone(LOGIN)),
        Case(everyone(LOGIN), method="post"),
    ],  # only inside a pending social sign-in
    # --- account management: signed-in people only -------------------------------------------
    "account_logout": [Case(signed_in(200)), Case(everyone(LOGIN), method="post")],
    "account_email": [
        Case(signed_in(200)),
        # allauth adds no address to an account with two-factor set up (staff here): the form
        # says so.
        Case(
            {**signed_in(REDIRECT), "staff": 200},
            method="post",
            data={"action_add": "", "email": "second@example.com"},
        ),
    ],
    "account_change_password": [
        Case(signed_in(200)),
        Case(
            signed_in(REDIRECT),
            method="post",
            data={"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
    ],
    # They have a password: go to change it.
    "account_set_password": [
        Case(signed_in(REDIRECT)),
        Case(
            signed_in(REDIRECT),
            method="post",
            data={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
    ],
    "account_reauthenticate": [
        Case(signed_in(200)),
        Case(signed_in(HOME), method="post", data={"password": PASSWORD}),
    ],
    # Codes by e-mail are off: both go back.
    "account_request_reauthentication_code": [
        Case(signed_in(REDIRECT)),
        Case(signed_in(REDIRECT), method="post"),
    ],
    "account_confirm_reauthentication_code": [
        Case(signed_in(REDIRECT)),
        Case(signed_in(REDIRECT), method="post", data={"code": "123456"}),
    ],
    "mfa_index": Case(signed_in(200)),
    # Two-factor: only staff have a TOTP device in the fixture; nobody has recovery codes yet.
    "mfa_reauthenticate": [
        Case({**signed_in(REDIRECT), "staff": 200}),
        Case({**signed_in(REDIRECT), "staff": 200}, method="post"),
    ],
    "mfa_activate_totp": [
        Case(signed_in(REDIRECT)),
        Case(signed_in(REDIRECT), method="post"),
    ],  # asks for the password again first
    "mfa_deactivate_totp": [
        Case({**signed_in(404), "staff": REDIRECT}),
        Case({**signed_in(404), "staff": REDIRECT}, method="post"),
    ],
    "mfa_view_recovery_codes": Case(signed_in(404)),
    "mfa_generate_recovery_codes": [
        Case(signed_in(REDIRECT)),
        Case(signed_in(REDIRECT), method="post"),
    ],
    "mfa_download_recovery_codes": [Case(signed_in(404)), Case(signed_in(404), method="post")],
    "socialaccount_connections": [Case(signed_in(200)), Case(signed_in(200), method="post")],
}

# Notifications are written by the apps' tasks, never added or edited in the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:core_notification_add": 403,
    "admin:core_notificationpreference_add": 403,
    "admin:core_auditevent_add": 403,  # append-only: written by the product, never by hand
    "admin:core_auditevent_delete": 403,
}


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
# allauth's pages that need a state no row sets up: a social sign-in that failed or is pending,
# recovery codes.
NO_REAL_BODY_YET: set[str] = {
    "socialaccount_login_error",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "socialaccount_signup",
}
