"""Field paths → SQL expressions: parent relationships become LEFT JOINs (one per distinct path), polymorphic
lookups join every target table and COALESCE, and fields hidden by field-level security do not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sfdc_emulator.soql import ast
from sfdc_emulator.soql.errors import bad_relationship, no_such_column, unsupported_type

# Salesforce caps parent-relationship paths at 5 levels (spec §9.1).
MAX_PARENT_LEVELS = 5

Visible = Callable[[str, str], bool]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Join:
    """One parent hop: its relationship name, the joined tables (several for a polymorphic lookup)."""

    relationship: str  # canonical, e.g. "Owner"
    aliases: tuple[str, ...]
    targets: tuple[Any, ...]  # ObjectDef per alias
    clauses: tuple[str, ...]  # LEFT JOIN … per alias
    parent: Join | None
    polymorphic: bool  # several reference_to targets: Salesforce reports the parent as type "Name"

    @property
    def id_expr(self) -> str:
        return _coalesce([f"{a}.{quote('Id')}" for a in self.aliases])


@dataclass(frozen=True)
class Resolved:
    """A resolved field path: SQL expression, describe field, and the parent hops leading to it."""

    sql: str
    field: Any  # FieldDef
    hops: tuple[Join, ...]
    path: ast.Path


def _coalesce(exprs: list[str]) -> str:
    return exprs[0] if len(exprs) == 1 else "COALESCE(" + ", ".join(exprs) + ")"


def lookup_object(schema: Any, name: str) -> Any:
    try:
        return schema.get_object(name)
    except (KeyError, LookupError):
        return None


@dataclass
class Scope:
    """Resolution context of one SELECT (the outer query, or a semi-join / child subquery inside it)."""

    soql: str
    schema: Any
    root: Any  # ObjectDef
    visible: Visible | None
    prefix: str = "t"
    alias: str | None = None
    joins: dict[tuple[str, ...], Join] = field(default_factory=dict)
    _counter: int = 0

    @property
    def base(self) -> str:
        return f"{self.prefix}0"

    def new_alias(self) -> str:
        self._counter += 1
        return f"{self.prefix}{self._counter}"

    def field_of(self, obj: Any, name: str) -> Any:
        fd = obj.field(name)
        if fd is None or (self.visible is not None and not self.visible(obj.name, fd.name)):
            return None
        return fd

    def object_named(self, name: str, pos: int) -> Any:
        obj = lookup_object(self.schema, name)
        if obj is None or not getattr(obj, "queryable", True):
            raise unsupported_type(self.soql, pos, name)
        return obj

    def resolve(self, path: ast.Path) -> Resolved:
        parts = list(path.parts)
        if len(parts) > 1 and self.is_self_prefix(parts[0]):
            parts = parts[1:]
        objs: tuple[Any, ...] = (self.root,)
        aliases: tuple[str, ...] = (self.base,)
        hops: list[Join] = []
        key: tuple[str, ...] = ()
        if len(parts) - 1 > MAX_PARENT_LEVELS:
            raise bad_relationship(self.soql, path.pos, parts[MAX_PARENT_LEVELS])
        for rel_name in parts[:-1]:
            if hops and hops[-1].polymorphic:
                # A polymorphic hop (Owner, Who, What) only exposes the common "Name" fields.
                raise bad_relationship(self.soql, path.pos, rel_name)
            obj, alias = objs[0], aliases[0]
            fd = obj.relationship(rel_name)
            if fd is None or (self.visible is not None and not self.visible(obj.name, fd.name)):
                raise bad_relationship(self.soql, path.pos, rel_name)
            key = (*key, rel_name.lower())
            join = self.joins.get(key)
            if join is None:
                join = self._make_join(fd, alias, hops[-1] if hops else None, path, rel_name)
                self.joins[key] = join
            hops.append(join)
            objs, aliases = join.targets, join.aliases
        name = parts[-1]
        found = [(o, a, self.field_of(o, name)) for o, a in zip(objs, aliases, strict=True)]
        found = [(o, a, fd) for o, a, fd in found if fd is not None]
        if not found:
            entity = "Name" if hops and hops[-1].polymorphic else objs[0].name
            raise no_such_column(self.soql, path.pos, name, entity)
        fd = found[0][2]
        sql = _coalesce([f"{a}.{quote(f.name)}" for _, a, f in found])
        return Resolved(sql, fd, tuple(hops), path)

    def is_self_prefix(self, first: str) -> bool:
        lower = first.lower()
        if self.alias is not None and lower == self.alias.lower():
            return True
        return lower == self.root.name.lower() and self.root.relationship(first) is None

    def _make_join(
        self, fd: Any, from_alias: str, parent: Join | None, path: ast.Path, rel_name: str
    ) -> Join:
        targets = [lookup_object(self.schema, t) for t in fd.reference_to]
        targets = [t for t in targets if t is not None]
        if not targets:
            raise bad_relationship(self.soql, path.pos, rel_name)
        aliases = tuple(self.new_alias() for _ in targets)
        clauses = tuple(
            f"LEFT JOIN {quote(t.name)} AS {a} ON {a}.{quote('Id')} = {from_alias}.{quote(fd.name)}"
            for t, a in zip(targets, aliases, strict=True)
        )
        return Join(
            fd.relationship_name or rel_name,
            aliases,
            tuple(targets),
            clauses,
            parent,
            len(fd.reference_to) > 1,
        )
