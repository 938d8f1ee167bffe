"""The base of every admin page in Cultivate: a changelist filters and sorts only by what its
admin declares.

Out of the box, Django's changelist accepts any lookup on the model's own fields in the query
string (`?author=7`, `?body__contains=…`, `?password__startswith=…`), including fields the page
never shows. On a model with anonymous or private data that makes the list an oracle: one row
for the right guess, none for a wrong one. Here a query-string lookup is allowed only when a
declared `list_filter` or the `date_hierarchy` sends it, and `?o=` sorts only by the columns
in `sortable_by` (by default the displayed ones). Anything else answers Django's "disallowed
lookup" 400, never a filtered list.

Every admin of the project derives from `StrictModelAdmin` (or mixes in `StrictAdminMixin`);
`strict_site` wraps the admins that other apps register.
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.db.models import Field

DATE_HIERARCHY_PARTS = ("year", "month", "day")


class StrictChangeList(ChangeList):
    def get_ordering_field(self, field_name):
        # Django sorts by any displayed column named in `?o=`, even one `sortable_by` leaves out.
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class StrictAdminMixin:
    """For a `ModelAdmin` subclass: query-string lookups only from declared filters."""

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup in self.declared_lookups(request) or self._limits_raw_id_popup(lookup, value)

    def declared_lookups(self, request) -> set[str]:
        """Every query-string parameter that the declared filters and date drill-down send."""
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        lookups = set()
        for item in list_filter:
            lookups.update(self._filter_for(item, request).expected_parameters())
        if self.date_hierarchy:
            lookups.update(f"{self.date_hierarchy}__{part}" for part in DATE_HIERARCHY_PARTS)
        return lookups

    def get_changelist(self, request, **kwargs):
        return StrictChangeList

    def _filter_for(self, item, request):
        """The filter a changelist builds for one `list_filter` entry (as ChangeList does)."""
        if callable(item):  # a ListFilter class, e.g. a SimpleListFilter
            return item(request, {}, self.model, self)
        field, filter_class = item if isinstance(item, (list, tuple)) else (item, None)
        filter_class = filter_class or FieldListFilter.create
        path = None if isinstance(field, Field) else field
        if path is not None:
            field = get_fields_from_path(self.model, path)[-1]
        return filter_class(field, request, {}, self.model, self, field_path=path)

    def _limits_raw_id_popup(self, lookup, value) -> bool:
        """A raw-id popup sends the `limit_choices_to` of the field pointing here (declared in
        the model), e.g. `?is_active__exact=1`; Django allows exactly those pairs, and so do we."""
        for limits in self.model._meta.related_fkey_lookups:
            limits = limits() if callable(limits) else limits
            if (lookup, value) in widgets.url_params_from_lookup_dict(limits).items():
                return True
        return False


class StrictModelAdmin(StrictAdminMixin, admin.ModelAdmin):
    pass


def strict_site(site: admin.AdminSite) -> None:
    """Make every admin registered so far strict, the other apps' (auth, allauth…) included."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, StrictAdminMixin):
            continue
        admin_class = type(model_admin)
        strict_class = type(
            f"Strict{admin_class.__name__}",
            (StrictAdminMixin, admin_class),
            {},
        )
        site.unregister(model)
        site.register(model, strict_class)


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows of an append-only history shown under their parent: the `fields` given, read-only;
    none added or deleted here (the product's pages make them)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyModelAdmin(StrictModelAdmin):
    """Rows that the product writes (or whose text belongs to the people who wrote it): staff
    see them and may delete them where the admin allows, but neither add nor edit them here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
