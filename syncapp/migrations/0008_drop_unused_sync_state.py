"""Unused sync state gone: a cursor's load_until and last_id, a field's blocked_sources, two step operations."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0007_settings_bounds"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="fieldsetting",
            name="blocked_sources",
        ),
        migrations.RemoveField(
            model_name="synccursor",
            name="last_id",
        ),
        migrations.RemoveField(
            model_name="synccursor",
            name="load_until",
        ),
        migrations.AlterField(
            model_name="syncstep",
            name="operation",
            field=models.CharField(
                choices=[
                    ("schema", "Sync schema"),
                    ("initial_load", "Initial load"),
                    ("pull_updates", "Pull updates"),
                    ("push_updates", "Push updates"),
                    ("rebuild_indexes", "Rebuild indexes"),
                ],
                max_length=20,
            ),
        ),
    ]
