"""Bulk writes as one `INSERT … [ON CONFLICT (key) DO UPDATE]` statement per page (SQLite and PostgreSQL).

Django's `bulk_create` builds a model instance per row and prepares every value through the field
machinery (timezone conversion, JSON adaptation) one call chain at a time; for million-row loads we
prepare each column with the cheapest converter that gives the same stored value, and hand plain tuples
to `executemany`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

from syncapp.models.search import derived_search_keys, search_key_fields, with_search_keys
from syncapp.sync.fields import field_map, read_fields
from syncapp.sync.pull.values import Column

PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)


@lru_cache(maxsize=8192)
def _sqlite_datetime(value: datetime) -> str:
    # What Django's SQLite backend stores with USE_TZ: naive UTC text. Cached: a page's stamps repeat
    # (Salesforce stamps whole seconds, and a load writes thousands of rows per second).
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f" if value.microsecond else "%Y-%m-%d %H:%M:%S")


def dump_json(value: Any) -> str:
    # orjson: the JSON of every synced record is written on each pull, ~8x faster than json.dumps.
    return orjson.dumps(value, default=str).decode()


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """The converter for one column, or None when the Python value goes to the driver as it is."""
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.JSONField):
        if sqlite:
            return dump_json
        from psycopg.types.json import Jsonb

        return lambda value: Jsonb(value, dumps=dump_json)
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if sqlite else None
    if isinstance(field, models.DateField):
        return date.isoformat if sqlite else None
    if isinstance(field, PLAIN_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


class _Writer:
    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.model = model
        self.keyed = bool(search_key_fields(model))
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = [None if f.null else f.get_default() for f in self.fields]
        self.preparers = [_preparer(f) for f in self.fields]
        quote = connection.ops.quote_name
        self.insert = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )

    def params(self, rows: list[dict[str, Any]]) -> list[list[Any]]:
        now = timezone.now()
        attnames = self.attnames
        not_null = [(i, d) for i, d in enumerate(self.defaults) if d is not None]
        prepared = [(i, p) for i, p in enumerate(self.preparers) if p is not None]
        params = []
        for row in rows:
            row.setdefault("created_at", now)
            row["updated_at"] = now
            if self.keyed:  # a person's search keys, from the columns this row carries
                row.update(derived_search_keys(self.model, row))
            get = row.get
            values = [get(name) for name in attnames]
            for i, default in not_null:
                if values[i] is None:
                    values[i] = default  # a NOT NULL column (blank string, False) never takes a null
            for i, prepare in prepared:
                if values[i] is not None:
                    values[i] = prepare(values[i])
            params.append(values)
        return params


class Upserter(_Writer):
    """Writes rows (dicts of attname → value) into `model`, keyed on the unique column `key`.

    A new row gets every column (model defaults where a row has no value). An existing row has only
    `attnames` overwritten, so a column the page does not carry (a hidden field) keeps its last value.
    """

    def __init__(self, model: type[models.Model], key: str, attnames: Iterable[str]) -> None:
        super().__init__(model)
        update = (set(with_search_keys(model, attnames)) | {"updated_at"}) - {key, "created_at"}
        quote = connection.ops.quote_name
        key_column = next(f.column for f in self.fields if f.attname == key)
        sets = ", ".join(
            f"{quote(f.column)} = excluded.{quote(f.column)}" for f in self.fields if f.attname in update
        )
        self.sql = f"{self.insert} ON CONFLICT ({quote(key_column)}) DO UPDATE SET {sets}"

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.params(rows))


class Inserter(_Writer):
    """Plain bulk inserts (activity log rows, errors): no model instances."""

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.insert, self.params(rows))


class RowLookup:
    """What the mirror holds for a page's ids, in one plain SQL query per chunk of ids.

    The ORM's `__in` lookup prepares every one of thousands of parameters through the field machinery;
    these are plain strings. Each row comes back with every field by API name (`fields.read_fields`: its
    columns and its `sf_fields`), which is what change detection compares with the incoming record.
    """

    CHUNK = 900  # stays under SQLite's default host-parameter limit on old builds

    def __init__(self, model: type[models.Model], key: str, columns: tuple[Column, ...] = ()) -> None:
        self.model = model
        quote = connection.ops.quote_name
        meta = model._meta
        self.table = quote(meta.db_table)
        self.key = quote(meta.get_field(key).column)
        self.columns = field_map(columns)
        selected = [meta.get_field(c.attname) for c in self.columns]
        self.attnames = [f.attname for f in selected]
        self.select = ", ".join(quote(f.column) for f in selected)
        # SQLite hands back text for datetimes, dates and decimals and 0/1 for booleans: Django's converters.
        self.converters = []
        for position, f in enumerate(selected):
            column = f.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + f.get_db_converters(connection)
            if found:
                self.converters.append((position, column, found))

    def _select(self, columns: str, ids: list[str]):
        with connection.cursor() as cursor:
            for start in range(0, len(ids), self.CHUNK):
                chunk = ids[start : start + self.CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {columns} FROM {self.table} WHERE {self.key} IN ({marks})", chunk)
                yield from cursor.fetchall()

    def existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Key → {"id", "stored" (its sf_fields), "fields" (every field by API name), "sf_modstamp",
        "sf_deleted"}."""
        rows = {}
        for pk, key, stored, *values in self._select(f"id, {self.key}, sf_fields, {self.select}", ids):
            for position, column, converters in self.converters:
                value = values[position]
                for convert in converters:
                    value = convert(value, column, connection)
                values[position] = value
            row = dict(zip(self.attnames, values, strict=True))
            stored = orjson.loads(stored) if isinstance(stored, str | bytes) else (stored or {})
            rows[key] = {
                "id": pk,
                "stored": stored,
                "fields": read_fields(self.columns, row, stored),
                "sf_modstamp": row["sf_modstamp"],
                "sf_deleted": bool(row["sf_deleted"]),
            }
        return rows

    def pks(self, ids: list[str]) -> dict[str, int]:
        return {key: pk for pk, key in self._select(f"id, {self.key}", ids)}
