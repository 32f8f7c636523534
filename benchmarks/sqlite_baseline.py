"""The sync benchmark's baseline, the machine's own limit: a plain sqlite3 `executemany` upsert."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def executemany_baseline(db_path: Path, limit: int, *, deferred: bool = False) -> float:
    """Rows/s of a plain sqlite3 executemany upsert of the same person rows into a copy of the table.

    `deferred`: only the unique indexes while writing, the others built afterwards (time included), as the
    initial load does: the best this machine does for these rows, with nothing else to do.
    """
    source = sqlite3.connect(db_path)
    columns = [row[1] for row in source.execute("PRAGMA table_info(syncapp_person)") if row[1] != "id"]
    rows = source.execute(f"SELECT {', '.join(columns)} FROM syncapp_person LIMIT {limit}").fetchall()
    schema = source.execute("SELECT sql FROM sqlite_master WHERE name = 'syncapp_person'").fetchone()[0]
    indexes = [
        r[0].replace("syncapp_person", "bench_person")
        for r in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name='syncapp_person' AND type='index'"
        )
        if r[0]
    ]
    source.close()
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
            target.execute(index.replace("syncapp_person", "bench_person"))
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in ("sf_lead_id", "created_at"))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO bench_person ({quoted}) VALUES ({marks}) "
    sql += f'ON CONFLICT ("sf_lead_id") DO UPDATE SET {updates}'
    started = time.perf_counter()
    for start in range(0, len(rows), 10000):
        with target:
            target.executemany(sql, rows[start : start + 10000])
    for index in later:
        target.execute(index)
    seconds = time.perf_counter() - started
    target.close()
    return len(rows) / seconds
