"""Helpers every app's pages and API use, one copy each (STYLE.md: one copy of each helper).

Pages: the signed-in person (404 without a profile), a service's validation errors on a form or as
messages. API: the same person (404), a service's `ValidationError` as a 400 naming its fields and
its `PermissionDenied` as a 404, so that nobody learns that an object they may not see exists.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from core.models import Person
from core.selectors import person_of

NO_PROFILE = "This account has no profile in the organisation."

# --- Pages ----------------------------------------------------------------------------------


def own_person(request: HttpRequest) -> Person:
    """The signed-in person; an account without a profile gets a 404 page."""
    person = person_of(request.user)
    if person is None:
        raise Http404(NO_PROFILE)
    return person


def show_form_errors(form, error: DjangoValidationError) -> None:
    """A service's validation errors on the form: on their field if it has one, else on top."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, errors in by_field.items():
        form.add_error(name if name in form.fields else None, errors)


def show_error_messages(request: HttpRequest, error: DjangoValidationError) -> None:
    """A service's validation errors as messages, for actions that have no form to show."""
    for text in error.messages:
        messages.error(request, text)


# --- API ------------------------------------------------------------------------------------


def api_person(request: Request) -> Person:
    """The signed-in person; an account without a profile gets a 404."""
    person = person_of(request.user)
    if person is None:
        raise NotFound(NO_PROFILE)
    return person


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's validation error, as a 400 naming the fields."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError(error.messages)


def validated(serializer_class, request: Request) -> dict:
    """The request's data through a serializer; invalid data is a 400."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def call_service(service, **kwargs):
    """A service call from the API: ValidationError is a 400, PermissionDenied a 404."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_api_error(error) from error
    except DjangoPermissionDenied as error:
        raise NotFound() from error


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the form's `next` when it is a path on this site, else to `default`: never
    off-site (an open redirect), whatever the POST says."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def staff_only(user) -> None:
    """A 404 for anyone but active staff: pages and endpoints for the curriculum's authors and
    operators (Django's Http404 is a 404 in the API too)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404("No such page.")
