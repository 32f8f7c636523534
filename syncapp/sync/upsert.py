"""Bulk upserts as one `INSERT … ON CONFLICT (key) DO UPDATE` statement per page (SQLite and PostgreSQL).

Django's `bulk_create(update_conflicts=True)` builds model instances and prepares every value through the
field machinery; for million-row loads we prepare only the columns that need it and hand plain tuples to
`executemany`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

PLAIN_FIELDS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)


class Upserter:
    """Writes rows (dicts of attname → value) into `model`, keyed on the unique column `key`.

    A new row gets every column (model defaults where a row has no value). An existing row has only
    `attnames` overwritten, so a column the page does not carry (a hidden field) keeps its last value.
    """

    def __init__(self, model: type[models.Model], key: str, attnames: Iterable[str]) -> None:
        meta = model._meta
        update = set(attnames)
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        attnames = [f.attname for f in fields]
        self.attnames = attnames
        self.defaults = [None if f.null else f.get_default() for f in fields]
        self.preparers: list[Callable[[Any], Any] | None] = [
            _preparer(f) if not isinstance(f, PLAIN_FIELDS) or isinstance(f, models.JSONField) else None
            for f in fields
        ]
        update = (update | {"updated_at"}) - {key, "created_at"}
        quote = connection.ops.quote_name
        cols = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sets = ", ".join(
            f"{quote(f.column)} = excluded.{quote(f.column)}" for f in fields if f.attname in update
        )
        self.sql = (
            f"INSERT INTO {quote(meta.db_table)} ({cols}) VALUES ({marks}) "
            f"ON CONFLICT ({quote(_field(meta, key).column)}) DO UPDATE SET {sets}"
        )

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        now = timezone.now()
        spec = list(zip(self.attnames, self.defaults, self.preparers, strict=True))
        params = []
        for row in rows:
            row.setdefault("created_at", now)
            row["updated_at"] = now
            values = []
            for name, default, prepare in spec:
                value = row.get(name, default)
                if value is None:
                    value = default  # a NOT NULL column (blank string, False) never takes a null
                values.append(prepare(value) if prepare and value is not None else value)
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


def _field(meta, attname: str) -> models.Field:
    for field in meta.concrete_fields:
        if field.attname == attname or field.name == attname:
            return field
    raise LookupError(f"{meta.label} has no column {attname!r}")


def _preparer(field: models.Field) -> Callable[[Any], Any]:
    return lambda value: field.get_db_prep_save(value, connection)
