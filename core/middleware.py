from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

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
