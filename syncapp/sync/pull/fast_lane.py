"""The initial load's fast lane: new records straight from Bulk API CSV rows into the mirror, in SQL.

A first load writes millions of records the mirror has never seen: nothing to compare, no conflict to
resolve, nothing to log but "New Person". For those, building a dict per record, converting every value in
Python and binding a prepared row costs more than the database's own insert. `row_sql` builds, once per
object and CSV header, one SELECT list that makes the same values as the generic path in the database:
- each column from its field ('' for an empty text, NULL for an empty id);
- `sf_fields`: the fields without a column, as the canonical JSON the generic path builds (booleans,
  numbers, datetimes in REST form): a field lives in one place (`sync/fields.py`);
- the entry's fixed values and the hook's SQL columns (a contact's company, from its account).

`row_sql` is the one row builder of every lane; a `Dialect` only spells its pieces. SQLite runs it as
`INSERT … SELECT <expressions> WHERE <guards>` by `executemany` over the CSV reader's plain lists of strings,
or on a second core (`sqlite_lane.py`); PostgreSQL runs it over a staging table filled by COPY
(`copy_lane.py`). `lanes.py` picks one.

Only rows that are certainly plain new records take a lane. The guards leave out a row whose key is
already mirrored, a row the hook must see itself (a converted lead) and any value the SQL would not convert
exactly as Python does (an odd datetime, a number with an exponent, an impossible date) and any value its
column cannot hold faithfully (text longer than the column, which the generic path keeps in `sf_fields`).
Those rows go
through the generic applier right after, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from syncapp.sync.fields import INT_RANGE, field_map
from syncapp.sync.hooks import Hook
from syncapp.sync.pull.values import NUMERIC_FLOAT, Column

# Column kinds (values.Column.kind) the lanes convert; an entry with another kind takes the generic path.
SUPPORTED_KINDS = {"str", "bool", "id", "date", "datetime", "int"}
NUMBER_TYPES = {"int", *NUMERIC_FLOAT}
TEXT_TYPES_EXCLUDED = {"boolean", "datetime", *NUMBER_TYPES}
Ref = Callable[[str], "str | None"]  # a CSV field's SQL reference in the row (None: not in the header)


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


class Dialect:
    """How one database spells the pieces of a row; SQLite's here, PostgreSQL's in `copy_lane.py`."""

    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"  # how Django stores an aware datetime on SQLite (naive UTC)

    def number_guard(self, ref: str) -> str:
        # Plain decimals only ("-12.50"): no exponent, no second point or sign, a digit, and at most 15
        # characters (SQLite prints a REAL with 15 significant digits; Python keeps 17).
        return (
            f"({ref} NOT GLOB '*[^0-9.-]*' AND {ref} GLOB '*[0-9]*' "
            f"AND {ref} NOT GLOB '*.*.*' AND {ref} NOT GLOB '?*-*' AND length({ref}) <= 15)"
        )

    def whole(self, ref: str) -> str:
        """int(float(value)) of a guarded non-empty number."""
        return f"CAST(CAST({ref} AS REAL) AS INTEGER)"

    def json_bool(self, ref: str) -> str:
        return f"json(CASE WHEN lower({ref}) = 'true' THEN 'true' ELSE 'false' END)"

    def json_float(self, ref: str) -> str:
        return f"CAST({ref} AS REAL)"

    def json_object(self, pairs: list[str]) -> str:
        """One JSON object of `'name', value` pairs: json_object() per 60 pairs (SQLite's limit is 127
        arguments), the pieces joined as text. Much cheaper than quoting and concatenating field by field."""
        pieces = [f"json_object({', '.join(pairs[i : i + 60])})" for i in range(0, len(pairs), 60)]
        if not pieces:
            return "'{}'"
        if len(pieces) == 1:
            return pieces[0]
        # '{"a":1}' + '{"b":2}' → '{"a":1,"b":2}'
        inner = " || ',' || ".join(f"substr({p}, 2, length({p}) - 2)" for p in pieces)
        return f"'{{' || {inner} || '}}'"

    def stored_datetime(self, ref: str) -> str:
        # A Bulk datetime (guarded to "YYYY-MM-DDTHH:MM:SS.000Z") as Django's SQLite backend stores it.
        return f"substr({ref}, 1, 10) || ' ' || substr({ref}, 12, 8)"

    def day(self, ref: str) -> tuple[str, str]:
        """(the date, a guard true when it is a real date). An impossible date ("2024-02-30") takes the
        generic path, which records it as unstorable: date() keeps it as written, but with a modifier it
        rolls it over to March. Python has no year 0."""
        day = f"substr({ref}, 1, 10)"
        return day, f"(date({day}, '+0 days') IS {day} AND substr({ref}, 1, 4) <> '0000')"

    def column(self, expression: str, field: models.Field) -> str:
        return expression  # SQLite stores what it is given


SQLITE = Dialect()


@dataclass(frozen=True)
class FastLanePlan:
    """Everything a lane needs to know about one object's page, fixed when its pull starts."""

    model: type[models.Model]
    key: str  # the model field holding the Salesforce id
    columns: tuple[Column, ...]  # the columns this pull fills (visible fields only)
    fixed: dict[str, Any]
    types: dict[str, str]  # Salesforce type per field
    max_lengths: dict[str, int]
    hook: Hook


@dataclass(frozen=True)
class RowSql:
    """A model row as SQL over one CSV row: quoted columns, their expressions, and the row's guards."""

    columns: list[str]
    expressions: list[str]
    guards: list[str]


