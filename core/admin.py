from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.admin_base import StrictAdminMixin, StrictModelAdmin, strict_site
from core.models import Person, Team, WorkerHeartbeat


@admin.register(Team)
class TeamAdmin(StrictModelAdmin):
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(StrictModelAdmin):
    list_display = ["__str__", "team", "manager", "career_stage", "title", "joined_on"]
    list_filter = ["career_stage", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title"]
    autocomplete_fields = ["user", "team", "manager"]
    list_select_related = ["user", "team", "manager__user"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(StrictModelAdmin):
    list_display = ["hostname", "seen_at"]
    readonly_fields = ["hostname", "seen_at"]


class PersonInline(admin.StackedInline):
    model = Person
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ["team", "manager"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CultivateUserAdmin(StrictAdminMixin, UserAdmin):
    """Accounts with their place in the organisation, edited together (invitation-only sign-up)."""

    inlines = [PersonInline]


# The skill catalog and matrix register their own admin pages.
import core.skills.admin  # noqa: E402, F401

# The apps listed before `core` in INSTALLED_APPS (auth, allauth, DRF's tokens…) have registered
# their admins by now: they filter only by what they declare too (`?password__startswith=` is an
# oracle like any other). Our apps after `core` derive from StrictModelAdmin themselves.
strict_site(admin.site)
