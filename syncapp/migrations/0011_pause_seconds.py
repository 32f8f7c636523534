"""The pause between cycles in seconds (30 s to a week) instead of whole minutes: stored minutes are converted,
and a stored 0 ("as often as the minute tick allowed") becomes the new minimum, 30 seconds."""

import django.core.validators
from django.db import migrations, models

MIN_SECONDS, MAX_SECONDS = 30, 7 * 24 * 60 * 60


def minutes_to_seconds(apps, schema_editor):
    SyncSettings = apps.get_model("syncapp", "SyncSettings")
    for row in SyncSettings.objects.all():
        row.pause_seconds = min(max(row.pause_seconds * 60, MIN_SECONDS), MAX_SECONDS)
        row.save(update_fields=["pause_seconds"])


def seconds_to_minutes(apps, schema_editor):
    # Rounded up: going back never makes the pause shorter than the one chosen.
    SyncSettings = apps.get_model("syncapp", "SyncSettings")
    for row in SyncSettings.objects.all():
        row.pause_seconds = -(-row.pause_seconds // 60)
        row.save(update_fields=["pause_seconds"])


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0010_streaming"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="syncsettings", name="syncsettings_pause_minutes_range"),
        migrations.RenameField(model_name="syncsettings", old_name="pause_minutes", new_name="pause_seconds"),
        # No validators or CHECK in between: minutes and seconds share the column for one step.
        migrations.AlterField(
            model_name="syncsettings",
            name="pause_seconds",
            field=models.PositiveIntegerField(default=300),
        ),
        migrations.RunPython(minutes_to_seconds, seconds_to_minutes),
        migrations.AlterField(
            model_name="syncsettings",
            name="pause_seconds",
            field=models.PositiveIntegerField(
                default=300,
                help_text="From the end of one cycle to the start of the next, when change events are off or "
                "the listener is not connected: 30 seconds to a week.",
                validators=[
                    django.core.validators.MinValueValidator(30),
                    django.core.validators.MaxValueValidator(604800),
                ],
                verbose_name="pause between cycles",
            ),
        ),
        migrations.AddConstraint(
            model_name="syncsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("pause_seconds__gte", 30), ("pause_seconds__lte", 604800)),
                name="syncsettings_pause_seconds_range",
            ),
        ),
    ]
