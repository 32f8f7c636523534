"""The parsed shape of a SOQL query (positions kept for Salesforce-style error carets)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfdc_emulator.soql.lexer import Token


@dataclass(frozen=True)
class Path:
    """A field path as written: ("Owner", "Name") for Owner.Name."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class FieldItem:
    path: Path
    alias: str | None = None


@dataclass(frozen=True)
class AggItem:
    func: str  # COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG (upper case)
    path: Path | None  # None for COUNT() / COUNT(*)-less forms
    alias: str | None
    pos: int


@dataclass(frozen=True)
class CountAll:
    pos: int


@dataclass(frozen=True)
class SubqueryItem:
    query: Query
    pos: int


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, bool, null, date, datetime, relative
    value: object
    token: Token
    n: int | None = None  # the :n of LAST_N_DAYS:n and friends


@dataclass(frozen=True)
class Compare:
    lhs: Path | AggItem
    op: str  # = != < <= > >=  (<> is normalised to !=)
    value: Literal
    pos: int


@dataclass(frozen=True)
class InList:
    lhs: Path
    negated: bool
    values: tuple[Literal, ...]
    pos: int


@dataclass(frozen=True)
class InSubquery:
    lhs: Path
    negated: bool
    query: Query
    pos: int


@dataclass(frozen=True)
class Like:
    lhs: Path
    value: Literal
    pos: int


@dataclass(frozen=True)
class Includes:
    lhs: Path
    excludes: bool
    values: tuple[Literal, ...]
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND / OR
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Not:
    item: Cond


Cond = Compare | InList | InSubquery | Like | Includes | BoolOp | Not
SelectItem = FieldItem | AggItem | CountAll | SubqueryItem


@dataclass(frozen=True)
class OrderItem:
    key: Path | AggItem
    desc: bool
    nulls_first: bool | None  # None = Salesforce default (ASC → first, DESC → last)


@dataclass(frozen=True)
class Query:
    select: tuple[SelectItem, ...]
    object_name: str
    object_pos: int
    alias: str | None = None
    where: Cond | None = None
    group_by: tuple[Path, ...] = ()
    having: Cond | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    offset_pos: int = 0
    extras: dict[str, object] = field(default_factory=dict, compare=False)
