from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("availability/", views.availability, name="availability"),
    path("match/", views.match, name="match"),
    path("propose/", views.propose, name="propose"),
    path("find/", views.find, name="find"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship"),
    path("mentorships/<int:pk>/respond/", views.mentorship_respond, name="mentorship-respond"),
    path("mentorships/<int:pk>/end/", views.mentorship_end, name="mentorship-end"),
    path("mentorships/<int:pk>/sessions/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("action-items/<int:pk>/done/", views.action_item_done, name="action-item-done"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/", views.feedback_note, name="feedback-note"),
    path("feedback/requests/", views.feedback_requests, name="feedback-requests"),
    path("cadence/", views.cadence, name="cadence"),
    path("questions/", views.questions, name="questions"),
    path("questions/ask/", views.question_ask, name="question-ask"),
    path("questions/<int:pk>/", views.question_detail, name="question"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question-edit"),
    path("questions/<int:pk>/accept/", views.question_accept, name="question-accept"),
    path("learning/", views.learning, name="learning"),
    path("learning/team/", views.learning_team, name="learning-team"),
]
