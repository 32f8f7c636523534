"""Which synced objects the org's Change Data Capture selection publishes: the others stay on the safety net."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0011_pause_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="streamchannel",
            name="published",
            field=models.BooleanField(
                blank=True,
                help_text="Selected for change events in Salesforce (Setup → Change Data Capture).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="listenerstate",
            name="selection_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