@dataclass(frozen=True)
class LaneResult:
    """What a lane inserted: a count, the rows left for the generic path, and which rows are new (the
    pks above `after_pk` on SQLite, whose single writer allows it; the pks themselves on PostgreSQL).
    `keyed`: the lane wrote every search key of its rows (SQLite's stage), so none is left to compute."""

    inserted: int
    rest: list[list[str]]
    after_pk: int | None = None
    pks: tuple[int, ...] = ()
    keyed: bool = False


def row_sql(plan: FastLanePlan, header: list[str], d: Dialect, ref: Ref) -> RowSql | None:
    """The model row each CSV row makes, in `d`'s SQL; None when this object cannot take a lane."""
    if not plan.hook.bulk_insert or "Id" not in header:
        return None
    types = plan.types
    guards = [g for g in (_value_guard(d, ref(name), types.get(name, "")) for name in header) if g]
    in_columns = {c.api for c in field_map(plan.columns)}
    values = _base_values(d, plan.key, [n for n in header if n not in in_columns], types, ref)
    for column in plan.columns:
        converted = _column_value(d, column, ref(column.api), types.get(column.api, ""), plan.max_lengths)
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
    guards.insert(0, f"{ref('Id')} <> ''")

    quote = connection.ops.quote_name
    columns, expressions = [], []
    for f in plan.model._meta.concrete_fields:
        if f.primary_key:
            continue
        expression = (
            values[f.attname] if f.attname in values else _literal(None if f.null else f.get_default())
        )
        if expression is None:
            return None
        columns.append(quote(f.column))
        expressions.append(d.column(expression, f))
    return RowSql(columns, expressions, guards)


def _value_guard(d: Dialect, ref: str | None, type_: str) -> str:
    """A condition true when the database converts this value exactly as `values.csv_records` would."""
    if ref is None:
        return ""
    if type_ == "datetime":
        # The test `values.canonical_datetime` makes before rewriting a Bulk datetime by slicing.
        return f"({ref} = '' OR (length({ref}) = 24 AND substr({ref}, 20) = '.000Z'))"
    if type_ in NUMBER_TYPES:
        return f"({ref} = '' OR {d.number_guard(ref)})"
    return ""


def _json_value(d: Dialect, ref: str, type_: str) -> str:
    """The field's value in the JSON object, as `values.csv_records` + orjson would write it."""
    if type_ == "boolean":
        return d.json_bool(ref)
    if type_ == "int":
        return f"CASE WHEN {ref} = '' THEN NULL ELSE {d.whole(ref)} END"
    if type_ in NUMERIC_FLOAT:
        return f"CASE WHEN {ref} = '' THEN NULL ELSE {d.json_float(ref)} END"
    if type_ == "datetime":
        return f"CASE WHEN {ref} = '' THEN NULL ELSE substr({ref}, 1, 19) || '.000+0000' END"
    return f"NULLIF({ref}, '')"


def _json_object(d: Dialect, header: list[str], types: dict[str, str], ref: Ref) -> str:
    """sf_fields as one JSON object of every field of the header."""
    return d.json_object(
        [f"{_literal(name)}, {_json_value(d, ref(name), types.get(name, ''))}" for name in header]
    )


def _stored_datetime(d: Dialect, ref: str | None) -> str:
    if ref is None:
        return "NULL"
    return f"CASE WHEN {ref} = '' THEN NULL ELSE {d.stored_datetime(ref)} END"


def _base_values(d: Dialect, key: str, rest: list[str], types: dict[str, str], ref: Ref) -> dict[str, str]:
    """The expressions every object shares: its keys, stamps, and `sf_fields` from the fields in `rest`
    (those without a column)."""
    sf_fields = _json_object(d, rest, types, ref)
    id_ref = ref("Id")
    deleted = ref("IsDeleted")
    return {
        key: id_ref,
        "sf_id": id_ref,
        "sf_fields": sf_fields,
        "sf_modstamp": _stored_datetime(d, ref("SystemModstamp")),
        "sf_created_at": _stored_datetime(d, ref("CreatedDate")),
        "sf_deleted": f"lower({deleted}) = 'true'" if deleted else "0",
        "created_at": d.now,
        "updated_at": d.now,
    }


def _column_value(
    d: Dialect, column: Column, ref: str | None, type_: str, max_lengths: dict[str, int]
) -> tuple[str, str] | None:
    """(value, guard) for the column, as `values.column_converter` makes it; None: not supported."""
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
        low, high = INT_RANGE
        # CASE, not OR: PostgreSQL may evaluate either side of an OR first, and the cast needs a number.
        in_range = (
            f"CASE WHEN {ref} = '' THEN 1 = 1 WHEN {d.number_guard(ref)} "
            f"THEN {d.whole(ref)} BETWEEN {low} AND {high} ELSE 1 = 0 END"
        )
        return f"CASE WHEN {ref} = '' THEN NULL ELSE {d.whole(ref)} END", in_range
    if column.kind == "date":
        if type_ != "date":
            return None
        day, valid = d.day(ref)
        return (
            f"CASE WHEN {ref} = '' THEN NULL ELSE {day} END",
            f"({ref} = '' OR (length({ref}) = 10 AND {valid}))",
        )
    if column.kind == "datetime":
        return (_stored_datetime(d, ref), "") if type_ == "datetime" else None
    return None
