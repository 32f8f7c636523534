"""Search keys for the accounts, opportunities and tasks and events lists (`syncapp/models/search.py`).

As in 0013: the columns are added by plain `ALTER TABLE … ADD COLUMN … DEFAULT ''` (Django's SQLite schema
editor would copy each table once per column: millions of tasks), filled in batches, then indexed, so each
index is built in one sort. The two list-order indexes let the opportunities and tasks lists read their
fifty rows instead of sorting every row.
"""

from django.db import migrations, models

import syncapp.models.search
from syncapp.models.search import search_key

# model → {column: (source column, part)}; every key is varchar(255)
KEYS = {
    "account": {"search_name": ("name", "whole"), "search_domain": ("website", "host")},
    "opportunity": {"search_name": ("name", "whole")},
    "salesforceactivity": {"search_subject": ("subject", "whole")},
}
BATCH = 20_000


def add_and_fill(apps, schema_editor):
    quote = schema_editor.quote_name
    for model_name, keys in KEYS.items():
        table = quote(apps.get_model("syncapp", model_name)._meta.db_table)
        for column in keys:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN {quote(column)} varchar(255) NOT NULL DEFAULT ''"
            )
        sources = list(dict.fromkeys(source for source, _ in keys.values()))
        sets = ", ".join(f"{quote(column)} = %s" for column in keys)
        after = 0
        with schema_editor.connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT id, {', '.join(quote(s) for s in sources)} FROM {table} WHERE id > %s ORDER BY id "
                    f"LIMIT {BATCH}",
                    [after],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                params = []
                for row in rows:
                    value = dict(zip(sources, row[1:], strict=True))
                    params.append(
                        [*(search_key(value[src], part=part) for src, part in keys.values()), row[0]]
                    )
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)
                after = rows[-1][0]


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for model_name, keys in KEYS.items():
        table = quote(apps.get_model("syncapp", model_name)._meta.db_table)
        for column in keys:  # SQLite 3.35+ drops a plain column in place, as PostgreSQL does
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(column)}")


def key_field(source, part="whole"):
    return syncapp.models.search.SearchKeyField(
        blank=True, default="", editable=False, max_length=255, part=part, source=source
    )


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0015_one_place_per_field"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="opportunity",
            options={"ordering": ["-close_date", "-id"], "verbose_name_plural": "opportunities"},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="account", name="search_name", field=key_field("name")),
                migrations.AddField(
                    model_name="account", name="search_domain", field=key_field("website", "host")
                ),
                migrations.AddField(model_name="opportunity", name="search_name", field=key_field("name")),
                migrations.AddField(
                    model_name="salesforceactivity", name="search_subject", field=key_field("subject")
                ),
            ],
            database_operations=[migrations.RunPython(add_and_fill, drop)],
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                fields=["search_name"], name="account_search_name", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                fields=["search_domain"], name="account_search_domain", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                fields=["search_name"], name="opportunity_search_name", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(fields=["-close_date", "-id"], name="opportunity_close_date"),
        ),
        migrations.AddIndex(
            model_name="salesforceactivity",
            index=models.Index(
                fields=["search_subject"], name="activity_search_subject", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="salesforceactivity",
            index=models.Index(fields=["-activity_date", "-id"], name="activity_date"),
        ),
    ]
