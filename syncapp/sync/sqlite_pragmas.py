"""SQLite settings changed for one long write (the index rebuild after an initial load) and given back after.

The connection's settings (`core/settings.py`) suit the many small transactions of later cycles and the
admin; a CREATE INDEX over a million rows does better with others. Nothing here changes
what is written or how durable it is: WAL with `synchronous=NORMAL` stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def sqlite_pragmas(**values: int) -> Iterator[None]:
    """Set these PRAGMAs (integers) on the default connection, restoring each one's value after. A no-op on
    other databases."""
    if connection.vendor != "sqlite" or not values:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name}")
            (before[name],) = cursor.fetchone()
            cursor.execute(f"PRAGMA {name}={int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name}={int(value)}")
