from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("", views.lab_list, name="index"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("health/", views.grading_health, name="health"),
    path("people/<int:pk>/gradebook/", views.learner_gradebook, name="learner-gradebook"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission-review"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/grade/", views.submission_grade, name="submission-grade"),
    path("submissions/<int:pk>/regrade/", views.submission_regrade, name="submission-regrade"),
    path("regrades/<int:pk>/", views.regrade_detail, name="regrade"),
    path("regrades/<int:pk>/status/", views.regrade_status, name="regrade-status"),
    path("submissions/<int:pk>/status/", views.submission_status, name="submission-status"),
    path("submissions/<int:pk>/feedback/", views.submission_feedback, name="submission-feedback"),
    path("problems/<int:pk>/resolve/", views.lab_problem_resolve, name="problem-resolve"),
    path("<slug:slug>/", views.lab_detail, name="detail"),
    path("<slug:slug>/notebook/", views.lab_notebook, name="notebook"),
    path("<slug:slug>/submit/", views.lab_submit, name="submit"),
    path("<slug:slug>/gradebook/", views.lab_gradebook, name="gradebook"),
    path("<slug:slug>/gradebook.csv", views.lab_gradebook_csv, name="gradebook-csv"),
    path("<slug:slug>/analytics/", views.lab_analytics, name="analytics"),
    path("<slug:slug>/rate/", views.lab_rate, name="rate"),
    path("<slug:slug>/problems/", views.lab_problems, name="problems"),
    path("<slug:slug>/problems/new/", views.lab_report_problem, name="report-problem"),
    path("<slug:slug>/regrade/", views.lab_regrade, name="regrade-start"),
]
