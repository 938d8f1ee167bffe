from django.urls import path

from hackathons import views

app_name = "hackathons"

urlpatterns = [
    path("", views.index, name="index"),
    path("ideas/", views.ideas, name="ideas"),
    path("ideas/new/", views.idea_new, name="idea-new"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea"),
    path("ideas/<int:pk>/vote/", views.idea_vote, name="idea-vote"),
    path("ideas/<int:pk>/merge/", views.idea_merge, name="idea-merge"),
    path("ideas/<int:pk>/move/", views.idea_move, name="idea-move"),
    path("showcase/", views.showcase, name="showcase"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/edit/", views.event_edit, name="event-edit"),
    path("events/<slug:slug>/organise/", views.event_organise, name="event-organise"),
    path("events/<slug:slug>/organise/people/", views.event_people, name="event-people"),
    path("events/<slug:slug>/organise/criteria/", views.event_criteria, name="event-criteria"),
    path("events/<slug:slug>/organise/awards/", views.event_awards, name="event-awards"),
    path("events/<slug:slug>/extend/", views.event_extend, name="event-extend"),
    path("events/<slug:slug>/teams/new/", views.team_create, name="team-create"),
    path("events/<slug:slug>/judging/", views.judging, name="judging"),
    path("events/<slug:slug>/judging/<int:pk>/", views.judge_score, name="judge-score"),
    path("events/<slug:slug>/progress/", views.progress, name="progress"),
    path("events/<slug:slug>/publish/", views.publish, name="publish"),
    path("events/<slug:slug>/awards/<int:pk>/", views.award_give, name="award-give"),
    path("events/<slug:slug>/results/", views.results, name="results"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/join/", views.team_join, name="team-join"),
    path("teams/<int:pk>/invite/", views.team_invite, name="team-invite"),
    path("teams/<int:pk>/submission/", views.submission_edit, name="submission-edit"),
    path("requests/<int:pk>/answer/", views.join_answer, name="join-answer"),
    path("projects/<int:pk>/", views.submission_detail, name="submission"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/notebook/", views.attachment_notebook, name="attachment-notebook"),
]
