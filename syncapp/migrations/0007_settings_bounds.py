"""Bounds on the sync settings' numbers: values stored before are clamped, then CHECK constraints hold them."""

import django.core.validators
from django.db import migrations, models

BOUNDS = {"pause_minutes": (0, 10080), "bulk_threshold": (0, 100000000), "schema_every_cycles": (1, 10000)}


def clamp_stored_values(apps, schema_editor):
    # A value stored before the bounds existed would make adding the constraint fail.
    SyncSettings = apps.get_model("syncapp", "SyncSettings")
    for field, (low, high) in BOUNDS.items():
        SyncSettings.objects.filter(**{f"{field}__gt": high}).update(**{field: high})
        SyncSettings.objects.filter(**{f"{field}__lt": low}).update(**{field: low})


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0006_field_describe"),
    ]

    operations = [
        migrations.RunPython(clamp_stored_values, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="syncsettings",
            name="bulk_threshold",
            field=models.PositiveIntegerField(
                default=10000,
                help_text="An initial load larger than this many records uses a Bulk API 2.0 query (0 to 100,000,000).",
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(100000000),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="syncsettings",
            name="pause_minutes",
            field=models.PositiveIntegerField(
                default=5,
                help_text="Minutes between the end of a cycle and the next (0 to 10,080, a week).",
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10080),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="syncsettings",
            name="schema_every_cycles",
            field=models.PositiveIntegerField(
                default=12,
                help_text="Refresh the field list from Salesforce every this many cycles (1: every cycle; at most 10,000).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(10000),
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="syncsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("pause_minutes__gte", 0), ("pause_minutes__lte", 10080)),
                name="syncsettings_pause_minutes_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="syncsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("bulk_threshold__gte", 0), ("bulk_threshold__lte", 100000000)),
                name="syncsettings_bulk_threshold_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="syncsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("schema_every_cycles__gte", 1), ("schema_every_cycles__lte", 10000)),
                name="syncsettings_schema_every_cycles_range",
            ),
        ),
    ]
