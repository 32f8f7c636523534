"""Row changes captured per store transaction, collapsed per record, handed to a sink at the outermost commit.

The store calls `created`/`updated` from its raw row writes and `begin`/`commit`/`rollback` from
`transaction()`, so every write path (REST, composite, Bulk, SOAP, convertLead, merge, the control API)
publishes without knowing about Change Data Capture. Savepoints nest: a rolled-back record inside an allOrNone
batch takes its changes with it. Several writes to one record in one transaction collapse into one change
with the first change type and the committed end state, as Salesforce does (CDC guide, "general
considerations"). Imports nothing from the store, so the store can hold one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass
class RowChange:
    entity: str
    record_id: str
    kind: str  # CREATE | UPDATE | DELETE | UNDELETE
    old: dict[str, object] = field(default_factory=dict)  # UPDATE: values before the transaction
    hidden: set[str] = field(default_factory=set)  # fields left out of the event (convertLead's stamps)


@dataclass(frozen=True)
class Committed:
    """One committed transaction's changes, in the order their records were first touched."""

    changes: tuple[RowChange, ...]
    user_id: str | None
    origin: str


class ChangeCapture:
    """Collects the changes of the entities `wants` accepts; `sink` receives each committed transaction."""

    def __init__(self, wants: Callable[[str], bool], sink: Callable[[Committed], None]) -> None:
        self.wants = wants
        self.sink = sink
        self._stack: list[dict[tuple[str, str], RowChange]] = []
        self._user: str | None = None
        self._local = threading.local()

    # --- where a change comes from (set per request by the server; read at commit) ----------------------

    @property
    def origin(self) -> str:
        return getattr(self._local, "origin", "")

    @origin.setter
    def origin(self, value: str) -> None:
        self._local.origin = value

    # --- transactions -------------------------------------------------------------------------------------

    def begin(self) -> None:
        if not self._stack:
            self._user = None
        self._stack.append({})

    def rollback(self) -> None:
        if self._stack:
            self._stack.pop()

    def commit(self) -> None:
        if not self._stack:
            return
        top = self._stack.pop()
        if self._stack:
            parent = self._stack[-1]
            for key, change in top.items():
                _merge_into(parent, key, change)
            return
        if top:
            self.sink(Committed(tuple(top.values()), self._user, self.origin))

    # --- row writes ---------------------------------------------------------------------------------------

    def created(self, entity: str, record_id: str, user_id: object) -> None:
        self._record(RowChange(entity, record_id, "CREATE"), user_id)

    def updated(
        self, entity: str, record_id: str, old: Mapping[str, object], new: Mapping[str, object]
    ) -> None:
        """`old` holds the stored values of the columns `new` sets; deleting is IsDeleted going 0 → 1."""
        if "IsDeleted" in new and bool(new["IsDeleted"]) != bool(old.get("IsDeleted")):
            kind = "DELETE" if new["IsDeleted"] else "UNDELETE"
        else:
            kind = "UPDATE"
        changed = {k: old.get(k) for k, v in new.items() if old.get(k) != v}
        user = new.get("LastModifiedById")
        self._record(RowChange(entity, record_id, kind, changed), user)

    def hide(self, entity: str, record_id: str, fields: tuple[str, ...]) -> None:
        """Leave `fields` out of this record's event in the current transaction."""
        if self._stack and (change := self._stack[-1].get((entity, record_id))) is not None:
            change.hidden.update(fields)

    def _record(self, change: RowChange, user_id: object) -> None:
        if not self.wants(change.entity):
            return
        if self._user is None and user_id:
            self._user = str(user_id)
        if not self._stack:  # a write outside any transaction commits on its own
            self.begin()
            self._stack[-1][(change.entity, change.record_id)] = change
            self.commit()
            return
        _merge_into(self._stack[-1], (change.entity, change.record_id), change)


def _merge_into(target: dict[tuple[str, str], RowChange], key: tuple[str, str], change: RowChange) -> None:
    """First change type wins; an UPDATE keeps the oldest value of each field it changed."""
    current = target.get(key)
    if current is None:
        target[key] = change
        return
    for name, value in change.old.items():
        current.old.setdefault(name, value)
    current.hidden.update(change.hidden)
    if current.kind == "UPDATE" and change.kind in ("DELETE", "UNDELETE"):
        current.kind = change.kind
