from django.urls import path

from core.skills import views

app_name = "skills"

urlpatterns = [
    path("", views.my_matrix, name="index"),
    path("person/<int:pk>/", views.person_matrix, name="person"),
    path("person/<int:pk>/evidence/new/", views.evidence_add, name="evidence-add"),
    path("person/<int:pk>/skill/<slug:slug>/", views.person_skill, name="person-skill"),
    path("person/<int:pk>/skill/<slug:slug>/assess/", views.assess, name="assess"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("coverage/", views.coverage, name="coverage"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<slug:slug>/", views.skill_detail, name="skill"),
    path("reviews/", views.review_requests, name="review-requests"),
    path("reviews/new/", views.review_request_create, name="review-request-create"),
]
