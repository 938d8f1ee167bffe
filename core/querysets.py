"""Who may see whom: the one place that decides (DESIGN.md, STYLE.md "One place decides").

`Person.objects.visible_to(user)` is used by every page and every API `get_queryset()` that shows
a person's private data. Other apps widen it (mentors see their mentees) by registering a rule
with `core.access.register_person_visibility`, never by importing into core.
"""

from django.db import models
from django.db.models.expressions import RawSQL


class PersonQuerySet(models.QuerySet):
    def reports_of(self, person) -> "PersonQuerySet":
        """Everybody who reports to `person`, directly or through others (one recursive query)."""
        table = self.model._meta.db_table
        # UNION (not UNION ALL) stops at people already seen, so a loop cannot run forever.
        chain = RawSQL(  # noqa: S611 - the table name is ours; the value is a parameter
            f"""
            WITH RECURSIVE chain(id) AS (
                SELECT id FROM {table} WHERE manager_id = %s
                UNION
                SELECT p.id FROM {table} p JOIN chain c ON p.manager_id = c.id
            )
            SELECT id FROM chain
            """,  # noqa: S608
            (person.pk,),
        )
        return self.filter(pk__in=chain)

    def visible_to(self, user) -> "PersonQuerySet":
        from core.access import person_visibility_q

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        person = getattr(user, "person", None)
        if person is None:
            return self.none()
        return self.filter(person_visibility_q(person, self)).distinct()

    def in_directory(self, user) -> "PersonQuerySet":
        """The organisation directory: names, titles and teams are known to every member."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user__is_active=True)
