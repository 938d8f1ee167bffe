"""Sign-up policy and account creation for django-allauth."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest

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


def _is_signup_request(request: HttpRequest | None) -> bool:
    # clean_email also runs when a signed-in person adds an address; the domain rule is about
    # who may join, so it applies to sign-up only.
    return request is None or not request.user.is_authenticated
