"""Search keys for the people lists (`syncapp/models/search.py`): five columns, filled, then indexed.

The columns are added by plain `ALTER TABLE … ADD COLUMN … DEFAULT ''`: Django's SQLite schema editor would
copy the whole table once per NOT NULL column, five copies of a million-row mirror. Filled before they are
indexed, so each index is built in one sort rather than kept in order row by row.
"""

from django.db import migrations, models

import syncapp.models.search
from syncapp.models.search import search_key

# column → (source column, part, max length)
KEYS = {
    "search_first_name": ("first_name", "whole", 80),
    "search_last_name": ("last_name", "whole", 80),
    "search_email": ("email", "whole", 255),
    "search_domain": ("email", "domain", 255),
    "search_company": ("company", "whole", 255),
}
BATCH = 20_000


def add_and_fill(apps, schema_editor):
    Person = apps.get_model("syncapp", "Person")
    quote = schema_editor.quote_name
    table = quote(Person._meta.db_table)
    for column, (_, _, length) in KEYS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {quote(column)} varchar({length}) NOT NULL DEFAULT ''"
        )
    sources = ["first_name", "last_name", "email", "company"]
    sets = ", ".join(f"{quote(column)} = %s" for column in KEYS)
    after = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {', '.join(sources)} FROM {table} WHERE id > %s ORDER BY id LIMIT {BATCH}",
                [after],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            params = []
            for row in rows:
                value = dict(zip(sources, row[1:], strict=True))
                keys = [search_key(value[src], part=part, max_length=n) for src, part, n in KEYS.values()]
                params.append([*keys, row[0]])
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)
            after = rows[-1][0]


def drop(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("syncapp", "Person")._meta.db_table)
    for column in KEYS:  # SQLite 3.35+ drops a plain column in place, as PostgreSQL does
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0012_channel_published"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="person",
                    name="search_company",
                    field=syncapp.models.search.SearchKeyField(
                        blank=True, default="", editable=False, max_length=255, part="whole", source="company"
                    ),
                ),
                migrations.AddField(
                    model_name="person",
                    name="search_domain",
                    field=syncapp.models.search.SearchKeyField(
                        blank=True, default="", editable=False, max_length=255, part="domain", source="email"
                    ),
                ),
                migrations.AddField(
                    model_name="person",
                    name="search_email",
                    field=syncapp.models.search.SearchKeyField(
                        blank=True, default="", editable=False, max_length=255, part="whole", source="email"
                    ),
                ),
                migrations.AddField(
                    model_name="person",
                    name="search_first_name",
                    field=syncapp.models.search.SearchKeyField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=80,
                        part="whole",
                        source="first_name",
                    ),
                ),
                migrations.AddField(
                    model_name="person",
                    name="search_last_name",
                    field=syncapp.models.search.SearchKeyField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=80,
                        part="whole",
                        source="last_name",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_and_fill, drop)],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["search_first_name"],
                name="person_search_first_name",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["search_last_name"], name="person_search_last_name", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["search_email"], name="person_search_email", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["search_domain"], name="person_search_domain", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["search_company"], name="person_search_company", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]
