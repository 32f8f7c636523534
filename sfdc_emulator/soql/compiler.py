"""compile_query: SOQL → SQLite SQL, count SQL and a record builder (see the package docstring)."""

from __future__ import annotations

# Long module: the top-level, aggregate and COUNT() paths share one _Compiler's state (joins, params).
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sfdc_emulator.soql import ast
from sfdc_emulator.soql.errors import located, malformed, unexpected
from sfdc_emulator.soql.pager import KEYSET_TYPES, Pager
from sfdc_emulator.soql.parser import parse
from sfdc_emulator.soql.predicates import NUMBER_TYPES, TEXT_TYPES, Conditions, Fragment, is_long_text
from sfdc_emulator.soql.records import BOOL, RAW, Aggregate, Builder, ChildList, Leaf, Node, compile_builder
from sfdc_emulator.soql.resolver import Resolved, Scope, Visible, quote
from sfdc_emulator.soql.subqueries import SubqueryMixin

MAX_OFFSET = 2000
DEFAULT_API_VERSION = "59.0"


@dataclass(frozen=True)
class CompiledQuery:
    """What the query endpoints need: SQL for the rows, SQL for totalSize, and a fast row → record function.

    `row_to_record(row)` builds records for `api_version`; `record_builder(v)` gives one for another version.
    For COUNT() queries (`is_count`) only `count_sql` matters: totalSize is its single value, records are [].
    `pager` (plain queries only) pages huge results without OFFSET rescans; `flat_columns` lists
    (header such as "Owner.Name", row index, is_boolean) for flat output like Bulk 2.0 CSV.
    """

    object_name: str
    sql: str
    params: tuple[object, ...]
    count_sql: str
    count_params: tuple[object, ...]
    is_count: bool
    is_aggregate: bool
    columns: tuple[str, ...]
    limit: int | None
    offset: int | None
    api_version: str
    row_to_record: Builder
    pager: Pager | None = None
    flat_columns: tuple[tuple[str, int, bool], ...] = ()
    _shape: Node | Aggregate | None = field(repr=False, compare=False, default=None)
    _prefix_types: dict[str, str] = field(repr=False, compare=False, default_factory=dict)
    _builders: dict[str, Builder] = field(repr=False, compare=False, default_factory=dict)

    def record_builder(self, api_version: str) -> Builder:
        if api_version == self.api_version:
            return self.row_to_record
        if api_version not in self._builders:
            self._builders[api_version] = _builder(self._shape, api_version, self._prefix_types)
        return self._builders[api_version]


def _builder(shape: Node | Aggregate | None, api_version: str, prefix_types: dict[str, str]) -> Builder:
    if shape is None:
        return _no_records
    return compile_builder(shape, api_version, prefix_types)


def _no_records(row: Any) -> dict[str, Any]:
    raise TypeError("COUNT() queries return no records")


def compile_query(
    soql: str,
    schema: Any,
    *,
    visible: Visible | None = None,
    include_deleted: bool = False,
    now: datetime | None = None,
    api_version: str = DEFAULT_API_VERSION,
) -> CompiledQuery:
    if soql is None or not soql.strip():
        raise unexpected(soql or "", len(soql or ""), "<EOF>")
    query = parse(soql)
    return _Compiler(soql, schema, visible, include_deleted, now or datetime.now(UTC)).compile(
        query, api_version
    )


