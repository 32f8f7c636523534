"""The initial load's fast lane: new records straight from Bulk API CSV rows into the mirror, in SQL.

A first load writes millions of records the mirror has never seen: nothing to compare, no conflict to
resolve, nothing to log but "New Person". For those, building a dict per record, converting every value in
Python and binding a prepared row costs more than SQLite's own insert. Here one statement,
`INSERT … SELECT <expressions> WHERE <guards>`, run by `executemany` over the CSV reader's plain lists of
strings, makes the same values in SQLite's C code:
- each column from its field ('' for an empty text, NULL for an empty id);
- `sf_fields`: the fields without a column, as the canonical JSON the generic path builds (booleans,
  numbers, datetimes in REST form): a field lives in one place (`sync/fields.py`);
- the entry's fixed values and the hook's SQL columns (a contact's company, from its account).

Only rows that are certainly plain new records take this lane. The guards leave out a row whose key is
already mirrored, a row the hook must see itself (a converted lead), any value this SQL would not convert
exactly as Python does (an odd datetime, a number with an exponent, an impossible date) and any value its
column cannot hold faithfully (text longer than the column, which the generic path keeps in `sf_fields`).
Those rows go through the generic applier right after, in the same transaction. SQLite only: on PostgreSQL
every row takes the generic path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from syncapp.sync.fields import INT_RANGE, field_map
from syncapp.sync.hooks import Hook
from syncapp.sync.pull.values import NUMERIC_FLOAT, Column

# Column kinds (values.Column.kind) this lane converts; an entry with another kind takes the generic path.
SUPPORTED_KINDS = {"str", "bool", "id", "date", "datetime", "int"}
NUMBER_TYPES = {"int", *NUMERIC_FLOAT}
TEXT_TYPES_EXCLUDED = {"boolean", "datetime", *NUMBER_TYPES}
NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"  # how Django stores an aware datetime on SQLite (naive UTC)


def _literal(value: Any) -> str | None:
    """A constant as SQL, or None when it is not a plain value (the lane then stays closed)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dict) and not value:
        return "'{}'"
    return None


@dataclass(frozen=True)
class FastLanePlan:
    """Everything the lane needs to know about one object's page, fixed when its pull starts."""

    model: type[models.Model]
    key: str  # the model field holding the Salesforce id
    columns: tuple[Column, ...]  # the columns this pull fills (visible fields only)
    fixed: dict[str, Any]
    types: dict[str, str]  # Salesforce type per field
    max_lengths: dict[str, int]
    hook: Hook


class CsvInserter:
    """One compiled statement for one object and one CSV header."""

    def __init__(self, sql: str, table: str, key_column: str, key_index: int, width: int) -> None:
        self.sql = sql
        self.table = table
        self.key_column = key_column
        self.key_index = key_index
        self.width = width

    @classmethod
    def build(cls, plan: FastLanePlan, header: list[str]) -> CsvInserter | None:
        """The statement for the plan's object, or None when this object cannot take the fast lane."""
        if connection.vendor != "sqlite" or not plan.hook.bulk_insert or "Id" not in header:
            return None
        types = plan.types
        position = {name: i + 1 for i, name in enumerate(header)}

        def ref(name: str) -> str | None:
            return f"?{position[name]}" if name in position else None

        guards = [g for g in (_value_guard(ref(name), types.get(name, "")) for name in header) if g]
        in_columns = {c.api for c in field_map(plan.columns)}
        values = _base_values(plan.key, [n for n in header if n not in in_columns], types, ref)
        for column in plan.columns:
            converted = _column_value(column, ref(column.api), types.get(column.api, ""), plan.max_lengths)
            if converted is None:
                return None
            values[column.attname], guard = converted
            if guard:
                guards.append(guard)
        for attname, value in plan.fixed.items():
            values[attname] = _literal(value)
        hook_values = plan.hook.bulk_columns(ref)
        if hook_values is None:
            return None
        values.update(hook_values)
        hook_guard = plan.hook.bulk_condition(ref)
        if hook_guard:
            guards.append(f"({hook_guard})")

        meta = plan.model._meta
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns, expressions = [], []
        for f in fields:
            if f.attname in values:
                expression = values[f.attname]
            else:
                expression = _literal(None if f.null else f.get_default())
            if expression is None:
                return None
            columns.append(quote(f.column))
            expressions.append(expression)
        table = quote(meta.db_table)
        key_column = quote(meta.get_field(plan.key).column)
        guards.insert(0, f"NOT EXISTS (SELECT 1 FROM {table} WHERE {key_column} = ?{position['Id']})")
        guards.insert(0, f"?{position['Id']} <> ''")
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} "
            f"WHERE {' AND '.join(guards)}"
        )
        return cls(sql, table, key_column, position["Id"] - 1, len(header))

    def insert(self, rows: list[list[str]]) -> tuple[int, int, list[list[str]]]:
        """Insert what qualifies; returns (largest pk before, rows inserted, rows left for the generic path).

        The caller holds the transaction, so the new rows are exactly those above the previous largest pk.
        """
        connection.ensure_connection()
        db = connection.connection.cursor()  # the driver's own cursor: no %-style parameter rewriting
        try:
            before = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}").fetchone()[0]
            width = self.width
            fitting = [r for r in rows if len(r) == width]
            db.executemany(self.sql, fitting)
            inserted = db.rowcount
            if inserted == len(rows):
                return before, inserted, []
            done = {
                key
                for (key,) in db.execute(f"SELECT {self.key_column} FROM {self.table} WHERE id > ?", [before])
            }
        finally:
            db.close()
        key = self.key_index
        return before, inserted, [r for r in rows if len(r) != width or r[key] not in done]


