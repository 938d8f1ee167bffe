"""Indexes for the lists of people, found with bench/web.py at 10,000 people (bench/README.md).

- (manager, id) on core_person: each step of `Person.objects.reports_of` (a recursive query)
  is answered from the index, where the index on manager alone left PostgreSQL scanning every
  person at every level; it replaces that index, whose column it starts with.
- (first_name, last_name, username) on auth_user: people are listed in that order everywhere
  (the directory, the people API, the gradebook); a page of 25 is read from the index instead
  of sorting everyone. The table is Django's, so the index is created here, by SQL that
  PostgreSQL and SQLite both understand.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_skill_catalog"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["manager", "id"], name="person_manager_chain"),
        ),
        migrations.AlterField(
            model_name="person",
            name="manager",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="reports",
                to="core.person",
            ),
        ),
        migrations.RunSQL(
            "CREATE INDEX user_name_order ON auth_user (first_name, last_name, username)",
            reverse_sql="DROP INDEX user_name_order",
        ),
    ]
