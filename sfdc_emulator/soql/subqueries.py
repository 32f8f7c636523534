"""Subqueries: semi-/anti-joins in WHERE (`Id IN (SELECT …)`) and child relationships in SELECT."""

from __future__ import annotations

from typing import Any

from sfdc_emulator.soql import ast
from sfdc_emulator.soql.errors import WSDL_HINT, located, malformed
from sfdc_emulator.soql.predicates import ID_TYPES, TEXT_TYPES, Conditions, Fragment
from sfdc_emulator.soql.records import Node
from sfdc_emulator.soql.resolver import Resolved, Scope, quote


class SubqueryMixin:
    """Methods of the compiler that build nested SELECTs; they share its counters and schema."""

    soql: str
    schema: Any
    visible: Any
    now: Any
    subqueries: int

    def semi_join(self, cond: ast.InSubquery, res: Resolved) -> Fragment:
        sub = cond.query
        if res.field.type not in ID_TYPES and res.field.type not in TEXT_TYPES:
            raise malformed(
                self.soql, cond.pos, "Invalid semi join: the filtered field must be an id or text"
            )
        fields = [i for i in sub.select if isinstance(i, ast.FieldItem)]
        if len(sub.select) != 1 or len(fields) != 1 or sub.group_by or sub.order_by:
            raise malformed(self.soql, cond.pos, "Semi join sub-selects must select exactly one id field")
        self.subqueries += 1
        scope = self.scope(sub, f"s{self.subqueries}_")
        inner = scope.resolve(fields[0].path)
        if inner.field.type not in ID_TYPES and res.field.type in ID_TYPES:
            raise malformed(self.soql, fields[0].path.pos, "Semi join sub-selects must select an id field")
        where_sql, params = (
            Conditions(scope, self.now, self.semi_join).compile(sub.where)
            if sub.where is not None
            else ("", [])
        )
        filters = [f"{scope.base}.{quote('IsDeleted')} = 0", f"{inner.sql} IS NOT NULL"]
        filters += [where_sql] if where_sql else []
        joins = " ".join(c for j in scope.joins.values() for c in j.clauses)
        select = (
            f"SELECT {inner.sql} FROM {quote(scope.root.name)} AS {scope.base}"
            + (" " + joins if joins else "") + " WHERE " + " AND ".join(filters)
        )  # fmt: skip
        if sub.limit is not None:
            select += " LIMIT ?"
            params = [*params, sub.limit]
        if cond.negated:
            return f"({res.sql} IS NULL OR {res.sql} NOT IN ({select}))", params
        return f"{res.sql} IN ({select})", params

    def child_name(self, item: ast.SubqueryItem, scope: Scope) -> str:
        rel = scope.root.child_relationship(item.query.object_name)
        return rel.relationship_name

    def child_subquery(self, item: ast.SubqueryItem, parent: Scope) -> tuple[str, list[object], Node]:
        """A child relationship (SELECT … FROM Contacts) as one correlated subquery of JSON arrays."""
        sub = item.query
        rel = parent.root.child_relationship(sub.object_name)
        child_obj = self.schema.get_object(rel.child_sobject) if rel is not None else None
        if rel is None or child_obj is None:
            raise located(
                "INVALID_TYPE", self.soql, sub.object_pos,
                f"Didn't understand relationship '{sub.object_name}' in FROM part of query call. If you "
                "are attempting to use a custom relationship, be sure to append the '__r' after the custom "
                f"relationship name. {WSDL_HINT}",
            )  # fmt: skip
        self.subqueries += 1
        scope = Scope(
            self.soql, self.schema, child_obj, self.visible, prefix=f"c{self.subqueries}_", alias=sub.alias
        )
        if any(not isinstance(i, ast.FieldItem) for i in sub.select) or sub.group_by:
            raise malformed(self.soql, item.pos, "Only fields may be selected in a child relationship query")
        cols, _, node = self.select_parts(sub, scope)
        where_sql, where_params = (
            Conditions(scope, self.now, self.semi_join).compile(sub.where)
            if sub.where is not None
            else ("", [])
        )
        order, _ = self.order_parts(sub, scope)
        link = f"{scope.base}.{quote(rel.field)} = {parent.base}.{quote('Id')}"
        filters = [*self.base_filters(scope), link]
        filters += [where_sql] if where_sql else []
        joins = " ".join(c for j in scope.joins.values() for c in j.clauses)
        inner = (
            f"SELECT json_array({', '.join(cols)}) AS j FROM {quote(child_obj.name)} AS {scope.base}"
            + (" " + joins if joins else "") + " WHERE " + " AND ".join(filters)
            + " ORDER BY " + ", ".join(order)
        )  # fmt: skip
        params = list(where_params)
        if sub.limit is not None:
            inner += " LIMIT ?"
            params.append(sub.limit)
        # An empty child list is null in Salesforce's JSON, not an empty array.
        sql = f"(SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE json_group_array(json(j)) END FROM ({inner}))"
        return sql, params, node
