"""One place per synced field (DESIGN §3): its column when the registry maps it to one, else `sf_fields`.

Reading: any field of a record by API name, in the canonical form `values.py` gives what Salesforce sends
(REST datetimes, numbers, booleans, ␀ for NUL), whichever place holds it, so a comparison with an incoming
record means what it says. Writing: an incoming record split into column values and the `sf_fields` rest.
`Id`, `SystemModstamp`, `CreatedDate` and `IsDeleted` are columns of every mirrored model (`sf_id`…).

A value a column cannot hold faithfully (text longer than the column, a number out of its range or with
more decimals than it keeps, a date that is not one, a null in a boolean, an empty text) stays whole in
`sf_fields` under its API name, and a key there wins over the column, which holds what fits (the cut text,
for lists and search) or nothing. No value is lost and a read never disagrees with what Salesforce sent;
the next value that fits takes the key out again. The same rule makes a half-migrated table read right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from syncapp.sync.pull.values import (
    COLUMN_CONVERTERS,
    Column,
    UnstorableValue,
    format_sf_datetime,
    parse_datetime,
)

BASE_COLUMNS = (
    Column("sf_id", "Id", "id"),
    Column("sf_modstamp", "SystemModstamp", "datetime"),
    Column("sf_created_at", "CreatedDate", "datetime"),
    Column("sf_deleted", "IsDeleted", "bool"),
)
INT_RANGE = (-(2**31), 2**31 - 1)  # models.IntegerField on PostgreSQL (int4)

# Column value → the canonical value of its field.
READERS: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: v or None,  # Salesforce stores an empty text as null
    "id": lambda v: v or None,
    "bool": bool,
    "int": lambda v: v,
    "decimal": lambda v: None if v is None else float(v),
    "date": lambda v: None if v is None else v.isoformat(),
    "datetime": lambda v: None if v is None else format_sf_datetime(v),
}


def read_column(kind: str, value: Any) -> Any:
    return READERS[kind](value)


def field_map(columns: Iterable[Column]) -> tuple[Column, ...]:
    """The columns of an entry plus the base ones every mirrored model has."""
    return (*BASE_COLUMNS, *columns)


def read_fields(columns: Iterable[Column], row: Mapping[str, Any], stored: Mapping[str, Any] | None) -> dict:
    """Every field of one record by API name: `row` holds the column values by attname, `stored` is its
    `sf_fields`. The base columns are included when `columns` comes from `field_map`."""
    fields = {c.api: READERS[c.kind](row[c.attname]) for c in columns}
    if stored:
        fields.update(stored)
    return fields


def record_fields(obj: models.Model, columns: Iterable[Column]) -> dict[str, Any]:
    """Every Salesforce field of a mirrored row (its entry's columns), as `read_fields` gives it.

    A row that is not in Salesforce (no `sf_id`) has no Salesforce values: only what `sf_fields` holds."""
    stored = obj.sf_fields or {}
    if not obj.sf_id:
        return dict(stored)
    row = {c.attname: getattr(obj, c.attname) for c in field_map(columns)}
    return read_fields(field_map(columns), row, stored)


def record_field(obj: models.Model, columns: Iterable[Column], api: str) -> Any:
    """One field of a mirrored row by API name (None when it has no value)."""
    stored = obj.sf_fields or {}
    if api in stored:
        return stored[api]
    for column in field_map(columns):
        if column.api == api:
            return READERS[column.kind](getattr(obj, column.attname)) if obj.sf_id else None
    return None


def without_columns(stored: Mapping[str, Any] | None, apis: Iterable[str]) -> dict[str, Any]:
    """`sf_fields` once the columns of `apis` hold their fields again (a local edit wrote them)."""
    apis = set(apis)
    return {k: v for k, v in (stored or {}).items() if k not in apis}


class FieldSplitter:
    """Incoming records (canonical dicts) → column values by attname, the `sf_fields` rest, and problems."""

    def __init__(self, model: type[models.Model], columns: Iterable[Column]) -> None:
        meta = model._meta
        self.plan: dict[str, tuple[str, Callable[[Any], tuple[Any, bool]]]] = {
            c.api: (c.attname, _putter(c.kind, meta.get_field(c.attname))) for c in columns
        }

    def split(self, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        problems: list[str] = []
        plan = self.plan
        for name, value in fields.items():
            target = plan.get(name)
            if target is None:
                rest[name] = value
                continue
            attname, put = target
            try:
                stored, faithful = put(value)
            except UnstorableValue as exc:
                problems.append(f"{name}: {exc}")
                stored, faithful = None, False
            values[attname] = stored
            if not faithful:
                rest[name] = value
        return values, rest, problems


def _putter(kind: str, field: models.Field) -> Callable[[Any], tuple[Any, bool]]:
    """For one column: value → (what the column stores, whether reading it back gives the value exactly)."""
    if kind == "str":
        limit = getattr(field, "max_length", None)

        def put_str(v: Any) -> tuple[Any, bool]:
            if v is None:
                return "", True
            if type(v) is not str:
                text = str(v)
                return (text[:limit] if limit else text), False
            if limit and len(v) > limit:
                return v[:limit], False  # the cut text is for lists and search; sf_fields has it whole
            return v, v != ""

        return put_str
    if kind == "id":
        limit = getattr(getattr(field, "target_field", field), "max_length", None) or 18

        def put_id(v: Any) -> tuple[Any, bool]:
            if v is None:
                return None, True
            if type(v) is str and v and len(v) <= limit:
                return v, True
            return None, False  # a cut id would name another record: the column stays empty

        return put_id
    if kind == "bool":
        convert_bool = COLUMN_CONVERTERS["bool"]
        return lambda v: (v, True) if type(v) is bool else (convert_bool(v), False)
    if kind == "int":
        low, high = INT_RANGE
        convert_int = COLUMN_CONVERTERS["int"]

        def put_int(v: Any) -> tuple[Any, bool]:
            if v is None:
                return None, True
            number = convert_int(v)
            if number is None or not low <= number <= high:
                return None, False
            return number, type(v) is int

        return put_int
    if kind == "decimal":
        return _decimal_putter(field)
    if kind == "date":

        def put_date(v: Any) -> tuple[Any, bool]:
            if v is None:
                return None, True
            day = COLUMN_CONVERTERS["date"](v)
            return day, type(v) is str and day is not None and day.isoformat() == v

        return put_date
    if kind == "datetime":

        def put_datetime(v: Any) -> tuple[Any, bool]:
            if v is None:
                return None, True
            if type(v) is not str or not v:
                return None, False
            try:
                moment = parse_datetime(v)
            except ValueError as exc:
                raise UnstorableValue(f"{v!r} is not a date and time") from exc
            return moment, format_sf_datetime(moment) == v

        return put_datetime
    raise ValueError(f"Column kind {kind!r} has no converter: use one of {', '.join(READERS)}.")


def _decimal_putter(field: models.Field) -> Callable[[Any], tuple[Any, bool]]:
    places = Decimal(1).scaleb(-(field.decimal_places or 0))
    whole_digits = (field.max_digits or 30) - (field.decimal_places or 0)

    def put_decimal(v: Any) -> tuple[Any, bool]:
        if v is None:
            return None, True
        number = COLUMN_CONVERTERS["decimal"](v)
        if number is None:
            return None, False
        try:
            number = number.quantize(places)
        except InvalidOperation:
            return None, False
        if number.adjusted() >= whole_digits:
            return None, False  # more digits than the column has: the database would refuse the row
        return number, type(v) is float and float(number) == v

    return put_decimal
