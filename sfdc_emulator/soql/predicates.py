"""WHERE / HAVING conditions → SQL with parameters, with SOQL's type rules and two-valued null logic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sfdc_emulator.org import ids
from sfdc_emulator.soql import ast
from sfdc_emulator.soql.dates import date_to_stamp, parse_date, parse_datetime, relative_range
from sfdc_emulator.soql.errors import SoqlError, located, malformed
from sfdc_emulator.soql.lexer import decode_string
from sfdc_emulator.soql.resolver import Resolved, Scope

ID_TYPES = frozenset({"id", "reference"})
TEXT_TYPES = frozenset(
    {
        "string",
        "textarea",
        "email",
        "phone",
        "url",
        "picklist",
        "multipicklist",
        "combobox",
        "encryptedstring",
    }
)
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
_TYPE_WORD = {
    "int": "integer",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "boolean": "boolean",
}
_TYPE_WORD |= {"date": "date", "datetime": "dateTime"}

Fragment = tuple[str, list[object]]


def is_long_text(fd: Any) -> bool:
    """Long text areas can be neither filtered nor sorted in SOQL."""
    return fd.type == "textarea" and (fd.length or 0) > 255


SemiJoin = Callable[[ast.InSubquery, Resolved], Fragment]


class Conditions:
    """Compiles conditions of one scope; `aggregate` resolves aggregate left-hand sides (HAVING only)."""

    def __init__(
        self,
        scope: Scope,
        now: datetime,
        semi_join: SemiJoin,
        aggregate: Callable[[ast.AggItem], tuple[str, str]] | None = None,
    ) -> None:
        self.scope = scope
        self.soql = scope.soql
        self.now = now
        self.semi_join = semi_join
        self.aggregate = aggregate

    def compile(self, cond: ast.Cond) -> Fragment:
        if isinstance(cond, ast.BoolOp):
            parts = [self.compile(c) for c in cond.items]
            sql = "(" + f" {cond.op} ".join(p[0] for p in parts) + ")"
            return sql, [v for p in parts for v in p[1]]
        if isinstance(cond, ast.Not):
            sql, params = self.compile(cond.item)
            # SOQL has no UNKNOWN: a comparison with null is simply false, so NOT of it is true.
            return f"NOT COALESCE({sql}, 0)", params
        if isinstance(cond, ast.Compare):
            return self.compare(cond)
        if isinstance(cond, ast.InList):
            return self.in_list(cond)
        if isinstance(cond, ast.InSubquery):
            return self.semi_join(cond, self.resolve_filterable(cond.lhs))
        if isinstance(cond, ast.Like):
            return self.like(cond)
        if isinstance(cond, ast.Includes):
            return self.includes(cond)
        raise AssertionError(cond)

    def resolve_filterable(self, path: ast.Path) -> Resolved:
        res = self.scope.resolve(path)
        if is_long_text(res.field):
            raise located(
                "INVALID_FIELD",
                self.soql,
                path.pos,
                f"field '{res.field.name}' can not be filtered in query call",
            )
        return res

    # --- predicates ------------------------------------------------------------------------------

    def compare(self, cond: ast.Compare) -> Fragment:
        if isinstance(cond.lhs, ast.AggItem):
            if self.aggregate is None:
                raise malformed(self.soql, cond.lhs.pos, "Aggregate functions are not supported in WHERE")
            sql, type_ = self.aggregate(cond.lhs)
            lit = cond.value
            if lit.kind != "number" and type_ in NUMBER_TYPES:
                raise self.type_error("value", type_, lit)
            value = lit.value if lit.kind == "number" else self.value(_Pseudo(type_), lit, "")
            return f"{sql} {_SQL_OP[cond.op]} ?", [value]
        res = self.resolve_filterable(cond.lhs)
        col, fd, lit, op = res.sql, res.field, cond.value, cond.op
        if lit.kind == "null":
            if op == "=":
                return f"{col} IS NULL", []
            if op == "!=":
                return f"{col} IS NOT NULL", []
            return "0", []
        if lit.kind == "relative":
            return self.relative(res, cond)
        value = self.value(fd, lit, res.path.text)
        collate = " COLLATE NOCASE" if fd.type in TEXT_TYPES else ""
        if op == "!=":
            return f"{col} IS NOT ?{collate}", [value]
        return f"{col} {_SQL_OP[op]} ?{collate}", [value]

    def relative(self, res: Resolved, cond: ast.Compare) -> Fragment:
        fd, lit = res.field, cond.value
        if fd.type not in ("date", "datetime"):
            raise self.type_error(res.path.text, fd.type, lit)
        start_d, end_d = relative_range(str(lit.value), lit.n, self.now)
        if fd.type == "date":
            start, end = start_d.isoformat(), end_d.isoformat()
        else:
            start, end = date_to_stamp(start_d), date_to_stamp(end_d)
        col = res.sql
        return {
            "=": (f"({col} >= ? AND {col} < ?)", [start, end]),
            "!=": (f"({col} IS NULL OR {col} < ? OR {col} >= ?)", [start, end]),
            "<": (f"{col} < ?", [start]),
            "<=": (f"{col} < ?", [end]),
            ">": (f"{col} >= ?", [end]),
            ">=": (f"{col} >= ?", [start]),
        }[cond.op]

    def in_list(self, cond: ast.InList) -> Fragment:
        res = self.resolve_filterable(cond.lhs)
        fd = res.field
        values = []
        has_null = False
        for lit in cond.values:
            if lit.kind == "null":
                has_null = True
            elif lit.kind == "relative":
                raise malformed(self.soql, lit.token.pos, "Date literals are not supported in IN lists")
            else:
                values.append(self.value(fd, lit, res.path.text))
        collate = " COLLATE NOCASE" if fd.type in TEXT_TYPES else ""
        col = res.sql
        marks = ", ".join("?" * len(values))
        if cond.negated:
            # NOT IN keeps rows whose value is null, unless null itself is in the list.
            if not values:
                return (f"{col} IS NOT NULL", []) if has_null else ("1", [])
            not_in = f"{col}{collate} NOT IN ({marks})"
            if has_null:
                return f"({col} IS NOT NULL AND {not_in})", values
            return f"({col} IS NULL OR {not_in})", values
        parts = [f"{col}{collate} IN ({marks})"] if values else []
        if has_null:
            parts.append(f"{col} IS NULL")
        return "(" + " OR ".join(parts) + ")", values

    def like(self, cond: ast.Like) -> Fragment:
        res = self.resolve_filterable(cond.lhs)
        fd, lit = res.field, cond.value
        if lit.kind == "null":
            return "0", []
        if fd.type not in TEXT_TYPES or fd.type == "multipicklist":
            raise located(
                "INVALID_FIELD", self.soql, cond.pos, f"invalid operator on {_describe(fd.type)} field: LIKE"
            )
        if lit.kind != "string":
            raise self.type_error(res.path.text, "string", lit)
        pattern = decode_string(self.soql, lit.token, like=True)
        return f"{res.sql} LIKE ? ESCAPE '\\'", [pattern]

    def includes(self, cond: ast.Includes) -> Fragment:
        res = self.resolve_filterable(cond.lhs)
        fd = res.field
        if fd.type != "multipicklist":
            word = "excludes" if cond.excludes else "includes"
            raise located(
                "INVALID_FIELD",
                self.soql,
                cond.pos,
                f"{word} or excludes operator only valid on multipicklist field",
            )
        wrapped = f"(';' || lower({res.sql}) || ';')"
        terms: list[str] = []
        params: list[object] = []
        for lit in cond.values:
            if lit.kind != "string":
                raise self.type_error(res.path.text, "string", lit)
            wanted = [v.strip().lower() for v in decode_string(self.soql, lit.token).split(";") if v.strip()]
            terms.append(
                "(" + " AND ".join(f"instr({wrapped}, ?) > 0" for _ in wanted) + ")" if wanted else "0"
            )
            params.extend(f";{v};" for v in wanted)
        sql = "(" + " OR ".join(terms) + ")"
        return (f"NOT COALESCE({sql}, 0)" if cond.excludes else sql), params

    # --- literals --------------------------------------------------------------------------------

    def value(self, fd: Any, lit: ast.Literal, name: str) -> object:
        """The stored form of `lit` compared with field `fd`, or Salesforce's error for the mismatch."""
        type_ = fd.type
        if type_ in ID_TYPES:
            if lit.kind != "string":
                raise self.type_error(name, "string", lit)
            text = decode_string(self.soql, lit.token)
            normalized = ids.normalize(text)
            if normalized is None:
                raise located(
                    "INVALID_QUERY_FILTER_OPERATOR", self.soql, lit.token.pos, f"invalid ID field: {text}"
                )
            return normalized
        if type_ in TEXT_TYPES:
            if lit.kind != "string":
                raise self.type_error(name, "string", lit)
            return decode_string(self.soql, lit.token)
        if type_ == "boolean":
            if lit.kind != "bool":
                raise self.type_error(name, type_, lit)
            return 1 if lit.value else 0
        if type_ in NUMBER_TYPES:
            if lit.kind != "number":
                raise self.type_error(name, type_, lit)
            return lit.value
        if type_ == "date":
            parsed = parse_date(str(lit.value)) if lit.kind == "date" else None
            if parsed is None:
                raise self.type_error(name, type_, lit)
            return parsed
        if type_ == "datetime":
            parsed = parse_datetime(str(lit.value)) if lit.kind == "datetime" else None
            if parsed is None:
                raise self.type_error(name, type_, lit)
            return parsed
        if lit.kind == "string":
            return decode_string(self.soql, lit.token)
        return lit.value

    def type_error(self, name: str, type_: str, lit: ast.Literal) -> SoqlError:
        word = "string" if type_ in TEXT_TYPES or type_ in ID_TYPES else _TYPE_WORD.get(type_, type_)
        quoted = "be" if word == "string" else "not be"
        return located(
            "INVALID_FIELD",
            self.soql,
            lit.token.pos,
            f"value of filter criterion for field '{name}' must be of type {word} and should {quoted} "
            "enclosed in quotes",
        )


class _Pseudo:
    def __init__(self, type_: str) -> None:
        self.type = type_


def _describe(type_: str) -> str:
    return {"id": "id", "reference": "id"}.get(type_, _TYPE_WORD.get(type_, type_))


_SQL_OP = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
