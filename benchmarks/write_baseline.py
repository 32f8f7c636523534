"""The machine's limit for the initial load's writes, and the size of what it wrote, on SQLite and PostgreSQL.

The baseline is a plain `executemany` upsert of the person rows the load wrote (all of them unless `limit`
says fewer), copied into a fresh table, 10,000 rows per transaction. `deferred`: only the unique indexes
while writing, the others built afterwards (time included), as the initial load does: the best this machine
does for these rows with nothing else to do. The rows are read a chunk at a time, outside the clock: a
million rows held at once would take gigabytes, and a baseline on a fifth of them (as it was until the
million-person runs showed it) fills smaller B-trees and sorts smaller indexes than the load it is compared
with. Used by `sync_bench.py`.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

CHUNK = 10_000


def _upsert_sql(table: str, columns: list[str], marks: str) -> str:
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in ("sf_lead_id", "created_at"))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks}) "
    return sql + f'ON CONFLICT ("sf_lead_id") DO UPDATE SET {updates}'


def sqlite_executemany(db_path: Path, limit: int | None = None, *, deferred: bool = False) -> float:
    """Rows/s of a plain sqlite3 executemany upsert of the same person rows into a copy of the table."""
    source = sqlite3.connect(db_path)
    columns = [row[1] for row in source.execute("PRAGMA table_info(syncapp_person)") if row[1] != "id"]
    schema = source.execute("SELECT sql FROM sqlite_master WHERE name = 'syncapp_person'").fetchone()[0]
    indexes = [
        r[0].replace("syncapp_person", "bench_person")
        for r in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name='syncapp_person' AND type='index'"
        )
        if r[0]
    ]
    target_path = db_path.with_name("baseline.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    target = sqlite3.connect(target_path)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    target.execute(schema.replace('"syncapp_person"', '"bench_person"'))
    later = [i for i in indexes if deferred and not i.upper().startswith("CREATE UNIQUE")]
    for index in indexes:
        if index not in later:
            target.execute(index)
    sql = _upsert_sql("bench_person", columns, ", ".join("?" * len(columns)))
    selected = f"SELECT {', '.join(columns)} FROM syncapp_person ORDER BY id"
    reader = source.execute(selected + (f" LIMIT {int(limit)}" if limit else ""))
    rows = seconds = 0.0
    while chunk := reader.fetchmany(CHUNK):
        started = time.perf_counter()
        with target:
            target.executemany(sql, chunk)
        seconds += time.perf_counter() - started
        rows += len(chunk)
    source.close()
    started = time.perf_counter()
    for index in later:
        target.execute(index)
    seconds += time.perf_counter() - started
    target.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    return rows / seconds


def postgres_executemany(url: str, limit: int | None = None, *, deferred: bool = False) -> float:
    """The same on PostgreSQL through psycopg 3 (whose executemany pipelines the statements), with the
    server's own `synchronous_commit`."""
    import psycopg

    with psycopg.connect(url) as conn, psycopg.connect(url) as source:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'syncapp_person' "
                "AND table_schema = current_schema() AND column_name <> 'id' ORDER BY ordinal_position"
            )
        ]
        indexes = [
            definition
            for (definition,) in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'syncapp_person' "
                "AND schemaname = current_schema()"
            )
        ]
        conn.execute("DROP TABLE IF EXISTS bench_person")
        conn.execute("CREATE TABLE bench_person (LIKE syncapp_person INCLUDING DEFAULTS INCLUDING IDENTITY)")
        conn.commit()
        renamed = [
            re.sub(r"INDEX (\S+) ON (\S*)syncapp_person ", rf"INDEX bench_{n} ON \2bench_person ", definition)
            for n, definition in enumerate(indexes)
        ]
        later = [i for i in renamed if deferred and not i.upper().startswith("CREATE UNIQUE")]
        for index in renamed:
            if index not in later:
                conn.execute(index)
        conn.commit()
        marks = ", ".join("CAST(%s AS jsonb)" if c == "sf_fields" else "%s" for c in columns)
        sql = _upsert_sql("bench_person", columns, marks)
        selected = ", ".join(f'"{c}"::text' if c == "sf_fields" else f'"{c}"' for c in columns)
        query = f"SELECT {selected} FROM syncapp_person ORDER BY id" + (
            f" LIMIT {int(limit)}" if limit else ""
        )
        rows = seconds = 0.0
        with source.cursor(name="baseline_rows") as reader, conn.cursor() as cursor:
            reader.execute(query)
            while chunk := reader.fetchmany(CHUNK):
                started = time.perf_counter()
                cursor.executemany(sql, chunk)
                conn.commit()
                seconds += time.perf_counter() - started
                rows += len(chunk)
        started = time.perf_counter()
        for index in later:
            conn.execute(index)
        conn.commit()
        seconds += time.perf_counter() - started
        conn.execute("DROP TABLE bench_person")
        conn.commit()
    return rows / seconds


def sizes_mb(*, sqlite_path: Path | None = None, postgres_url: str | None = None) -> dict[str, float]:
    """What the mirror takes on disk: the SQLite file (and its WAL), or PostgreSQL's relations (indexes and
    TOAST included) for the person and activity-log tables and the whole database."""
    mb = 1024 * 1024
    if sqlite_path is not None:
        total = sum(
            Path(f"{sqlite_path}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{sqlite_path}{s}").exists()
        )
        return {"sqlite_file_mb": round(total / mb)}
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        person, activity, database = conn.execute(
            "SELECT pg_total_relation_size('syncapp_person'), pg_total_relation_size('syncapp_activitylog'), "
            "pg_database_size(current_database())"
        ).fetchone()
    return {
        "postgres_person_mb": round(person / mb),
        "postgres_activitylog_mb": round(activity / mb),
        "postgres_database_mb": round(database / mb),
    }
