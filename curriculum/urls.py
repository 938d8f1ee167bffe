from django.urls import path

from curriculum import views

app_name = "curriculum"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/", views.team, name="team"),
    path("people/<int:pk>/", views.person_progress, name="person"),
    path("<slug:slug>/", views.path_detail, name="path"),
    path("<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
]
