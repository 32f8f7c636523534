"""End to end: a real `manage.py qcluster` starts the regular cycles when the pause ends, one at a time.

No tick every minute any more: each cycle sets the schedule's next run when it ends. Same harness as
tests/test_listener.py (child processes over their own SQLite file, bounded waits on conditions).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tests import test_listener
from tests.conftest import ROOT
from tests.test_listener import App

migrated = test_listener.migrated
app = test_listener.app
PAUSE = timedelta(seconds=30)
# django-q2 looks at its schedules every 30 s, so a cycle due now starts within 30 s; a cycle lasts seconds.
DEADLINE = 240.0


@pytest.fixture
def worker(app: App) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env={**app.env, "Q_WORKERS": "1"},
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield process
    # SIGTERM to the main process only: to the whole group it can hang django-q2 (ecosystem.md §1.6).
    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def scheduled_runs(app: App) -> list[tuple[datetime, datetime]]:
    with sqlite3.connect(app.db, timeout=20) as conn:
        rows = conn.execute(
            "SELECT started_at, finished_at FROM syncapp_syncrun WHERE trigger = 'schedule' "
            "AND finished_at IS NOT NULL ORDER BY started_at"
        ).fetchall()
    return [(datetime.fromisoformat(s), datetime.fromisoformat(f)) for s, f in rows]


def two_scheduled_cycles(app: App) -> timedelta:
    """The time from the end of the first cycle the worker ran to the start of the second."""
    app.wait_for(lambda: len(scheduled_runs(app)) >= 2, "two cycles started by the worker", deadline=DEADLINE)
    (_, first_end), (second_start, _) = scheduled_runs(app)[:2]
    assert (
        app.one("SELECT count(*) FROM syncapp_syncrun WHERE message = 'The worker stopped mid-cycle.'") == 0
    )
    return second_start - first_end


def test_with_a_30_second_pause_the_worker_alone_starts_each_cycle_once_the_pause_has_passed(
    app: App, worker: subprocess.Popen
) -> None:
    app.execute("UPDATE syncapp_syncsettings SET pause_seconds = 30, streaming = 0")
    app.manage("ensure_schedules")  # points the schedule at 30 s after the cycle the fixture ran

    gap = two_scheduled_cycles(app)

    print(f"pause measured, qcluster alone: {gap.total_seconds():.1f} s")  # the figure docs quote
    assert gap >= PAUSE


def test_with_streaming_off_the_listener_keeps_time_so_the_next_cycle_starts_as_the_pause_ends(
    app: App, worker: subprocess.Popen
) -> None:
    app.execute("UPDATE syncapp_syncsettings SET pause_seconds = 30, streaming = 0")
    app.manage("ensure_schedules")
    app.listener = subprocess.Popen(
        [sys.executable, "manage.py", "listen"], cwd=ROOT, env=app.env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip

    gap = two_scheduled_cycles(app)

    print(f"pause measured, qcluster + listen: {gap.total_seconds():.1f} s")  # the figure docs quote
    assert gap >= PAUSE
    assert app.runs("event") == 0  # streaming is off: the listener only kept time
