"""Salesforce values in, local values out: REST JSON and Bulk CSV rows to one canonical form, and converters.

Every synced field is read and compared by API name in one canonical JSON form whichever API delivered it,
so a record first loaded through Bulk CSV and later through REST compares equal when nothing changed.
`sync/fields.py` decides where each field lives (its column or `sf_fields`) with the converters here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

NUMERIC_FLOAT = {"double", "currency", "percent"}
TYPED = {"boolean", "int", "datetime", *NUMERIC_FLOAT}
SF_DATETIME = "%Y-%m-%dT%H:%M:%S.000+0000"
# PostgreSQL text and jsonb cannot hold a NUL, which Salesforce stores (an integration's stray byte): every
# value comes in with the symbol for NUL instead, on both databases, so both mirrors hold the same text.
# The admin shows the symbol and refuses it in an edit, so it never travels back to Salesforce.
NUL, NUL_SYMBOL = "\x00", "\u2400"


def without_nul(text: str) -> str:
    return text.replace(NUL, NUL_SYMBOL) if NUL in text else text


@dataclass(frozen=True)
class Column:
    """A model column filled from one Salesforce field. `kind` picks the value converter."""

    attname: str
    api: str
    kind: str = "str"  # str | bool | int | decimal | date | datetime | id


ID_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def is_salesforce_id(value: str) -> bool:
    """An 18-character id whose case-safe suffix matches its first 15 characters, as Salesforce checks
    before it runs a query: one malformed id would fail the whole `Id IN (…)` query."""
    if len(value) != 18 or not value.isalnum() or not value.isascii():
        return False
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, char in enumerate(value[start : start + 5]) if char.isupper())
        suffix += ID_SUFFIX_ALPHABET[bits]
    return value[15:] == suffix


class UnstorableValue(ValueError):
    """A value Salesforce sent that a local column cannot hold (kept whole in sf_fields, the column empty)."""


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(UTC)


def canonical_datetime(value: str | None) -> str | None:
    """Salesforce's REST form, whole seconds in UTC: what every path stores."""
    if not value:
        return None
    if value.endswith(".000+0000"):
        return value
    if len(value) == 24 and value.endswith(".000Z"):  # Bulk API CSV: same instant, other spelling
        return value[:19] + ".000+0000"
    return parse_datetime(value).strftime(SF_DATETIME)


def format_sf_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime(SF_DATETIME)


def soql_datetime(value: datetime) -> str:
    """A SOQL datetime literal (unquoted)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_fields(record: dict[str, Any], names: list[str], datetime_fields: frozenset[str]) -> dict[str, Any]:
    fields = {name: record.get(name) for name in names}
    for name, value in fields.items():
        if isinstance(value, str) and NUL in value:
            fields[name] = without_nul(value)
    for name in datetime_fields:
        value = fields.get(name)
        if value and not value.endswith(".000+0000"):
            fields[name] = canonical_datetime(value)
    return fields


def _csv_value_converter(type_: str) -> Callable[[str], Any]:
    if type_ == "boolean":
        return lambda v: v.lower() == "true"
    if type_ == "int":
        return lambda v: int(float(v))
    if type_ in NUMERIC_FLOAT:
        return float
    if type_ == "datetime":
        return canonical_datetime
    return lambda v: v


def csv_lines(text: str) -> Iterator[str]:
    """A Bulk CSV page's lines with their endings, for csv.reader (which joins a quoted field's newlines).

    Lines rather than a StringIO, which would store the page at 4 bytes a character."""
    lines = without_nul(text).split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return (line + "\n" for line in lines)


def csv_records(
    header: list[str], rows: Iterable[list[str]], types: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Parsed CSV rows (lists of strings under `header`) as canonical typed field dicts."""
    # Text columns only need '' → None (done by the comprehension); the few typed ones get their converter.
    typed = [(name, _csv_value_converter(types[name])) for name in header if types.get(name) in TYPED]
    booleans = frozenset(name for name in header if types.get(name) == "boolean")  # never null in Salesforce
    for row in rows:
        fields = {name: value or None for name, value in zip(header, row, strict=False)}
        for name, convert in typed:
            value = fields[name]
            if value is not None:
                fields[name] = convert(value)
            elif name in booleans:
                fields[name] = False
        yield fields


def _to_str(value: Any) -> str:
    return "" if value is None else str(value)


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise UnstorableValue(f"{value!r} is not a number") from exc


def _to_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise UnstorableValue(f"{value!r} is not a date") from exc


def _to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError) as exc:
        raise UnstorableValue(f"{value!r} is not a whole number") from exc


COLUMN_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": _to_str,
    "bool": lambda v: v is True or (isinstance(v, str) and v.lower() == "true"),
    "int": _to_int,
    "decimal": _to_decimal,
    "date": _to_date,
    "datetime": lambda v: parse_datetime(v) if v else None,
    "id": lambda v: v or None,
}
