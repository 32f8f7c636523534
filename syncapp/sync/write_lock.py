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


def let_waiting_writers_in(seconds: float = GAP_SECONDS) -> None:
    """Pause with the lock released. PostgreSQL's writers queue for their locks and need no pause."""
    if connection.vendor == "sqlite" and seconds > 0:
        time.sleep(seconds)


class WriterGaps:
    """For a loop of short transactions: call `before_transaction()` before each and `after_transaction()`
    after each. Once the loop has kept the lock HOLD_SECONDS without letting go of it for GAP_SECONDS, it
    pauses. The time between two transactions counts: a Bulk load parses and builds its next chunk with the
    lock free, often for longer than GAP_SECONDS, and then the pause costs nothing."""

    def __init__(self) -> None:
        self.since = time.monotonic()  # when the lock was last free for GAP_SECONDS
        self.free_since: float | None = None  # when the last transaction ended

    def after_transaction(self) -> None:
        self.free_since = time.monotonic()

    def before_transaction(self) -> None:
        now = time.monotonic()
        free = now - self.free_since if self.free_since is not None else 0.0
        if free >= GAP_SECONDS:
            self.since = now
        elif now - self.since >= HOLD_SECONDS:
            let_waiting_writers_in(GAP_SECONDS - free)  # tops the time already free up to the gap
            self.since = time.monotonic()
