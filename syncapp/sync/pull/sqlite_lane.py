"""SQLite's fast lanes: one statement per CSV row (`CsvInserter`), or the second core (`StagedInserter`): a
builder thread makes the next chunk's mirror rows while the writer copies the previous chunk's.

SQLite has one writer, and most of the fast lane's cost is evaluating the row (the JSON of `sf_fields`, the
column conversions, the guards), not storing it. Both run in SQLite's C code, which releases the GIL. So a
second connection, in a thread, evaluates `fast_lane.row_sql` for chunk k+1 into a table of a shared-cache
in-memory database (the stage), while the writer copies chunk k from the stage into the mirror with one
`INSERT … SELECT … ON CONFLICT DO NOTHING`.

The builder binds GROUP_ROWS CSV rows to one statement (`SELECT … FROM (VALUES (…), (…), …)`), not one row
per statement: Python's sqlite3 releases the GIL for each statement's step and takes it back after, and
while the writer's thread runs Python (parsing the next CSV chunk, the search keys) taking it back waits for
the writer's switch interval (5 ms). Row by row, the builder ran about 5 times slower whenever the writer
ran Python; a statement per 500 rows takes the GIL back 20 times a chunk instead of 10,000.

The builder also writes the staged rows' search keys (`models/search.py`): SQL's expressions for printable
ASCII values, Python's `search_key` for the others, so the rows arrive in the mirror whole and the writer's
thread does not read them again. Python's pass is one statement that gathers the rows as one JSON text and
one that writes their keys back (`SqliteKeysByPython`): calling Python from SQL row by row took the GIL back
at each call, and made a million-person load 18 % slower.

Crash safety is the writer's alone. The stage is scratch memory: nothing in it is durable, and nothing in
the mirror depends on it until the writer's transaction (the chunk's rows, its "New Person" rows and, for a
page's last chunk, the cursor's checkpoint) commits. A crash at any point loses only the stage and replays
the page from the last committed checkpoint; the copy's ON CONFLICT (and the unique keys) make the replay
insert nothing twice. A builder that fails sends its chunk to the single-statement lane.

Two stage tables alternate. Chunk k+2 reuses chunk k's table, and is only submitted once chunk k's
transaction has committed: that commit is what releases the writer's shared-cache lock on the table. So
the stage runs only where each chunk commits on its own: not inside an outer transaction (a test's).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import sqlite3
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection

from syncapp.models.search import SqliteKeysByPython, sqlite_search_keys
from syncapp.sync.pull.fast_lane import SQLITE, FastLanePlan, LaneResult, row_sql

log = logging.getLogger(__name__)
ALIAS = "lane_stage"
# CSV rows bound to one build statement (fewer when a row is so wide that SQLite's variable limit says so).
GROUP_ROWS = 500
_names = itertools.count()


class CsvInserter:
    """SQLite's lane: one compiled statement for one object and one CSV header."""

    def __init__(self, sql: str, table: str, key_column: str, key_index: int, width: int) -> None:
        self.sql = sql
        self.table = table
        self.key_column = key_column
        self.key_index = key_index
        self.width = width

    @classmethod
    def build(cls, plan: FastLanePlan, header: list[str]) -> CsvInserter | None:
        """The statement for the plan's object, or None when this object cannot take the fast lane."""
        position = {name: i + 1 for i, name in enumerate(header)}
        row = row_sql(plan, header, SQLITE, lambda name: f"?{position[name]}" if name in position else None)
        if row is None:
            return None
        meta = plan.model._meta
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        key_column = quote(meta.get_field(plan.key).column)
        guards = [
            row.guards[0],
            f"NOT EXISTS (SELECT 1 FROM {table} WHERE {key_column} = ?{position['Id']})",
            *row.guards[1:],
        ]
        sql = (
            f"INSERT INTO {table} ({', '.join(row.columns)}) SELECT {', '.join(row.expressions)} "
            f"WHERE {' AND '.join(guards)}"
        )
        return cls(sql, table, key_column, position["Id"] - 1, len(header))

    def insert(self, rows: list[list[str]]) -> LaneResult:
        """Insert what qualifies; the caller holds the transaction, so the new rows are exactly those above
        the previous largest pk."""
        connection.ensure_connection()
        db = connection.connection.cursor()  # the driver's own cursor: no %-style parameter rewriting
        try:
            before = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}").fetchone()[0]
            width = self.width
            fitting = [r for r in rows if len(r) == width]
            db.executemany(self.sql, fitting)
            inserted = db.rowcount
            if inserted == len(rows):
                return LaneResult(inserted, [], after_pk=before)
            done = {
                key
                for (key,) in db.execute(f"SELECT {self.key_column} FROM {self.table} WHERE id > ?", [before])
            }
        finally:
            db.close()
        key = self.key_index
        rest = [r for r in rows if len(r) != width or r[key] not in done]
        return LaneResult(inserted, rest, after_pk=before)


