import logging
import sys

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.signals import got_request_exception
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

# Pages a staff member without two-factor authentication may still reach: setting it up,
# signing out. (Static files are served by whitenoise before any middleware runs.)
_MFA_SETUP_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/")


class StaffMFARequiredMiddleware:
    """Staff accounts can do everything, so they must use TOTP before they do anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up_mfa(request):
            message = "Staff accounts must set up two-factor authentication before continuing."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up_mfa(self, request: HttpRequest) -> bool:
        user = request.user
        if not (settings.STAFF_MFA_REQUIRED and user.is_authenticated and user.is_staff):
            return False
        if request.path.startswith(_MFA_SETUP_PREFIXES):
            return False
        return not is_mfa_enabled(user, types=["totp"])


NUL_MESSAGE = "Text cannot contain the NUL character (\\0). Remove it and try again."


def holds_nul(value) -> bool:
    """Whether a parsed request value (a string, or lists and dicts of them) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def nul_refused(request: HttpRequest) -> HttpResponse:
    """400 in the product's words: JSON for the API, the error page for a person."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NUL_MESSAGE}, status=400)
    return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)


class RefuseNulMiddleware:
    """PostgreSQL cannot store or even compare text holding a NUL character: such a value
    reaching a query is a 500 (psycopg's DataError). A NUL in the path, the query string or an
    URL-encoded form is refused here with a 400; JSON bodies are refused by the API's parser
    (core.parsers), and multipart forms, which this must not parse before the upload views
    check their size, by their fields' validators (Django's and DRF's CharField refuse NUL).
    Whatever still reaches the database is answered 400 by `process_exception`, never 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or holds_nul(dict(request.GET.lists())):
            return nul_refused(request)
        if request.content_type == "application/x-www-form-urlencoded" and holds_nul(
            dict(request.POST.lists())
        ):
            return nul_refused(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DataError) and "NUL" in str(exception):
            return nul_refused(request)
        return None


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: a Content Security Policy (scripts
    only from this site's own files, never inline; `settings.CONTENT_SECURITY_POLICY`) and a
    Permissions-Policy that turns off what Cultivate never uses. A view that sets its own keeps
    it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# What an HTML form sends (and a browser's preflight): every page, ours, allauth's or the
# admin's, is one. Only the API takes PUT, PATCH and DELETE.
PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class PageMethodsMiddleware:
    """A PUT, PATCH or DELETE to a page is refused (405) before any view sees it: some views
    (allauth's among them) would otherwise treat it like a GET or a POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS and not request.path.startswith("/api/"):
            return HttpResponseNotAllowed(PAGE_METHODS[:3])
        return self.get_response(request)


DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_DOWN_MESSAGE = (
    "Cultivate cannot reach its database just now. Please try again in a minute; if you were "
    "saving something, check afterwards that it is there."
)
DATABASE_DOWN_RETRY_AFTER = 30  # seconds: a database restart or a failover takes about that


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 in the product's words, made without the database: JSON for the API; for a person,
    a static page (templates/503.html) rendered without the request, so that no context
    processor runs a query."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_DOWN_MESSAGE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
    return response


def _note_database_error(sender, request=None, **kwargs) -> None:
    """Django turns an exception into a 500 page at the middleware that raised it, so an outer
    middleware never sees the exception itself; it hears of it through this signal, sent while
    the exception is being handled."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request._database_unavailable = True


got_request_exception.connect(_note_database_error, dispatch_uid="core.middleware.database")


class DatabaseUnavailableMiddleware:
    """The database unreachable (down, restarting, failing over, a network cut) is a 503 with a
    clear message and a Retry-After header, never the generic 500 page. A view's error is
    caught by `process_exception`; one raised by the middleware inside this one (the session
    loaded or saved, the signed-in user looked up) has already become a 500 response by the
    time it gets here, which `_note_database_error` marks for replacing. So this sits outside
    the session and authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_database_unavailable", False):
            return database_unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning(
            "%s %s: the database is unavailable, answered 503",
            request.method,
            request.path,
            exc_info=exception,
        )
        return database_unavailable(request)
