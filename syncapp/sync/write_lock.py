"""Sharing SQLite's one write lock with the writes that wait for it (a marketer's click, the task queue).

SQLite has no queue for its write lock: a writer that finds it taken sleeps in its busy handler (1, 2, 5, …
then 100 ms at a time) and tries again. A loop of transactions that starts the next one microseconds after
committing the last (a Bulk load's chunks, the index rebuild) takes the lock back before a sleeping writer
wakes, so that writer waits out its whole busy timeout and fails. A pause longer than the handler's longest
sleep lets every waiting writer in first.
"""

from __future__ import annotations

import time

from django.db import connection

GAP_SECONDS = 0.15  # longer than the busy handler's longest sleep (100 ms)
# How long a loop of transactions may keep the lock before pausing: well inside a web request's wait for it
# (SQLITE_REQUEST_BUSY_SECONDS, 20 s), and a pause every 4 s costs a load under 4 % of its time.
HOLD_SECONDS = 4.0


def let_waiting_writers_in() -> None:
    """Pause with the lock released. PostgreSQL's writers queue for their locks and need no pause."""
    if connection.vendor == "sqlite":
        time.sleep(GAP_SECONDS)


class WriterGaps:
    """For a loop of short transactions: call `after_transaction()` after each; it pauses once the loop has
    kept the lock HOLD_SECONDS since the last pause."""

    def __init__(self) -> None:
        self.since = time.monotonic()

    def after_transaction(self) -> None:
        if time.monotonic() - self.since >= HOLD_SECONDS:
            let_waiting_writers_in()
            self.since = time.monotonic()
