"""Pages: your notifications (newest first, unread marked) and where each kind goes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.notifications import selectors, services
from core.notifications.forms import PreferencesForm
from core.shortcuts import own_person, redirect_back

PAGE_SIZE = 25


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(person=person),
        },
    )


@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to what it is about; opening it marks it read."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, person=own_person(request))
    return redirect(notification.link)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, person=own_person(request))
    return redirect_back(request, "notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.notification_mark_all_read(person=own_person(request))
    if marked:
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect_back(request, "notifications:list")


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    person = own_person(request)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        preferences=selectors.preferences_of(person=person),
    )
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_update(person=person, preferences=form.chosen())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
