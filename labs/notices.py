"""What this installation says about its grading sandbox, and to whom.

Reduced isolation is the operator's concern: staff read it on the lab pages and on their home
dashboard, the operator in the worker log and in /healthz. Learners are never shown it: they
cannot act on it, and a warning they cannot act on only teaches them to ignore warnings.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from labs import executor

logger = logging.getLogger(__name__)

REDUCED_ISOLATION_WARNING = (
    "This installation grades notebooks without bubblewrap: lab code runs with resource limits "
    "and an empty environment, but it can reach the network and read the files the worker can "
    "read. Fine for trying Cultivate out on your own machine; before real learners submit "
    "notebooks, install bubblewrap and set LABS_SANDBOX=required."
)


def sandbox_state() -> str:
    """ "bubblewrap", "reduced" or "unavailable" (this machine refuses to grade); never raises,
    so that a health check or a page never fails because of it."""
    try:
        return executor.sandbox_mode()
    except executor.SandboxUnavailable:
        return "unavailable"
    except Exception:
        logger.exception("Could not tell which grading sandbox this machine uses.")
        return "unavailable"


def operator_warning(user: AbstractBaseUser | AnonymousUser) -> str:
    """The reduced-isolation warning for staff on this machine, else ''.

    "unavailable" says nothing: the web server may lack bubblewrap while the workers that grade
    (elsewhere) have it, and a worker without it refuses to grade and says so in its log."""
    if not user.is_staff or sandbox_state() != "reduced":
        return ""
    return REDUCED_ISOLATION_WARNING


def sandbox_panel_context(request: HttpRequest) -> dict | None:
    """The staff-only home panel; shown only while grading runs with reduced isolation."""
    warning = operator_warning(request.user)
    return {"warning": warning} if warning else None