class _Compiler(SubqueryMixin):
    def __init__(
        self, soql: str, schema: Any, visible: Visible | None, include_deleted: bool, now: datetime
    ) -> None:
        self.soql = soql
        self.schema = schema
        self.visible = visible
        self.include_deleted = include_deleted
        self.now = now
        self.subqueries = 0
        self.prefix_types: dict[str, str] = {}

    def scope(self, query: ast.Query, prefix: str) -> Scope:
        scope = Scope(self.soql, self.schema, None, self.visible, prefix=prefix, alias=query.alias)
        scope.root = scope.object_named(query.object_name, query.object_pos)
        return scope

    def base_filters(self, scope: Scope) -> list[str]:
        return [] if self.include_deleted else [f"{scope.base}.{quote('IsDeleted')} = 0"]

    # --- top level -------------------------------------------------------------------------------

    def compile(self, query: ast.Query, api_version: str) -> CompiledQuery:
        scope = self.scope(query, "t")
        obj = scope.root
        conditions = Conditions(scope, self.now, self.semi_join)
        where_sql, where_params = conditions.compile(query.where) if query.where is not None else ("", [])
        where_joins = [c for j in scope.joins.values() for c in j.clauses]
        filters = self.base_filters(scope) + ([where_sql] if where_sql else [])
        where_clause = (" WHERE " + " AND ".join(filters)) if filters else ""
        limit_sql, limit_params = self.limit_offset(query)
        from_base = f" FROM {quote(obj.name)} AS {scope.base}"

        counts = [i for i in query.select if isinstance(i, ast.CountAll)]
        if counts:
            if len(query.select) > 1 or query.group_by:
                raise malformed(self.soql, counts[0].pos, "COUNT() may not be combined with other fields")
            count_sql, count_params = self.count(from_base, where_joins, where_clause, where_params, query)
            return CompiledQuery(
                obj.name, count_sql, count_params, count_sql, count_params, True, False, (), query.limit,
                query.offset, api_version, _no_records,
            )  # fmt: skip

        aggregate = bool(query.group_by) or any(isinstance(i, ast.AggItem) for i in query.select)
        flat: list[tuple[str, int, bool]] = []
        keyset: list[tuple[str, str, bool]] = []
        if aggregate:
            cols, select_params, shape, group_sql, having, order = self.aggregate_parts(query, scope)
        else:
            cols, select_params, shape = self.select_parts(query, scope, flat=flat)
            group_sql, having = "", ("", [])
            order, keyset = self.order_parts(query, scope)
        key_indexes = []
        for key_sql, _type, _desc in keyset:
            if key_sql not in cols:
                cols.append(key_sql)
            key_indexes.append(cols.index(key_sql))
        joins = " ".join(c for j in scope.joins.values() for c in j.clauses)
        head = "SELECT " + ", ".join(cols) + from_base + (" " + joins if joins else "")
        order_sql = " ORDER BY " + ", ".join(order) if order else ""
        sql = (
            head
            + where_clause
            + group_sql
            + (" HAVING " + having[0] if having[0] else "")
            + order_sql
            + limit_sql
        )
        params = (*select_params, *where_params, *having[1], *limit_params)
        pager = None
        if aggregate:
            count_sql, count_params = f"SELECT COUNT(*) FROM ({sql})", params
        else:
            count_sql, count_params = self.count(from_base, where_joins, where_clause, where_params, query)
            directions = {desc for _, _, desc in keyset}
            usable = bool(keyset) and len(directions) == 1 and all(t in KEYSET_TYPES for _, t, _ in keyset)
            pager = Pager(
                head, tuple(filters), (*select_params, *where_params), order_sql,
                tuple(k for k, _, _ in keyset), tuple(key_indexes), directions == {True}, usable,
                query.offset or 0,
            )  # fmt: skip
        keys = tuple(shape.entries)
        if aggregate:
            flat = [(k, e.index, e.conv == BOOL) for k, e in shape.entries.items()]
        builder = _builder(shape, api_version, self.prefix_types)
        return CompiledQuery(
            obj.name, sql, params, count_sql, count_params, False, aggregate, keys, query.limit, query.offset,
            api_version, builder, pager, tuple(flat), shape, self.prefix_types,
        )  # fmt: skip

    def count(
        self, from_base: str, joins: list[str], where: str, where_params: list[object], query: ast.Query
    ) -> tuple[str, tuple[object, ...]]:
        body = from_base + (" " + " ".join(joins) if joins else "") + where
        if query.limit is None and query.offset is None:
            return "SELECT COUNT(*)" + body, tuple(where_params)
        limit_sql, limit_params = self.limit_offset(query)
        return f"SELECT COUNT(*) FROM (SELECT 1{body}{limit_sql})", (*where_params, *limit_params)

    def limit_offset(self, query: ast.Query) -> tuple[str, list[object]]:
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise located(
                "NUMBER_OUTSIDE_VALID_RANGE", self.soql, query.offset_pos,
                f"Maximum SOQL offset allowed is {MAX_OFFSET}",
            )  # fmt: skip
        if query.limit is None and query.offset is None:
            return "", []
        limit = -1 if query.limit is None else query.limit
        return " LIMIT ? OFFSET ?", [limit, query.offset or 0]

    # --- plain SELECT ----------------------------------------------------------------------------

    def select_parts(
        self, query: ast.Query, scope: Scope, flat: list[tuple[str, int, bool]] | None = None
    ) -> tuple[list[str], list[object], Node]:
        cols = [f"{scope.base}.{quote('Id')}"]
        params: list[object] = []
        root = Node(scope.root.name, 0)
        seen: set[tuple[str, ...]] = set()
        for item in query.select:
            if isinstance(item, ast.SubqueryItem):
                sql, sub_params, child = self.child_subquery(item, scope)
                name = self.child_name(item, scope)
                if name.lower() in {k.lower() for k in root.entries}:
                    raise malformed(self.soql, item.pos, f"duplicate field selected: {name}")
                cols.append(sql)
                params.extend(sub_params)
                root.entries[name] = ChildList(len(cols) - 1, child)
                continue
            if not isinstance(item, ast.FieldItem):
                raise AssertionError(item)
            if item.alias is not None:
                raise unexpected(self.soql, self.alias_pos(item), item.alias)
            res = scope.resolve(item.path)
            key = (*(h.relationship.lower() for h in res.hops), res.field.name.lower())
            if key in seen:
                raise malformed(self.soql, item.path.pos, f"duplicate field selected: {item.path.text}")
            seen.add(key)
            self.add_leaf(root, cols, res)
            if flat is not None:
                header = ".".join([*(h.relationship for h in res.hops), res.field.name])
                flat.append((header, len(cols) - 1, res.field.type == "boolean"))
        return cols, params, root

    def add_leaf(self, root: Node, cols: list[str], res: Resolved) -> None:
        node = root
        for hop in res.hops:
            entry = node.entries.get(hop.relationship)
            if not isinstance(entry, Node):
                cols.append(hop.id_expr)
                type_name = "Name" if hop.polymorphic else hop.targets[0].name
                entry = Node(type_name, len(cols) - 1, hop.polymorphic)
                node.entries[hop.relationship] = entry
                if hop.polymorphic:
                    self.prefix_types.update({t.key_prefix: t.name for t in hop.targets})
            node = entry
        cols.append(res.sql)
        node.entries[res.field.name] = Leaf(len(cols) - 1, BOOL if res.field.type == "boolean" else RAW)

    def alias_pos(self, item: ast.FieldItem) -> int:
        end = item.path.pos + len(item.path.text)
        return self.soql.find(item.alias or "", end)

    def order_parts(self, query: ast.Query, scope: Scope) -> tuple[list[str], list[tuple[str, str, bool]]]:
        """ORDER BY terms, and the (sql, type, descending) keys when keyset paging is possible (else [])."""
        order: list[str] = []
        keys: list[tuple[str, str, bool]] = []
        keyset = True
        id_sql = f"{scope.base}.{quote('Id')}"
        has_id = False
        for item in query.order_by:
            if isinstance(item.key, ast.AggItem):
                raise malformed(self.soql, item.key.pos, "Ordered field must be grouped or aggregated")
            res = scope.resolve(item.key)
            if is_long_text(res.field) or res.field.type == "multipicklist":
                raise located(
                    "INVALID_FIELD", self.soql, item.key.pos,
                    f"field '{res.field.name}' can not be sorted in a query call",
                )  # fmt: skip
            has_id = has_id or res.sql == id_sql
            order.append(self.order_term(res.sql, res.field.type, item))
            # Keyset paging needs never-null keys of the queried object itself (no nulls-ordering rules).
            keyset = keyset and not res.hops and (res.sql == id_sql or not res.field.nillable)
            keys.append((res.sql, res.field.type, item.desc))
        if not has_id:
            # Salesforce leaves ties unordered; a stable tie-break keeps paging deterministic.
            desc = bool(query.order_by) and query.order_by[0].desc
            order.append(id_sql + (" DESC" if desc else ""))
            keys.append((id_sql, "id", desc))
        return order, (keys if keyset else [])

    @staticmethod
    def order_term(sql: str, type_: str, item: ast.OrderItem) -> str:
        term = sql + (" COLLATE NOCASE" if type_ in TEXT_TYPES else "")
        if item.desc:
            term += " DESC"
        # SQLite's defaults (ASC → nulls first, DESC → nulls last) are Salesforce's; only spell out overrides.
        if item.nulls_first is not None and item.nulls_first == item.desc:
            term += " NULLS FIRST" if item.nulls_first else " NULLS LAST"
        return term

    # --- aggregates ------------------------------------------------------------------------------

    def aggregate_parts(
        self, query: ast.Query, scope: Scope
    ) -> tuple[list[str], list[object], Aggregate, str, Fragment, list[str]]:
        grouped = {self.path_key(r): r for r in (scope.resolve(p) for p in query.group_by)}
        shape = Aggregate()
        cols: list[str] = []
        expr_n = 0
        for item in query.select:
            if isinstance(item, ast.SubqueryItem):
                raise malformed(self.soql, item.pos, "Nested queries are not supported in aggregate queries")
            if isinstance(item, ast.FieldItem):
                res = scope.resolve(item.path)
                if self.path_key(res) not in grouped:
                    raise malformed(
                        self.soql, item.path.pos, f"Field must be grouped or aggregated: {item.path.text}"
                    )
                key = item.alias or res.field.name
                conv = BOOL if res.field.type == "boolean" else RAW
                cols.append(res.sql)
            else:
                assert isinstance(item, ast.AggItem)
                sql, _type = self.aggregate_sql(item, scope)
                if item.alias:
                    key = item.alias
                else:
                    key = f"expr{expr_n}"
                    expr_n += 1
                conv = RAW
                cols.append(sql)
            if key.lower() in {k.lower() for k in shape.entries}:
                raise malformed(self.soql, query.object_pos, f"duplicate alias: {key}")
            shape.entries[key] = Leaf(len(cols) - 1, conv)
        group_sql = " GROUP BY " + ", ".join(r.sql for r in grouped.values()) if grouped else ""
        having: Fragment = ("", [])
        if query.having is not None:
            conditions = Conditions(scope, self.now, self.semi_join, lambda a: self.aggregate_sql(a, scope))
            having = conditions.compile(query.having)
        order: list[str] = []
        for item in query.order_by:
            if isinstance(item.key, ast.AggItem):
                sql, type_ = self.aggregate_sql(item.key, scope)
            else:
                res = scope.resolve(item.key)
                if self.path_key(res) not in grouped:
                    raise malformed(
                        self.soql,
                        item.key.pos,
                        f"Ordered field must be grouped or aggregated: {item.key.text}",
                    )
                sql, type_ = res.sql, res.field.type
            order.append(self.order_term(sql, type_, item))
        return cols, [], shape, group_sql, having, order

    @staticmethod
    def path_key(res: Resolved) -> tuple[str, ...]:
        return (*(h.relationship.lower() for h in res.hops), res.field.name.lower())

    def aggregate_sql(self, item: ast.AggItem, scope: Scope) -> tuple[str, str]:
        if item.path is None:
            return "COUNT(*)", "int"
        res = scope.resolve(item.path)
        type_ = res.field.type
        func = item.func
        if func in ("COUNT", "COUNT_DISTINCT"):
            if type_ in ("textarea", "multipicklist"):
                raise self.no_aggregate(item, res)
            return (f"COUNT(DISTINCT {res.sql})" if func == "COUNT_DISTINCT" else f"COUNT({res.sql})"), "int"
        if func in ("SUM", "AVG"):
            if type_ not in NUMBER_TYPES:
                raise self.no_aggregate(item, res)
            return f"{func}({res.sql})", ("double" if func == "AVG" else type_)
        if type_ in ("boolean", "textarea", "multipicklist"):
            raise self.no_aggregate(item, res)
        collate = " COLLATE NOCASE" if type_ in TEXT_TYPES else ""
        return f"{func}({res.sql}{collate})", type_

    def no_aggregate(self, item: ast.AggItem, res: Resolved) -> Exception:
        return malformed(
            self.soql, item.pos, f"field {res.field.name} does not support aggregate operator {item.func}"
        )


__all__ = ["CompiledQuery", "compile_query"]
