from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.admin_base import StrictAdminMixin, StrictModelAdmin, strict_site
from core.audit.models import AuditAction
from core.audit.services import audit_record
from core.models import Person, Team, WorkerHeartbeat

# Changes to these fields change what someone may see or do: the audit log records them.
USER_ROLE_FIELDS = ("is_staff", "is_superuser", "is_active", "groups", "user_permissions")
PERSON_ROLE_FIELDS = ("manager",)


def audit_role_change(request, form, obj, fields, subject) -> None:
    """Record a role change made in the admin: which role fields changed, to what (ids)."""
    changed = [name for name in fields if name in form.changed_data]
    if not changed:
        return
    detail = {name: _plain(form.cleaned_data.get(name)) for name in changed}
    audit_record(
        actor=request.user,
        action=AuditAction.ROLE_CHANGE,
        subject=subject,
        obj=obj,
        detail=detail,
        request=request,
    )


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "values_list"):  # groups, permissions
        return sorted(value.values_list("pk", flat=True))
    return value


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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            audit_role_change(request, form, obj, PERSON_ROLE_FIELDS, subject=obj)


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

    def save_related(self, request, form, formsets, change) -> None:
        # After the groups are saved, so that the record says what they are now.
        super().save_related(request, form, formsets, change)
        if not change:
            return
        person = Person.objects.filter(user=form.instance).first()
        audit_role_change(request, form, form.instance, USER_ROLE_FIELDS, subject=person)
        for formset in formsets:
            for inline_form in formset.forms:
                if inline_form.instance.pk and inline_form.has_changed():
                    audit_role_change(
                        request,
                        inline_form,
                        inline_form.instance,
                        PERSON_ROLE_FIELDS,
                        subject=inline_form.instance,
                    )


# The skill catalog and matrix, the notifications and the audit log register their own admin
# pages.
import core.audit.admin  # noqa: E402, F401
import core.notifications.admin  # noqa: E402, F401
import core.skills.admin  # noqa: E402, F401

# The apps listed before `core` in INSTALLED_APPS (auth, allauth, DRF's tokens…) have registered
# their admins by now: they filter only by what they declare too (`?password__startswith=` is an
# oracle like any other). Our apps after `core` derive from StrictModelAdmin themselves.
strict_site(admin.site)
