"""Sign-up policy and account creation for django-allauth."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core.onboarding import is_onboarded
from core.selectors import person_of
from core.services import person_create


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.SIGNUP_POLICY != "invite"

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if settings.SIGNUP_POLICY == "domains" and _is_signup_request(self.request):
            domain = email.rsplit("@", 1)[-1].lower()
            if domain not in settings.SIGNUP_ALLOWED_DOMAINS:
                allowed = ", ".join(settings.SIGNUP_ALLOWED_DOMAINS) or "none"
                raise forms.ValidationError(
                    f"Sign-up is open to addresses at these domains only: {allowed}."
                )
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            person_create(user=user)
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Home, or for a newcomer who has not finished setting up, the onboarding pages."""
        if not is_onboarded(person_of(request.user)):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        if not is_onboarded(person_of(request.user)):
            return reverse("onboarding")
        return super().get_signup_redirect_url(request)

    def post_login(self, request, user, *, redirect_url=None, **kwargs):
        # Whoever opens the site signed out is sent to sign in with next=/ (Django's
        # LoginRequiredMiddleware); for a newcomer the start is onboarding, not home. A `next`
        # to any other page (a link in an e-mail) is kept: home's notice brings them back.
        if not is_onboarded(person_of(user)) and _goes_home(request, redirect_url):
            redirect_url = reverse("onboarding")
        return super().post_login(request, user, redirect_url=redirect_url, **kwargs)


def _goes_home(request: HttpRequest, redirect_url) -> bool:
    target = redirect_url() if callable(redirect_url) else redirect_url
    target = target or get_next_redirect_url(request)
    return not target or target == reverse("home")


def _is_signup_request(request: HttpRequest | None) -> bool:
    # clean_email also runs when a signed-in person adds an address; the domain rule is about
    # who may join, so it applies to sign-up only.
    return request is None or not request.user.is_authenticated
