"""Secondary indexes set aside while a large initial load fills a table, and rebuilt once it is done.

Keeping every index of a table in order while a million rows arrive costs SQLite more than writing the rows
(each row lands on a random page of every index); building an index from the finished table is one sort.
Unique indexes stay, because the pull looks records up and upserts on them; partial indexes stay too: they
hold only the rows their condition picks (the people Salesforce rejected or deleted: none in a first load),
so keeping them costs the load nothing, and rebuilding each cost a scan of the table (0.3-0.4 s at a
million people). Each definition is saved in
`DeferredIndex` before its index is dropped, in the same transaction, so a worker killed mid-load loses
nothing: the cycle rebuilds whatever is listed there when its loads are done, whichever cycle that is.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.db import connection, models, transaction

from syncapp.models import DeferredIndex
from syncapp.sync.sqlite_pragmas import sqlite_pragmas
from syncapp.sync.write_lock import let_waiting_writers_in

log = logging.getLogger(__name__)

# SQLite sorts a CREATE INDEX in memory up to its page cache size (64 MB per connection, `core/settings.py`)
# before it merges runs from temporary files: at a million people that put ~100 MB on top of the worker's
# peak. And it may give the sort helper threads (`PRAGMA threads`, off by default), each with a cache of its
# own; the rebuild runs alone, so the other cores are idle. Five 1M-row builds (a /tmp script, 2 cores):
# 16 MB and no helper 4.3-4.8 s, +16-33 MB of RSS; 16 MB and one helper 4.0-4.7 s, +49 MB; 8 MB and one
# helper 2.9-3.6 s, +25 MB. A second helper did not help on 2 cores.
SORT_CACHE_KIB = 8 * 1024
SORT_THREADS = max(1, min(4, (os.cpu_count() or 1) - 1))


def secondary_indexes(table: str) -> dict[str, str]:
    """Name → CREATE INDEX statement for the table's non-unique indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        rows = cursor.fetchall()
    return {name: sql for name, sql in rows if not sql.upper().startswith("CREATE UNIQUE")}


def is_partial(definition: str) -> bool:
    return " WHERE " in definition.upper()


def _fire_deferred_checks(cursor) -> None:
    # PostgreSQL refuses DDL on a table with deferred foreign-key checks pending in the transaction.
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@transaction.atomic
def defer_indexes(model: type[models.Model]) -> list[str]:
    """Drop the table's secondary indexes but the partial ones, saving their definitions first. Returns
    their names."""
    table = model._meta.db_table
    names = []
    quote = connection.ops.quote_name
    for name, definition in secondary_indexes(table).items():
        if is_partial(definition):
            continue
        DeferredIndex.objects.update_or_create(name=name, defaults={"table": table, "definition": definition})
        with connection.cursor() as cursor:
            _fire_deferred_checks(cursor)
            cursor.execute(f"DROP INDEX {quote(name)}")
        names.append(name)
    if names:
        log.info("Set aside %d indexes of %s for the initial load", len(names), table)
    return names


def rebuild_indexes(*, between: Callable[[], None] = let_waiting_writers_in) -> dict[str, float]:
    """Create every index set aside (one transaction each: a crash keeps the rest listed), calling `between`
    with the write lock released after each but the last: one build holds SQLite's lock for tens of seconds on
    a big table, and a click that waited through it must get in before the next.

    On PostgreSQL each rebuilt table is then analysed: CREATE INDEX counts a table's rows but leaves its
    column statistics as they were before the load (none, on a first load), and until autovacuum's ANALYZE
    comes round the planner guesses (PostgreSQL's "Populating a Database": run ANALYZE afterwards). A worker
    killed between the two leaves that to autovacuum.

    Returns the seconds spent per table."""
    seconds: dict[str, float] = {}
    with sqlite_pragmas(cache_size=-SORT_CACHE_KIB, threads=SORT_THREADS):
        for number, deferred in enumerate(DeferredIndex.objects.order_by("id")):
            _rebuild_one(deferred, number, between, seconds)
    if connection.vendor == "postgresql":
        for table in seconds:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            seconds[table] += time.perf_counter() - started
    return seconds


def _rebuild_one(deferred: DeferredIndex, number: int, between: Callable[[], None], seconds: dict) -> None:
    if number:
        between()
    definition = deferred.definition
    for prefix in ("CREATE INDEX ", "create index "):
        if definition.startswith(prefix):  # a rerun after a crash may find it built already
            definition = f"{prefix}IF NOT EXISTS {definition[len(prefix) :]}"
            break
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            _fire_deferred_checks(cursor)
            cursor.execute(definition)
        deferred.delete()
    seconds[deferred.table] = seconds.get(deferred.table, 0.0) + time.perf_counter() - started
