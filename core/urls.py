from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from core import api, views

# The admin signs in through allauth like everything else: rate limits and two-factor apply.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Cultivate administration"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("teams", api.TeamViewSet, basename="team")
router.register("people", api.PersonViewSet, basename="person")

api_urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    path("", include("core.skills.api_urls")),
    path("", include("labs.api_urls")),
    path("", include("mentoring.api_urls")),
    path("", include("hackathons.api_urls")),
    path("", include("curriculum.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people_directory, name="people-directory"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("team/", views.my_reports, name="my-reports"),
    path("skills/", include("core.skills.urls")),
    path("labs/", include("labs.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("hackathons/", include("hackathons.urls")),
    path("paths/", include("curriculum.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api_urlpatterns, "api"))),
]
