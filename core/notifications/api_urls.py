"""The notifications API, included under /api/ (the `api` namespace) by core/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from core.notifications import api

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [
    path(
        "notifications/preferences/",
        api.PreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("", include(router.urls)),
]
