"""SQLite storage of one org: one table per sObject, emulator meta tables, ids and raw rows (no validation).

Layout (the contract soql/, server/bulk2/ and seed/ rely on): table "<sObject>" with one column per field,
named exactly like the field; Id is the 18-char PRIMARY KEY; an index on (SystemModstamp, Id) on every table.
Encoding: booleans INTEGER 0/1 (never NULL), int INTEGER, double/currency/percent REAL, date 'YYYY-MM-DD',
datetime 'YYYY-MM-DDTHH:MM:SS.000+0000' (UTC, whole seconds), everything else TEXT (multipicklist 'a;b').

Thread safety: one connection shared by every thread, guarded by the re-entrant `lock`; `transaction()` holds
it for the whole unit of work and nests with SAVEPOINTs (per-record rollback inside an allOrNone batch).

API for the other modules (validated writes as a user live in dml.py, which takes a Store):
- `bulk_insert(obj, rows, user_id=…)`: the seeding fast path (executemany, no rules; fills ids, stamps,
  defaults).
- `get_row`, `find_ids`, `insert_row`, `update_row`, `new_id(s)`, `execute`, `fetchall`, `transaction()`,
  settings `get_setting/set_setting`, baseline `snapshot/restore`.
"""
# Long module: every raw write to an sObject table goes through this one class, so change capture sees them.

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from sfdc_emulator.org import ids
from sfdc_emulator.org.changes import ChangeCapture
from sfdc_emulator.org.objects import DEFAULT_SCHEMA
from sfdc_emulator.org.rules import ValidationRules
from sfdc_emulator.org.schema import CURRENT_USER, TODAY, ObjectDef, OrgSchema
from sfdc_emulator.org.security import FieldSecurity
from sfdc_emulator.org.values import Clock

META_TABLES = {
    "_emu_settings": "key TEXT PRIMARY KEY, value TEXT",
    "_emu_credentials": "user_id TEXT PRIMARY KEY, password TEXT, security_token TEXT",
    "_emu_sessions": "token TEXT PRIMARY KEY, user_id TEXT, issued_at REAL, expires_at REAL",
    "_emu_connected_apps": "client_id TEXT PRIMARY KEY, client_secret TEXT, run_as_user_id TEXT, "
    "certificate TEXT",
    "_emu_field_access": "subject_id TEXT, object TEXT, field TEXT, access TEXT, "
    "PRIMARY KEY (subject_id, object, field)",
    "_emu_deleted_fields": "object TEXT, field TEXT, PRIMARY KEY (object, field)",
    "_emu_validation_rules": "name TEXT PRIMARY KEY, object TEXT, spec TEXT",
    "_emu_assignment_rules": "id TEXT PRIMARY KEY, spec TEXT",
    "_emu_emails": "seq INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT",
}


