"""The index rebuild after a big load lets a waiting writer (a marketer's click) in between two builds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from syncapp.models import DeferredIndex, Person
from syncapp.sync import indexes
from tests.flows.people import local_person

PEOPLE = Person._meta.db_table


@pytest.mark.django_db(transaction=True)
def test_a_writer_waiting_during_the_rebuild_gets_in_before_the_next_index_is_built():
    expected = indexes.secondary_indexes(PEOPLE)
    assert len(expected) >= 2
    indexes.defer_indexes(Person)
    gap, written = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def click() -> None:
        try:
            assert gap.wait(timeout=60)  # a guard against a hang, not a timing
            with transaction.atomic():  # BEGIN IMMEDIATE: fails at once unless the rebuild let go of the lock
                local_person()
                seen["indexes built"] = len(indexes.secondary_indexes(PEOPLE))
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
    assert seen["indexes built"] == 1  # in after the first build, before the second
    assert Person.objects.filter(email="nia@okafor.example").exists()
    assert indexes.secondary_indexes(PEOPLE) == expected
    assert not DeferredIndex.objects.exists()


def test_the_pause_between_builds_outlasts_the_longest_sleep_of_sqlites_busy_handler():
    # sqliteDefaultBusyCallback sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 then 100 ms between tries: a
    # shorter pause could end before a waiting writer wakes to try again.
    assert indexes.WRITER_GAP_SECONDS > 0.1
