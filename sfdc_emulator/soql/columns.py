"""Query column metadata (`GET …/query?q=…&columns=true`, spec streaming §7): what `sf data query` reads.

Undocumented by Salesforce; the shape follows the CLI's own fixtures. Each SELECT item becomes one column, in
SELECT order: a plain field (`joinColumns: []`), a parent relationship (`joinColumns` holds the parent's
columns, one level per dot, `foreignKeyName` the lookup field), a child subquery (`aggregate: true` with its
columns as `joinColumns`) or an aggregate function (`aggregate: true`, `displayName` such as `count(Id)`,
`columnName` its alias or `exprN` numbered like the AggregateResult keys).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfdc_emulator.soql import ast
from sfdc_emulator.soql.parser import parse
from sfdc_emulator.soql.resolver import Scope, Visible

NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)
APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "boolean": "Boolean",
    "int": "Integer",
    "double": "Double",
    "percent": "Double",
    "currency": "Double",
    "date": "Date",
    "datetime": "Datetime",
}

Editable = Callable[[str, str], bool]


def column(name: str, display: str, **kw: Any) -> dict[str, Any]:
    """One column entry with every key the CLI's fixtures carry (defaults: a read-only non-aggregate)."""
    out: dict[str, Any] = {
        "aggregate": False,
        "apexType": None,
        "booleanType": False,
        "columnName": name,
        "custom": False,
        "displayName": display,
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": [],
        "numberType": False,
        "textType": False,
        "updatable": False,
    }
    out.update(kw)
    return out


def field_column(obj: Any, fd: Any, editable: Editable | None, *, top: bool, name: str | None = None) -> dict:
    writable = top and (editable is None or editable(obj.name, fd.name))
    return column(
        name or fd.name,
        name or fd.name,
        apexType=APEX_TYPES.get(fd.type, "String"),
        booleanType=fd.type == "boolean",
        custom=fd.custom,
        insertable=writable and fd.createable,
        numberType=fd.type in NUMBER_TYPES,
        textType=fd.type in TEXT_TYPES,
        updatable=writable and fd.updateable,
    )


def query_columns(soql: str, schema: Any, *, visible: Visible | None, editable: Editable | None) -> dict:
    """The `columns=true` answer for a query the compiler already accepted (so names resolve)."""
    query = parse(soql)
    scope = Scope(soql, schema, None, visible, alias=query.alias)
    scope.root = scope.object_named(query.object_name, query.object_pos)
    aggregate = bool(query.group_by) or any(isinstance(i, ast.AggItem) for i in query.select)
    columns = _columns(query, scope, schema, visible, editable, aggregate=aggregate)
    id_selected = any(
        isinstance(i, ast.FieldItem) and len(i.path.parts) == 1 and i.path.parts[0].lower() == "id"
        for i in query.select
    )
    return {
        "columnMetadata": strip_private(columns),
        "entityName": scope.root.name,
        "groupBy": bool(query.group_by),
        "idSelected": id_selected,
        "keyPrefix": scope.root.key_prefix,
    }


def _columns(
    query: ast.Query, scope: Scope, schema: Any, visible: Visible | None, editable: Editable | None, *,
    aggregate: bool, top: bool = True,
) -> list[dict]:  # fmt: skip
    out: list[dict] = []
    by_relationship: dict[str, dict] = {}
    expr_n = 0
    for item in query.select:
        if isinstance(item, ast.CountAll):
            continue  # COUNT() has no column: its answer is only totalSize
        if isinstance(item, ast.AggItem):
            if item.alias:
                name = item.alias
            else:
                name, expr_n = f"expr{expr_n}", expr_n + 1
            argument = scope.resolve(item.path).path.text if item.path is not None else ""
            out.append(
                column(
                    name,
                    f"{item.func.lower()}({argument})",
                    aggregate=True,
                    numberType=item.func in ("COUNT", "COUNT_DISTINCT") or _is_number(scope, item),
                )
            )
        elif isinstance(item, ast.SubqueryItem):
            rel = scope.root.child_relationship(item.query.object_name)
            child_obj = schema.get_object(rel.child_sobject) if rel is not None else None
            if child_obj is None:
                continue
            child_scope = Scope(scope.soql, schema, child_obj, visible)
            joins = _columns(item.query, child_scope, schema, visible, editable, aggregate=False, top=False)
            name = rel.relationship_name or item.query.object_name  # type: ignore[union-attr]
            out.append(column(name, name, aggregate=True, joinColumns=joins))
        elif aggregate or len(_own_parts(scope, item.path)) == 1:
            resolved = scope.resolve(item.path)
            owner = resolved.hops[-1].targets[0] if resolved.hops else scope.root
            out.append(field_column(owner, resolved.field, editable, top=top, name=item.alias))
        else:
            _add_relationship(out, by_relationship, scope, item.path, editable)
    return out


def _own_parts(scope: Scope, path: ast.Path) -> tuple[str, ...]:
    """The path without a leading object name or alias (`Lead.Owner.Name` → `Owner.Name`)."""
    if len(path.parts) > 1 and scope.is_self_prefix(path.parts[0]):
        return path.parts[1:]
    return path.parts


def _add_relationship(
    out: list[dict], index: dict[str, dict], scope: Scope, path: ast.Path, editable: Editable | None
) -> None:
    """Nest `Owner.Manager.Name` as Owner → Manager → Name, sharing a relationship column seen before."""
    resolved = scope.resolve(path)
    siblings, level_index, source = out, index, scope.root
    for hop in resolved.hops:
        key = hop.relationship.lower()
        col = level_index.get(key)
        if col is None:
            lookup = source.relationship(hop.relationship)
            col = column(
                hop.relationship,
                hop.relationship,
                custom=hop.relationship.endswith("__r"),
                foreignKeyName=lookup.name if lookup is not None else None,
            )
            col["_index"] = {}
            level_index[key] = col
            siblings.append(col)
        siblings, level_index, source = col["joinColumns"], col["_index"], hop.targets[0]
    siblings.append(field_column(source, resolved.field, editable, top=False))


def _is_number(scope: Scope, item: ast.AggItem) -> bool:
    if item.func not in ("SUM", "AVG", "MIN", "MAX") or item.path is None:
        return False
    return scope.resolve(item.path).field.type in NUMBER_TYPES


def strip_private(columns: list[dict]) -> list[dict]:
    """Drop the nesting indexes `_add_relationship` keeps beside each relationship column."""
    for col in columns:
        col.pop("_index", None)
        strip_private(col["joinColumns"])
    return columns