def _value_guard(ref: str | None, type_: str) -> str:
    """A condition true when SQLite converts this value exactly as `values.csv_records` would."""
    if ref is None:
        return ""
    if type_ == "datetime":
        # The test `values.canonical_datetime` makes before rewriting a Bulk datetime by slicing.
        return f"({ref} = '' OR (length({ref}) = 24 AND substr({ref}, 20) = '.000Z'))"
    if type_ in NUMBER_TYPES:
        # Plain decimals only ("-12.50"): no exponent, no second point or sign, a digit, and at most 15
        # characters (SQLite prints a REAL with 15 significant digits; Python keeps 17).
        return (
            f"({ref} = '' OR ({ref} NOT GLOB '*[^0-9.-]*' AND {ref} GLOB '*[0-9]*' "
            f"AND {ref} NOT GLOB '*.*.*' AND {ref} NOT GLOB '?*-*' AND length({ref}) <= 15))"
        )
    return ""


def _json_value(ref: str, type_: str) -> str:
    """The field's value for json_object(), as `values.csv_records` + orjson would write it."""
    if type_ == "boolean":
        return f"json(CASE WHEN lower({ref}) = 'true' THEN 'true' ELSE 'false' END)"
    if type_ == "int":
        return f"CASE WHEN {ref} = '' THEN NULL ELSE CAST(CAST({ref} AS REAL) AS INTEGER) END"
    if type_ in NUMERIC_FLOAT:
        return f"CASE WHEN {ref} = '' THEN NULL ELSE CAST({ref} AS REAL) END"
    if type_ == "datetime":
        return f"CASE WHEN {ref} = '' THEN NULL ELSE substr({ref}, 1, 19) || '.000+0000' END"
    return f"NULLIF({ref}, '')"


def _json_object(header: list[str], types: dict[str, str], ref) -> str:
    """sf_fields as one JSON object: json_object() per 60 fields (SQLite's limit is 127 arguments), the
    pieces joined as text. Much cheaper than quoting and concatenating field by field."""
    pieces = []
    for start in range(0, len(header), 60):
        names = header[start : start + 60]
        pairs = ", ".join(
            f"{_literal(name)}, {_json_value(ref(name), types.get(name, ''))}" for name in names
        )
        pieces.append(f"json_object({pairs})")
    if not pieces:
        return "'{}'"
    if len(pieces) == 1:
        return pieces[0]
    # '{"a":1}' + '{"b":2}' → '{"a":1,"b":2}'
    inner = " || ',' || ".join(f"substr({p}, 2, length({p}) - 2)" for p in pieces)
    return f"'{{' || {inner} || '}}'"


def _stored_datetime(ref: str | None) -> str:
    # A Bulk datetime (guarded to "YYYY-MM-DDTHH:MM:SS.000Z") as Django's SQLite backend stores it.
    if ref is None:
        return "NULL"
    return f"CASE WHEN {ref} = '' THEN NULL ELSE substr({ref}, 1, 10) || ' ' || substr({ref}, 12, 8) END"


def _base_values(key: str, rest: list[str], types: dict[str, str], ref) -> dict[str, str]:
    """The row-building expressions every object shares: its keys, stamps, and `sf_fields` from the
    fields in `rest` (those without a column)."""
    sf_fields = _json_object(rest, types, ref)
    id_ref = ref("Id")
    deleted = ref("IsDeleted")
    return {
        key: id_ref,
        "sf_id": id_ref,
        "sf_fields": sf_fields,
        "sf_modstamp": _stored_datetime(ref("SystemModstamp")),
        "sf_created_at": _stored_datetime(ref("CreatedDate")),
        "sf_deleted": f"lower({deleted}) = 'true'" if deleted else "0",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _column_value(column, ref: str | None, type_: str, max_lengths: dict[str, int]) -> tuple[str, str] | None:
    """(value, guard) for the column, as `fields.FieldSplitter` makes it, the guard true when the column
    holds the value faithfully (else the generic path keeps it in sf_fields); None: not supported."""
    if column.kind not in SUPPORTED_KINDS:
        return None
    if ref is None:
        return None  # the generic path leaves such a column out of the row; keep one behaviour
    if column.kind == "str":
        if type_ in TEXT_TYPES_EXCLUDED:
            return None  # Python would write str(True), str(12.0)…: not worth copying here
        limit = max_lengths.get(column.attname)
        return ref, (f"length({ref}) <= {limit}" if limit else "")
    if column.kind == "bool":
        return (f"lower({ref}) = 'true'", "") if type_ == "boolean" else None
    if column.kind == "id":
        return f"NULLIF({ref}, '')", f"length({ref}) <= 18"
    if column.kind == "int":
        if type_ != "int":
            return None  # a double's canonical form is a float, which an integer column does not give back
        number = f"CAST(CAST({ref} AS REAL) AS INTEGER)"
        low, high = INT_RANGE
        return (
            f"CASE WHEN {ref} = '' THEN NULL ELSE {number} END",
            f"({ref} = '' OR {number} BETWEEN {low} AND {high})",
        )
    if column.kind == "date":
        if type_ != "date":
            return None
        # An impossible date ("2024-02-30": SQLite's date() rolls it over) or another spelling of one takes
        # the generic path, which keeps it in sf_fields.
        return f"NULLIF({ref}, '')", f"({ref} = '' OR date({ref}) IS {ref})"
    if column.kind == "datetime":
        return (_stored_datetime(ref), "") if type_ == "datetime" else None
    return None
