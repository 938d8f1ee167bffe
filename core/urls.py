from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core import api, views
from core.audit import views as audit_views

# The admin signs in through allauth like everything else: rate limits and two-factor apply.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Cultivate administration"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("teams", api.TeamViewSet, basename="team")
router.register("people", api.PersonViewSet, basename="person")

api_urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("schema/", api.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    path("", include("core.skills.api_urls")),
    path("", include("core.notifications.api_urls")),
    path("", include("core.audit.api_urls")),
    path("", include("labs.api_urls")),
    path("", include("mentoring.api_urls")),
    path("", include("hackathons.api_urls")),
    path("", include("curriculum.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people_directory, name="people-directory"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/erase/", views.person_erase_view, name="person-erase"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("team/", views.my_reports, name="my-reports"),
    path("collaboration/", views.collaboration_view, name="collaboration"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("account/data/", views.account_data, name="account-data"),
    path("welcome/", views.onboarding_view, name="onboarding"),
    path("welcome/skills/", views.onboarding_assess, name="onboarding-assess"),
    path("welcome/learning/", views.onboarding_learn, name="onboarding-learn"),
    path("welcome/finish/", views.onboarding_finish, name="onboarding-finish"),
    path("skills/", include("core.skills.urls")),
    path("notifications/", include("core.notifications.urls")),
    path("labs/", include("labs.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("hackathons/", include("hackathons.urls")),
    path("paths/", include("curriculum.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api_urlpatterns, "api"))),
]
