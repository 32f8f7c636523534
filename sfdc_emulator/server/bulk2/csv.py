"""Bulk API 2.0 CSV: query-result lines generated per query (fast), and ingest CSV parsing.

Result format (spec §5.2; quoting/null details [unverified], chosen to match what real orgs are seen to send):
header row of field names with relationship paths (`Owner.Name`), every value double-quoted, null as `""`,
booleans `true`/`false`, datetimes `2024-01-01T00:00:00.000Z`, numbers as in REST JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sfdc_emulator.org.errors import SfError
from sfdc_emulator.org.schema import ObjectDef, OrgSchema
from sfdc_emulator.soql.compiler import CompiledQuery

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
# Values of these types never contain a double quote, so they skip the escaping call.
PLAIN_TYPES = frozenset({"id", "reference", "date", "datetime", "boolean", *NUMBER_TYPES})


@dataclass(frozen=True)
class Column:
    header: str  # e.g. "Owner.Name"
    index: int  # position in the compiled SQL row
    type: str  # describe type of the leaf field


def result_columns(cq: CompiledQuery, schema: OrgSchema) -> list[Column]:
    """The compiler's flat columns (header, row index) with each leaf's describe type for formatting."""
    if cq.is_count or cq.is_aggregate or cq.pager is None:
        raise SfError(
            400, "INVALIDJOB", "Aggregate queries and COUNT() are not supported by Bulk API 2.0 query"
        )
    root = schema.get_object(cq.object_name)
    return [
        Column(header, index, "boolean" if is_bool else _path_type(schema, root, header))
        for header, index, is_bool in cq.flat_columns
    ]


def _path_type(schema: OrgSchema, root: ObjectDef | None, header: str) -> str:
    """Describe type of `A.B.Field` from `root`; polymorphic hops try every target (Owner → User, Group)."""
    *hops, name = header.split(".")
    objects = [root] if root is not None else []
    for hop in hops:
        targets: list[ObjectDef] = []
        for obj in objects:
            rel = obj.relationship(hop)
            if rel is not None:
                targets = [t for t in (schema.get_object(n) for n in rel.reference_to) if t is not None]
                break
        objects = targets
    for obj in objects:
        fd = obj.field(name)
        if fd is not None:
            return fd.type
    return "string"


def _value_expr(col: Column) -> str:
    v = f"r[{col.index}]"
    if col.type == "boolean":
        return f"('true' if {v} else 'false')"
    if col.type == "datetime":
        # Stored as 2024-01-01T00:00:00.000+0000; Bulk CSV carries the Z form.
        return f"('' if {v} is None else {v}[:23] + 'Z')"
    if col.type in NUMBER_TYPES:
        return f"('' if {v} is None else str({v}))"
    if col.type in PLAIN_TYPES:
        return f"('' if {v} is None else {v})"
    return f"('' if {v} is None else {v}.replace('\"', '\"\"'))"


def line_formatter(columns: list[Column], delimiter: str, line_ending: str) -> Callable[[tuple], str]:
    """A generated function row → one CSV line; the source holds only indexes and repr'd separators."""
    sep = repr('"' + delimiter + '"')
    body = f" + {sep} + ".join(_value_expr(c) for c in columns) if columns else "''"
    end = repr('"' + line_ending)
    source = f"lambda r: '\"' + {body} + {end}"
    return eval(source, {})


def header_line(columns: list[Column], delimiter: str, line_ending: str) -> str:
    return delimiter.join('"' + c.header.replace('"', '""') + '"' for c in columns) + line_ending


def parse_csv(data: bytes, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an uploaded CSV (RFC 4180 quoting, embedded newlines, UTF-8 with or without BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SfError(400, "INVALIDJOB", "The uploaded file is not valid UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader if row and any(cell != "" for cell in row)]
    if not rows:
        raise SfError(400, "INVALIDJOB", "The uploaded file has no header row")
    return [h.strip() for h in rows[0]], rows[1:]


def write_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """Ingest result files: quoted, comma-separated, LF (what `get_all_ingest_records` parses)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()