def q(name: str) -> str:
    """A quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


class Store:
    """The org's SQLite database (file or `:memory:`)."""

    def __init__(
        self, path: str = ":memory:", schema: OrgSchema = DEFAULT_SCHEMA, clock: Clock | None = None
    ):
        self.path = path
        self.schema = schema
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-65536")
        self._depth = 0
        self._seq: dict[str, int] = {}
        self._baseline: sqlite3.Connection | None = None
        self.security = FieldSecurity(self)
        self.rules = ValidationRules(self)
        # Hook the org sets for fault injection: called as before_write(object, id or None) inside each save.
        self.before_write: Callable[[str, str | None], None] | None = None
        # Change Data Capture: the org's event log sets it; every raw row write below reports to it.
        self.capture: ChangeCapture | None = None
        self.create_tables()

    # --- low level -------------------------------------------------------------------------------

    def execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, tuple(params))

    def fetchall(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    def fetchone(self, sql: str, params: Iterable[object] = ()) -> tuple | None:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN…COMMIT at the outermost level, SAVEPOINT inside; rolls back on any exception."""
        with self.lock:
            depth = self._depth
            name = f"sp{depth}"
            self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
            if depth == 0:
                self.clock.pin()
            self._depth += 1
            capture = self.capture
            if capture is not None:
                capture.begin()
            try:
                yield
            except BaseException:
                self._depth -= 1
                if depth == 0:
                    self.clock.unpin()
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                self._seq.clear()  # Why: ids minted inside the rolled-back work may be reused safely.
                if capture is not None:
                    capture.rollback()
                raise
            self._depth -= 1
            if depth == 0:
                self.clock.unpin()
            self.conn.execute("COMMIT" if depth == 0 else f"RELEASE {name}")
            if capture is not None:
                capture.commit()  # after COMMIT: an event never describes work that was rolled back

    # --- tables ----------------------------------------------------------------------------------

    def create_tables(self) -> None:
        with self.lock:
            for name, cols in META_TABLES.items():
                self.conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
            for obj in self.schema:
                self._create_object_table(obj)

    def _create_object_table(self, obj: ObjectDef) -> None:
        cols = []
        for fd in obj.fields.values():
            col = f"{q(fd.name)} {fd.sql_type}"
            if fd.name == "Id":
                col += " PRIMARY KEY"
            elif fd.type == "boolean":
                col += " NOT NULL DEFAULT 0"
            cols.append(col)
        table = q(obj.name)
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})")
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS {q('ix_' + obj.name + '_modstamp')} ON {table} (SystemModstamp, Id)"
        )
        for fd in obj.fields.values():
            if fd.type == "reference" and fd.name not in ("CreatedById", "LastModifiedById"):
                self.conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {q('ix_' + obj.name + '_' + fd.name)} "
                    f"ON {table} ({q(fd.name)})"
                )
            elif fd.external_id or fd.unique:
                self.conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {q('ix_' + obj.name + '_' + fd.name)} "
                    f"ON {table} ({q(fd.name)} COLLATE NOCASE)"
                )

    def object(self, name: str) -> ObjectDef:
        obj = self.schema.get_object(name)
        if obj is None:
            raise KeyError(name)
        return obj

    # --- ids -------------------------------------------------------------------------------------

    def new_ids(self, obj_name: str, count: int) -> list[str]:
        """Mint `count` fresh 18-char ids for `obj_name` (monotonic per key prefix)."""
        obj = self.object(obj_name)
        with self.lock:
            seq = self._seq.get(obj.name)
            if seq is None:
                row = self.conn.execute(f"SELECT max(Id) FROM {q(obj.name)}").fetchone()
                seq = ids.sequence_of(row[0]) if row and row[0] else 0
            self._seq[obj.name] = seq + count
        return [ids.make_id(obj.key_prefix, seq + i + 1) for i in range(count)]

    def new_id(self, obj_name: str) -> str:
        return self.new_ids(obj_name, 1)[0]

    # --- raw rows (no validation) ----------------------------------------------------------------

    def get_row(self, obj_name: str, record_id: str, columns: Iterable[str] | None = None) -> dict | None:
        """The stored row (storage encoding) for an 18-char id, deleted or not; None if absent."""
        obj = self.object(obj_name)
        names = list(columns) if columns is not None else list(obj.fields)
        sql = f"SELECT {', '.join(q(c) for c in names)} FROM {q(obj.name)} WHERE Id = ?"
        row = self.fetchone(sql, (record_id,))
        return dict(zip(names, row, strict=True)) if row else None

    def find_ids(
        self, obj_name: str, field: str, value: object, *, include_deleted: bool = False
    ) -> list[str]:
        """Ids whose `field` equals `value` (text compared case-insensitively, like external ids)."""
        obj = self.object(obj_name)
        fd = obj.field(field)
        if fd is None:
            raise KeyError(field)
        collate = " COLLATE NOCASE" if fd.sql_type == "TEXT" else ""
        sql = f"SELECT Id FROM {q(obj.name)} WHERE {q(fd.name)} = ?{collate}"
        if not include_deleted:
            sql += " AND IsDeleted = 0"
        return [r[0] for r in self.fetchall(sql + " ORDER BY Id", (value,))]

    def insert_row(self, obj_name: str, values: Mapping[str, object]) -> None:
        obj = self.object(obj_name)
        cols = list(values)
        marks = ", ".join("?" * len(cols))
        sql = f"INSERT INTO {q(obj.name)} ({', '.join(q(c) for c in cols)}) VALUES ({marks})"
        self.execute(sql, [values[c] for c in cols])
        if self.capture is not None:
            self.capture.created(obj.name, str(values["Id"]), values.get("CreatedById"))

    def update_row(self, obj_name: str, record_id: str, values: Mapping[str, object]) -> None:
        if not values:
            return
        obj = self.object(obj_name)
        sets = ", ".join(f"{q(c)} = ?" for c in values)
        with self.lock:
            capture = self.capture if self.capture is not None and self.capture.wants(obj.name) else None
            old = self.get_row(obj.name, record_id, values) if capture is not None else None
            self.execute(f"UPDATE {q(obj.name)} SET {sets} WHERE Id = ?", [*values.values(), record_id])
            if capture is not None and old is not None:
                capture.updated(obj.name, record_id, old, values)

    def bulk_insert(
        self, obj_name: str, rows: list[Mapping[str, object]], *, user_id: str, stamp: str | None = None
    ) -> list[str]:
        """Insert many rows fast (executemany, one transaction), bypassing validation rules.

        Values must already be in storage encoding. Missing Id, audit fields, OwnerId, booleans and defaults
        are filled in; a row may carry its own CreatedDate/SystemModstamp (demo history). Returns the ids.
        """
        if not rows:
            return []
        obj = self.object(obj_name)
        stamp = stamp or self.clock.stamp()
        today = stamp[:10]
        fills: dict[str, object] = {
            "IsDeleted": 0,
            "CreatedDate": stamp,
            "CreatedById": user_id,
            "LastModifiedDate": stamp,
            "LastModifiedById": user_id,
            "SystemModstamp": stamp,
        }
        for fd in obj.fields.values():
            if fd.name in fills or fd.name == "Id":
                continue
            if fd.default == CURRENT_USER:
                fills[fd.name] = user_id
            elif fd.default == TODAY:
                fills[fd.name] = today
            elif fd.default is not None:
                fills[fd.name] = int(fd.default) if fd.type == "boolean" else fd.default
            elif fd.type == "boolean":
                fills[fd.name] = 0
        columns = list(dict.fromkeys(["Id", *fills, *(k for r in rows for k in r)]))
        fresh = iter(self.new_ids(obj.name, sum(1 for r in rows if not r.get("Id"))))
        out_ids: list[str] = []
        params = []
        for r in rows:
            rid = r.get("Id") or next(fresh)
            out_ids.append(rid)  # type: ignore[arg-type]
            params.append(tuple(rid if c == "Id" else r.get(c, fills.get(c)) for c in columns))
        sql = (
            f"INSERT INTO {q(obj.name)} ({', '.join(q(c) for c in columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        with self.transaction():
            self.conn.executemany(sql, params)
            if self.capture is not None and self.capture.wants(obj.name):
                for rid in out_ids:
                    self.capture.created(obj.name, rid, user_id)
        return out_ids

    # --- settings --------------------------------------------------------------------------------

    def get_setting(self, key: str, default: object = None) -> object:
        row = self.fetchone("SELECT value FROM _emu_settings WHERE key = ?", (key,))
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: object) -> None:
        self.execute(
            "INSERT INTO _emu_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # --- baseline snapshot -----------------------------------------------------------------------

    def snapshot(self) -> None:
        """Remember the current state as the baseline `restore()` returns to."""
        with self.lock:
            target = ":memory:" if self.path == ":memory:" else self.path + ".baseline"
            self._baseline = sqlite3.connect(target, check_same_thread=False)
            self.conn.backup(self._baseline)

    def restore(self) -> None:
        """Return to the baseline taken by `snapshot()` (keeps nothing written since)."""
        with self.lock:
            if self._baseline is None:
                raise RuntimeError("no baseline snapshot")
            self._baseline.backup(self.conn)
            self._seq.clear()
            self.security.invalidate()
            self.rules.invalidate()

    def clear_records(self) -> None:
        """Delete every sObject row (keeps meta tables)."""
        with self.transaction():
            for obj in self.schema:
                self.conn.execute(f"DELETE FROM {q(obj.name)}")
            self._seq.clear()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
            if self._baseline is not None:
                self._baseline.close()