class SqliteStage:
    """The stage of one object's Bulk load: attached to the writer, filled by one builder thread."""

    def __init__(self, builder: sqlite3.Connection, uri: str) -> None:
        self.builder = builder
        self.uri = uri
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fast-lane-builder")

    @classmethod
    def open(cls) -> SqliteStage | None:
        """A stage, or None where it cannot run (another database, an outer transaction)."""
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return None
        name = str(connection.settings_dict["NAME"])
        uri = f"file:syncapp-fast-lane-{next(_names)}?mode=memory&cache=shared"
        # The builder reads the mirror only for the hooks' lookups (a contact's account name), committed
        # by earlier steps; a test's shared in-memory database is opened as it is.
        main = name if name.startswith("file:") else f"file:{name}?mode=ro"
        builder = sqlite3.connect(main, uri=True, check_same_thread=False, isolation_level=None)
        builder.execute(f"ATTACH DATABASE '{uri}' AS {ALIAS}")
        connection.ensure_connection()
        connection.connection.execute(f"ATTACH DATABASE '{uri}' AS {ALIAS}")  # not in a transaction
        return cls(builder, uri)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.builder.close()
        if connection.connection is not None and not connection.in_atomic_block:
            connection.connection.execute(f"DETACH DATABASE {ALIAS}")


