"""`Person.onboarded_at`: when a person finished setting up after their first sign-in.

Everyone who exists already uses Cultivate today, so they are marked onboarded: only people
who join from now on are asked where they work, where they stand and what to learn first."""

from django.db import migrations, models
from django.utils import timezone


def mark_everyone_onboarded(apps, schema_editor) -> None:
    Person = apps.get_model("core", "Person")
    Person.objects.filter(onboarded_at__isnull=True).update(onboarded_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="onboarded_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When they finished setting up after their first sign-in; empty until then."
                ),
                null=True,
            ),
        ),
        migrations.RunPython(mark_everyone_onboarded, migrations.RunPython.noop, elidable=True),
    ]
