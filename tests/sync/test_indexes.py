"""Large initial loads set secondary indexes aside and the cycle rebuilds them, even after a crash."""

from __future__ import annotations

import pytest
from django.db import connection

from syncapp.models import ActivityLog, DeferredIndex, Person, SyncCursor, SyncStep
from syncapp.sync import indexes
from syncapp.sync.pull import apply as pull

pytestmark = pytest.mark.django_db

PEOPLE = Person._meta.db_table
LOG = ActivityLog._meta.db_table


def test_a_bulk_initial_load_sets_indexes_aside_and_rebuilds_them(sync, small_bulk_threshold, monkeypatch):
    before = {table: indexes.secondary_indexes(table) for table in (PEOPLE, LOG)}
    assert before[PEOPLE]
    assert before[LOG]
    seen_during_load = []
    real_apply_csv = pull.PageApplier.apply_csv

    def watch(self, header, rows, cursor=None):
        if self.entry.sobject == "Lead":
            seen_during_load.append(set(indexes.secondary_indexes(PEOPLE)))
        return real_apply_csv(self, header, rows, cursor)

    monkeypatch.setattr(pull.PageApplier, "apply_csv", watch)

    run = sync()

    kept = {name for name, definition in before[PEOPLE].items() if indexes.is_partial(definition)}
    assert kept == {"person_rejected", "person_deleted_in_sf"}
    assert seen_during_load
    assert all(names == kept for names in seen_during_load)
    assert {table: indexes.secondary_indexes(table) for table in (PEOPLE, LOG)} == before
    assert not DeferredIndex.objects.exists()
    rebuild = SyncStep.objects.get(run=run, operation=SyncStep.Operation.REBUILD_INDEXES)
    assert rebuild.status == SyncStep.Status.SUCCEEDED
    assert rebuild.updated >= len(before[PEOPLE]) + len(before[LOG])


def test_indexes_left_aside_by_a_killed_worker_are_rebuilt_by_the_next_cycle(sync):
    expected = indexes.secondary_indexes(PEOPLE)
    sync()
    # A worker killed mid-load: its indexes are listed but gone, and one was already rebuilt.
    indexes.defer_indexes(Person)
    assert all(indexes.is_partial(definition) for definition in indexes.secondary_indexes(PEOPLE).values())
    first = DeferredIndex.objects.order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(first.definition)

    sync()

    assert indexes.secondary_indexes(PEOPLE) == expected
    assert not DeferredIndex.objects.exists()


def test_a_load_smaller_than_the_table_keeps_its_indexes(sync, small_bulk_threshold, monkeypatch):
    sync()
    deferred = []
    monkeypatch.setattr("syncapp.sync.cycle.defer_indexes", lambda model: deferred.append(model))

    # Reload leads into a mirror that already holds them all: fewer rows coming than the table has.
    SyncCursor.objects.filter(sobject="Lead").delete()
    Person.objects.bulk_create([Person(email=f"local{i}@example.com") for i in range(Person.objects.count())])

    sync()

    assert Person not in deferred


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's sorter memory follows its page cache")
def test_the_rebuild_sorts_in_a_small_page_cache_with_helper_threads_and_gives_both_back():
    def settings() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (cache,) = cursor.fetchone()
            cursor.execute("PRAGMA threads")
            (threads,) = cursor.fetchone()
        return cache, threads

    before = settings()
    indexes.defer_indexes(ActivityLog)
    during = []
    indexes.rebuild_indexes(between=lambda: during.append(settings()))

    assert during
    assert set(during) == {(-indexes.SORT_CACHE_KIB, indexes.SORT_THREADS)}
    assert settings() == before
    assert before[0] != -indexes.SORT_CACHE_KIB
    assert before[1] != indexes.SORT_THREADS
    assert not DeferredIndex.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_on_postgresql_the_rebuilt_tables_are_analysed(sync, small_bulk_threshold):
    analysed = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("ANALYZE"):
            analysed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        sync()

    assert f'ANALYZE "{PEOPLE}"' in analysed
    assert f'ANALYZE "{LOG}"' in analysed
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'email'", [PEOPLE])
        assert cursor.fetchone()[0] == 1
