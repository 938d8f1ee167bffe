"""The hackathons API, included under /api/ (the `api` namespace) by core/urls.py.

`/api/teams/<id>/submission/` sits beside core's `/api/teams/<slug>/` (organisation teams):
only the longer paths with an integer id are ours."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from hackathons import api

router = SimpleRouter()
router.register("ideas", api.IdeaViewSet, basename="idea")
router.register("hackathons", api.EventViewSet, basename="hackathon")
router.register("hackathon-teams", api.HackathonTeamViewSet, basename="hackathon-team")

urlpatterns = [
    path(
        "teams/<int:pk>/submission/",
        api.TeamSubmissionView.as_view(),
        name="hackathon-team-submission",
    ),
    path(
        "teams/<int:pk>/submission/attachments/",
        api.SubmissionAttachmentView.as_view(),
        name="hackathon-team-attachments",
    ),
    path(
        "join-requests/<int:pk>/answer/",
        api.JoinRequestAnswerView.as_view(),
        name="hackathon-join-answer",
    ),
    path("", include(router.urls)),
]
