"""The skill matrix API, included under /api/ (the `api` namespace) by core/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from core.skills import api

router = SimpleRouter()
router.register("skills", api.SkillViewSet, basename="skill")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("evidence", api.EvidenceViewSet, basename="evidence")
router.register("review-requests", api.ReviewRequestViewSet, basename="review-request")

urlpatterns = [
    path("people/<int:pk>/skills/", api.PersonMatrixView.as_view(), name="person-skills"),
    path("skill-heatmap/", api.HeatmapView.as_view(), name="skill-heatmap"),
    path("", include(router.urls)),
]
