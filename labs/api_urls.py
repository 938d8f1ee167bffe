from django.urls import path
from rest_framework.routers import DefaultRouter

from labs import api

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("labs", api.LabViewSet, basename="lab")
router.register("submissions", api.SubmissionViewSet, basename="submission")
router.register("reviews", api.ReviewQueueViewSet, basename="review")
router.register("regrades", api.RegradeViewSet, basename="regrade")
router.register("problems", api.ProblemReportViewSet, basename="problem")

urlpatterns = [
    path("grading-health/", api.GradingHealthView.as_view(), name="grading-health"),
    *router.urls,
]
