"""Notifications are written by the apps' tasks: the admin shows them, read-only. Notifications
about answers to questions are left out: a question may be anonymous, and whom its answers were
announced to would name the asker."""

from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin
from core.notifications.models import Notification, NotificationKind, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at", "shown"]
    list_filter = ["kind", "shown", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient__user"]
    search_fields = ["recipient__user__username", "recipient__user__last_name", "title"]
    date_hierarchy = "created_at"
    view_on_site = False  # the page of a notification opens for its recipient only

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(kind=NotificationKind.QUESTION_ANSWERED)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyModelAdmin):
    list_display = ["person", "kind", "in_app", "email"]
    list_filter = ["kind", "in_app", "email"]
    list_select_related = ["person__user"]
    search_fields = ["person__user__username", "person__user__last_name"]
