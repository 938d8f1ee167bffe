"""The mentoring API, included under /api/ (the `api` namespace) by core/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from mentoring import api

router = SimpleRouter()
router.register("mentorships", api.MentorshipViewSet, basename="mentorship")
router.register("mentoring-sessions", api.SessionViewSet, basename="mentoring-session")
router.register("feedback-notes", api.FeedbackNoteViewSet, basename="feedback-note")
router.register("feedback-requests", api.FeedbackRequestViewSet, basename="feedback-request")
router.register("questions", api.QuestionViewSet, basename="question")
router.register("learning-time", api.LearningEntryViewSet, basename="learning-entry")

urlpatterns = [
    path("mentoring/availability/", api.AvailabilityView.as_view(), name="mentor-availability"),
    path("mentoring/matches/", api.MatchView.as_view(), name="mentor-matches"),
    path("mentoring/cadence/", api.CadenceView.as_view(), name="mentoring-cadence"),
    path("learning-time/weeks/", api.LearningWeeksView.as_view(), name="learning-weeks"),
    path("learning-time/team/", api.TeamLearningView.as_view(), name="learning-team"),
    path("", include(router.urls)),
]
