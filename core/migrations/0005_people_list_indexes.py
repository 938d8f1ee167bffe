"""(manager, id) on core_person, found with bench/web.py at 10,000 people (bench/README.md):
each step of `Person.objects.reports_of` (a recursive query) is answered from the index alone,
where the index on manager alone left PostgreSQL scanning every person at every level. It
replaces that index, whose column it starts with."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_skill_catalog"),
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
    ]
