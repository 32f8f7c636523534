"""The index rebuild and the Bulk load let a waiting writer (a marketer's click) in between transactions."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from syncapp.models import DeferredIndex, Person
from syncapp.sync import indexes, write_lock
from tests.flows.people import local_person

PEOPLE = Person._meta.db_table


@pytest.mark.django_db(transaction=True)
def test_a_writer_waiting_during_the_rebuild_gets_in_before_the_next_index_is_built():
    expected = indexes.secondary_indexes(PEOPLE)
    assert len(expected) >= 2
    deferred = len(indexes.defer_indexes(Person))
    gap, written = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def click() -> None:
        try:
            assert gap.wait(timeout=60)  # a guard against a hang, not a timing
            with transaction.atomic():  # BEGIN IMMEDIATE: fails at once unless the rebuild let go of the lock
                local_person()
                seen["left to build"] = DeferredIndex.objects.count()
        except Exception as exc:
            seen["error"] = exc
        finally:
            connection.close()  # this thread's own connection, as a web request's
            written.set()

    def between() -> None:
        gap.set()
        assert written.wait(timeout=60)
        gap.clear()

    writer = threading.Thread(target=click)
    writer.start()
    indexes.rebuild_indexes(between=between)
    writer.join()

    assert "error" not in seen, seen.get("error")
    assert seen["left to build"] == deferred - 1  # in after the first build, before the second
    assert Person.objects.filter(email="nia@okafor.example").exists()
    assert indexes.secondary_indexes(PEOPLE) == expected
    assert not DeferredIndex.objects.exists()


def run_loop(gaps, clock, transactions: int, *, seconds_each: float, free_between: float) -> None:
    """A Bulk load's chunks on a fake clock: each holds the lock `seconds_each`, with the lock free for
    `free_between` between two (parsing and building the next chunk)."""
    for _ in range(transactions):
        clock[0] += free_between
        gaps.before_transaction()
        clock[0] += seconds_each
        gaps.after_transaction()


def fake_clock(monkeypatch) -> tuple[list[float], list[float]]:
    clock, pauses = [0.0], []

    def sleep(seconds: float) -> None:
        pauses.append(round(seconds, 6))
        clock[0] += seconds

    monkeypatch.setattr(write_lock, "time", SimpleNamespace(monotonic=lambda: clock[0], sleep=sleep))
    return clock, pauses


def test_a_loop_of_transactions_lets_waiting_writers_in_once_it_has_held_the_lock_for_a_few_seconds(
    monkeypatch, settings
):
    clock, pauses = fake_clock(monkeypatch)
    run_loop(write_lock.WriterGaps(), clock, 9, seconds_each=1.0, free_between=0.0)

    if connection.vendor == "sqlite":
        assert pauses == [write_lock.GAP_SECONDS, write_lock.GAP_SECONDS]  # at 4 s and 8 s
    else:  # PostgreSQL locks rows: a load never holds the admin's writes back, so it never pauses
        assert pauses == []
    # A click waits well over the longest stretch, and the pause outlasts the busy handler's longest sleep
    # (sqliteDefaultBusyCallback: 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms between its tries).
    assert write_lock.HOLD_SECONDS * 2 <= settings.SQLITE_REQUEST_BUSY_SECONDS
    assert write_lock.GAP_SECONDS > 0.1


def test_time_with_the_lock_free_between_transactions_counts_towards_the_pause(monkeypatch):
    clock, pauses = fake_clock(monkeypatch)
    # The next chunk took longer to build than the busy handler's longest sleep: the gap was there already.
    run_loop(write_lock.WriterGaps(), clock, 9, seconds_each=1.0, free_between=write_lock.GAP_SECONDS)
    assert pauses == []

    # A shorter stretch free is topped up to the gap.
    run_loop(write_lock.WriterGaps(), clock, 9, seconds_each=1.0, free_between=0.05)
    if connection.vendor == "sqlite":
        assert pauses == [round(write_lock.GAP_SECONDS - 0.05, 6)] * 2
    else:
        assert pauses == []
