"""The org's Change Data Capture event log: entity selection, publishing, 72-hour retention, replay, faults.

Every committed transaction of a selected entity (org/changes.py) becomes change events here, numbered by
one increasing replay id per org (opaque to clients, unique per channel, never reused, not even by a reset).
Events live in the org's database, so a restarted emulator on a file keeps its replay window. Fidelity
(spec streaming §2): one transactionKey per transaction, sequenceNumber in order; UPDATEs with the same change
on several records merge into one event listing them all; a transaction past the overflow limit (100,000
changes, an UPDATE counting once per field) turns the rest into one GAP_OVERFLOW per entity; an event over
1 MB becomes its GAP_ event. Faults for tests: drop the next events (lost, as CometD loses them), delay
them (delivery waits; later events wait behind them), expire the replay window.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sfdc_emulator.org import event_payload as bodies
from sfdc_emulator.org.changes import Committed, RowChange
from sfdc_emulator.org.errors import SfError

if TYPE_CHECKING:
    from sfdc_emulator.org.store import Store

RETENTION_SECONDS = 72 * 3600
DEFAULT_SELECTION = ("Lead", "Contact", "Account", "Opportunity", "CampaignMember")
DEFAULT_ENTITY_LIMIT = 5  # without the CDC add-on (cdc_allocations)
OVERFLOW_LIMIT = 100_000
MAX_EVENT_BYTES = 1_000_000
DELIVERY_LIMIT = 25_000  # DailyDeliveredPlatformEvents of an Enterprise Edition org
NOT_CDC = {"Profile", "Group", "QueueSobject", "LeadStatus", "CampaignMemberStatus", "AssignmentRule",
           "Organization"}  # fmt: skip
TABLE = (
    "CREATE TABLE IF NOT EXISTS _emu_change_events (replay_id INTEGER PRIMARY KEY, entity TEXT NOT NULL, "
    "published REAL NOT NULL, visible_at REAL NOT NULL, data TEXT NOT NULL)"
)


@dataclass
class StreamFault:
    kind: str  # drop | delay
    remaining: int
    entity: str | None = None
    delay_ms: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "remaining": self.remaining,
            "entity": self.entity,
            "delay_ms": self.delay_ms,
        }


@dataclass(frozen=True)
class StoredEvent:
    replay_id: int
    entity: str
    data: dict


class EventLog:
    """Change events of one org; `wants` and `publish` are the change capture's filter and sink."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cond = threading.Condition()
        self.faults: list[StreamFault] = []
        self.epoch = 0  # bumped by a reset: Bayeux clients of an earlier epoch are unknown
        self.version = 0  # bumped under `cond` by every publish: long polls wait for it to move
        self.dropped = 0
        store.execute(TABLE)
        store.execute(
            "CREATE INDEX IF NOT EXISTS ix_emu_change_events_published ON _emu_change_events (published)"
        )
        self._selection: frozenset[str] | None = None
        self._last = self._persisted_last()

    # --- selection ----------------------------------------------------------------------------------------

    @property
    def selection(self) -> frozenset[str]:
        if self._selection is None:
            chosen = self.store.get_setting("cdc_selection", list(DEFAULT_SELECTION))
            self._selection = frozenset(chosen)  # type: ignore[arg-type]
        return self._selection

    @property
    def entity_limit(self) -> int:
        return int(self.store.get_setting("cdc_entity_limit", DEFAULT_ENTITY_LIMIT))  # type: ignore[arg-type]

    def select(self, entities: list[str], *, limit: int | None = None) -> None:
        """Choose the entities that publish change events (Setup → Change Data Capture)."""
        if limit is not None:
            self.store.set_setting("cdc_entity_limit", int(limit))
        names = []
        for name in entities:
            obj = self.store.schema.get_object(name)
            if obj is None or obj.name in NOT_CDC:
                raise SfError(400, "INVALID_INPUT", f"Change Data Capture is not available for {name}")
            names.append(obj.name)
        if len(set(names)) > self.entity_limit:
            raise SfError(400, "LIMIT_EXCEEDED", f"You can select up to {self.entity_limit} entities")
        self.store.set_setting("cdc_selection", sorted(set(names)))
        self._selection = None

    def wants(self, entity: str) -> bool:
        return entity in self.selection

    # --- publishing ---------------------------------------------------------------------------------------

    def publish(self, tx: Committed) -> None:
        """Turn one committed transaction into events (runs under the store lock, right after COMMIT)."""
        now_ms = int(self.store.clock.now().timestamp() * 1000)
        header = {"changeOrigin": tx.origin, "transactionKey": str(uuid.uuid4()), "commitTimestamp": now_ms,
                  "commitUser": tx.user_id or ""}  # fmt: skip
        events: list[tuple[str, dict]] = []
        merged: dict[tuple[str, str], dict] = {}
        weight, limit = 0, int(self.store.get_setting("cdc_overflow_limit", OVERFLOW_LIMIT))  # type: ignore[arg-type]
        overflowed: set[str] = set()
        for change in tx.changes:
            weight += max(1, len(change.old)) if change.kind == "UPDATE" else 1
            if weight > limit:
                if change.entity not in overflowed:
                    overflowed.add(change.entity)
                    events.append(
                        (change.entity, self._gap(change.entity, "GAP_OVERFLOW", ["000000000000000AAA"]))
                    )
                continue
            payload = self._payload(change)
            if payload is None:
                continue
            if change.kind == "UPDATE":
                same = {k: v for k, v in payload.items() if k != "ChangeEventHeader"}
                same["changedFields"] = payload["ChangeEventHeader"]["changedFields"]
                key = (change.entity, json.dumps(same, sort_keys=True))
                if key in merged:  # the same change on another record of this transaction: one event
                    merged[key]["ChangeEventHeader"]["recordIds"].append(change.record_id)
                    continue
                merged[key] = payload
            events.append((change.entity, payload))
        self._store(events, header)

    def _gap(self, entity: str, kind: str, record_ids: list[str]) -> dict:
        return {"ChangeEventHeader": {"entityName": entity, "recordIds": record_ids, "changeType": kind,
                                      "changedFields": []}}  # fmt: skip

    def _payload(self, change: RowChange) -> dict | None:
        obj = self.store.schema.get_object(change.entity)
        row = self.store.get_row(change.entity, change.record_id) if obj is not None else None
        if obj is None or row is None:
            return None
        if change.kind in ("CREATE", "UNDELETE"):
            fields, body = [], bodies.body(obj, row, list(obj.fields), keep_nulls=False)
        elif change.kind == "DELETE":
            fields, body = [], {}
        else:
            names = [n for n in change.old if n not in change.hidden and n != "SystemModstamp"]
            if "LastModifiedDate" not in change.hidden:
                names.append("LastModifiedDate")
            names = list(dict.fromkeys(names))
            fields, body = (
                bodies.changed_field_names(obj, names),
                bodies.body(obj, row, names, keep_nulls=True),
            )
        header = {"entityName": obj.name, "recordIds": [change.record_id], "changeType": change.kind,
                  "changedFields": fields}  # fmt: skip
        payload = {"ChangeEventHeader": header, **body}
        if len(json.dumps(payload)) > MAX_EVENT_BYTES:
            return self._gap(obj.name, "GAP_" + change.kind, [change.record_id])
        return payload

    def _store(self, events: list[tuple[str, dict]], common: dict) -> None:
        if not events:
            return
        published, wall = self.store.clock.now().timestamp(), time.time()
        rows = []
        for sequence, (entity, payload) in enumerate(events, start=1):
            self._last += 1
            header = payload["ChangeEventHeader"]
            header.update(common, sequenceNumber=sequence, commitNumber=1_184_467_000_000 + self._last * 7)
            if header["changeType"].startswith("GAP_"):
                header["sequenceNumber"] = 1
            visible_at = self._take_fault(entity, wall)
            if visible_at is None:
                self.dropped += 1
                continue
            data = {"schema": _schema_id(entity), "payload": payload, "event": {"replayId": self._last}}
            rows.append((self._last, entity, published, visible_at, json.dumps(data, separators=(",", ":"))))
        self.store.set_setting("cdc_last_replay_id", self._last)
        if rows:
            self.store.conn.executemany(
                "INSERT INTO _emu_change_events (replay_id, entity, published, visible_at, data) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        self.wake()

    def wake(self) -> None:
        """Wake every parked long poll (new events, a reset, a client gone)."""
        with self.cond:
            self.version += 1
            self.cond.notify_all()

    def _take_fault(self, entity: str, wall: float) -> float | None:
        """When the event becomes deliverable, or None when a drop fault loses it."""
        for fault in self.faults:
            if fault.remaining > 0 and fault.entity in (None, entity):
                fault.remaining -= 1
                self.faults = [f for f in self.faults if f.remaining > 0]
                return None if fault.kind == "drop" else wall + fault.delay_ms / 1000
        return wall

    # --- replay -------------------------------------------------------------------------------------------

    @property
    def last_replay_id(self) -> int:
        return self._last

    def _persisted_last(self) -> int:
        row = self.store.fetchone("SELECT max(replay_id) FROM _emu_change_events")
        saved = int(self.store.get_setting("cdc_last_replay_id", 0))  # type: ignore[arg-type]
        return max(saved, int(row[0] or 0) if row else 0)

    @property
    def purged_through(self) -> int:
        return int(self.store.get_setting("cdc_purged_through", 0))  # type: ignore[arg-type]

    def purge_expired(self) -> None:
        """Forget events older than the 72-hour window of the org clock."""
        cutoff = self.store.clock.now().timestamp() - RETENTION_SECONDS
        with self.store.lock:
            row = self.store.fetchone(
                "SELECT max(replay_id) FROM _emu_change_events WHERE published < ?", (cutoff,)
            )
            if row and row[0] is not None:
                self.store.execute("DELETE FROM _emu_change_events WHERE replay_id <= ?", (row[0],))
                self.store.set_setting("cdc_purged_through", max(self.purged_through, int(row[0])))

    def expire_all(self) -> int:
        """The replay window passes: every event issued so far is gone; returns how many were retained."""
        with self.store.lock:
            cur = self.store.execute("DELETE FROM _emu_change_events")
            self.store.set_setting("cdc_purged_through", self._last)
        return cur.rowcount

    def replay_valid(self, replay_id: int) -> bool:
        """-1 and -2 always; N when every event after N is still retained and N was issued."""
        if replay_id in (-1, -2):
            return True
        self.purge_expired()
        return self.purged_through <= replay_id <= self._last

    def start_of(self, replay_id: int) -> int:
        """The delivery cursor a subscription with `replay_id` starts from (events strictly after it)."""
        if replay_id == -1:
            return self._last
        if replay_id == -2:
            return self.purged_through
        return replay_id

    def read(
        self, entities: frozenset[str] | None, after: int, limit: int = 1000
    ) -> tuple[list[StoredEvent], float | None]:
        """Deliverable events after `after` in replay order; the wall time a held-back one becomes due."""
        sql = "SELECT replay_id, entity, visible_at, data FROM _emu_change_events WHERE replay_id > ?"
        params: list[object] = [after]
        if entities is not None:
            sql += f" AND entity IN ({', '.join('?' * len(entities))})"
            params.extend(sorted(entities))
        rows = self.store.fetchall(sql + " ORDER BY replay_id LIMIT ?", [*params, limit])
        now, out = time.time(), []
        for replay_id, entity, visible_at, data in rows:
            if visible_at > now:  # delivery is in order: a delayed event holds back the ones after it
                return out, visible_at
            out.append(StoredEvent(replay_id, entity, json.loads(data)))
        return out, None

    def after_reset(self) -> None:
        """A reset restored the baseline: events issued before are gone and replay ids keep increasing."""
        with self.store.lock:
            self.store.execute("DELETE FROM _emu_change_events")
            self.store.set_setting("cdc_last_replay_id", self._last)
            self.store.set_setting("cdc_purged_through", self._last)
        self.faults.clear()
        self.dropped = 0
        self._selection = None
        self.epoch += 1
        self.wake()

    # --- delivery allocation ------------------------------------------------------------------------------

    def delivery(self) -> tuple[int, int]:
        """(delivered today, daily limit) of DailyDeliveredPlatformEvents."""
        saved = self.store.get_setting("cdc_delivered", {}) or {}
        used = int(saved.get("used", 0)) if saved.get("day") == self.store.clock.today() else 0  # type: ignore[union-attr]
        return used, int(self.store.get_setting("cdc_delivery_limit", DELIVERY_LIMIT))  # type: ignore[arg-type]

    def count_delivered(self, n: int) -> None:
        used, _ = self.delivery()
        self.store.set_setting("cdc_delivered", {"day": self.store.clock.today(), "used": used + n})


def _schema_id(entity: str) -> str:
    """A stable 22-character schema id per entity (the Avro schema's id in a real org)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"emulator/{entity}ChangeEvent").hex[:22]
