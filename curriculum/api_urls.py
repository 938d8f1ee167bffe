"""The curriculum API, included under /api/ (the `api` namespace) by core/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from curriculum import api

router = SimpleRouter()
router.register("paths", api.LearningPathViewSet, basename="learning-path")

urlpatterns = [
    path("enrolments/", api.EnrolmentView.as_view(), name="path-enrolments"),
    path("people/<int:pk>/paths/", api.PersonProgressView.as_view(), name="path-progress"),
    path("", include(router.urls)),
]