class StagedInserter:
    """The fast lane for one object and one CSV header, its rows built ahead by the stage's thread."""

    def __init__(
        self,
        stage: SqliteStage,
        plain: CsvInserter,
        build: list[str],
        copy: list[str],
        keys: list[tuple[str, SqliteKeysByPython]],
        group: int,
    ) -> None:
        self.stage = stage
        self.group = group  # CSV rows per build statement
        self.plain = plain  # the single-statement lane: a builder's failure falls back to it
        self.table = plain.table
        self.build_sql = build
        self.keys_sql = keys  # per slot, what writes the staged rows' search keys: SQL's, then Python's
        self.copy_sql = copy
        self.pending: deque[tuple[list[list[str]], int, Future]] = deque()
        self.slots = itertools.cycle((0, 1))

    @classmethod
    def build(cls, stage: SqliteStage, plan: FastLanePlan, header: list[str]) -> StagedInserter | None:
        plain = CsvInserter.build(plan, header)
        position = {name: i + 1 for i, name in enumerate(header)}
        # The CSV row is a row of the VALUES list, whose columns SQLite names column1, column2, …
        row = row_sql(plan, header, SQLITE, lambda n: f"csv.column{position[n]}" if n in position else None)
        if plain is None or row is None:
            return None
        width = len(row.columns)
        limit = stage.builder.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        group = max(1, min(GROUP_ROWS, limit // len(header)))
        values = ", ".join(["(" + ", ".join(["?"] * len(header)) + ")"] * group)
        quote = connection.ops.quote_name
        stage_column = {column: f"v{i}" for i, column in enumerate(row.columns)}

        def staged(attname: str) -> str | None:
            return stage_column.get(quote(plan.model._meta.get_field(attname).column))

        searched = sqlite_search_keys(plan.model, staged)
        build, copy, keys = [], [], []
        for slot in (0, 1):
            table = f"{ALIAS}.rows_{slot}"
            by_python = searched and SqliteKeysByPython(plan.model, staged, table, f"NOT ({searched[1]})")
            if by_python and by_python.ready:
                # Off the writer's thread, every key of the rows before they are copied: SQL's for plain
                # values, Python's `search_key` for the others.
                sets = ", ".join(f"{column} = {expression}" for column, expression in searched[0])
                keys.append((f"UPDATE {table} SET {sets} WHERE {searched[1]}", by_python))
            stage.builder.execute(f"DROP TABLE IF EXISTS {table}")
            stage.builder.execute(f"CREATE TABLE {table} ({', '.join(f'v{i}' for i in range(width))})")
            build.append(
                f"INSERT INTO {table} SELECT {', '.join(row.expressions)} FROM (VALUES {values}) AS csv "
                f"WHERE {' AND '.join(row.guards)}"
            )
            # WHERE true: SQLite's parser needs it between a SELECT and an upsert clause.
            copy.append(
                f"INSERT INTO {plain.table} ({', '.join(row.columns)}) SELECT * FROM {table} WHERE true "
                "ON CONFLICT DO NOTHING"
            )
        return cls(stage, plain, build, copy, keys, group)

    def stage_rows(self, rows: list[list[str]]) -> None:
        """Start building these rows' mirror rows in the builder thread."""
        slot = next(self.slots)
        fitting = [r for r in rows if len(r) == self.plain.width]
        self.pending.append((rows, slot, self.stage.executor.submit(self._build, slot, fitting)))

    def _build(self, slot: int, rows: list[list[str]]) -> None:
        builder = self.stage.builder
        builder.execute("BEGIN")
        try:
            builder.execute(f"DELETE FROM {ALIAS}.rows_{slot}")
            # The last group is filled up with empty rows, which the first guard (an empty Id) leaves out.
            values = list(itertools.chain.from_iterable(rows))
            values.extend([""] * (self.plain.width * (-len(rows) % self.group)))
            step = self.plain.width * self.group
            builder.executemany(
                self.build_sql[slot], (values[i : i + step] for i in range(0, len(values), step))
            )
            if self.keys_sql:
                in_sql, by_python = self.keys_sql[slot]
                builder.execute(in_sql)
                by_python.run(builder)
        finally:
            builder.execute("COMMIT")

    def wait(self, rows: list[list[str]]) -> None:
        """Wait for these rows' build if they are the next staged (its error is dealt with by `insert`)."""
        if self.pending and self.pending[0][0] is rows:
            concurrent.futures.wait([self.pending[0][2]])

    def insert(self, rows: list[list[str]]) -> LaneResult:
        """Copy these rows' staged mirror rows (staging them now if they were not); the caller holds the
        transaction."""
        if not self.pending or self.pending[0][0] is not rows:
            self.stage_rows(rows)  # a caller that did not stage ahead: the same rows, one at a time
            while self.pending[0][0] is not rows:
                self.pending.popleft()[2].result()
        _, slot, built = self.pending.popleft()
        try:
            built.result()
        except sqlite3.Error:
            log.warning(
                "The fast lane's builder failed; this chunk takes the single statement", exc_info=True
            )
            return self.plain.insert(rows)
        connection.ensure_connection()
        db = connection.connection.cursor()
        try:
            before = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}").fetchone()[0]
            db.execute(self.copy_sql[slot])
            inserted = db.rowcount
            keyed = bool(self.keys_sql)
            if inserted == len(rows):
                return LaneResult(inserted, [], after_pk=before, keyed=keyed)
            done = {
                key
                for (key,) in db.execute(
                    f"SELECT {self.plain.key_column} FROM {self.table} WHERE id > ?", [before]
                )
            }
        finally:
            db.close()
        key, width = self.plain.key_index, self.plain.width
        rest = [r for r in rows if len(r) != width or r[key] not in done]
        return LaneResult(inserted, rest, after_pk=before, keyed=keyed)
