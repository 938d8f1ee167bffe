from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("", views.lab_list, name="index"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("people/<int:pk>/gradebook/", views.learner_gradebook, name="learner-gradebook"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission-review"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/status/", views.submission_status, name="submission-status"),
    path("submissions/<int:pk>/feedback/", views.submission_feedback, name="submission-feedback"),
    path("<slug:slug>/", views.lab_detail, name="detail"),
    path("<slug:slug>/notebook/", views.lab_notebook, name="notebook"),
    path("<slug:slug>/submit/", views.lab_submit, name="submit"),
    path("<slug:slug>/gradebook/", views.lab_gradebook, name="gradebook"),
    path("<slug:slug>/gradebook.csv", views.lab_gradebook_csv, name="gradebook-csv"),
]
