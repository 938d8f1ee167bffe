from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
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
