"""The audit API, included under /api/ (the `api` namespace) by core/urls.py."""

from rest_framework.routers import SimpleRouter

from core.audit import api

router = SimpleRouter()
router.register("audit", api.AuditEventViewSet, basename="audit")

urlpatterns = router.urls
