"""SQLite settings changed for one long write are given back after it, whatever happens."""

from __future__ import annotations

import pytest
from django.db import connection

from syncapp.sync.sqlite_pragmas import sqlite_pragmas

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's PRAGMAs"),
]


def pragma(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_pragmas_are_set_inside_and_restored_after_even_on_an_error():
    before = pragma("wal_autocheckpoint"), pragma("threads")

    inside = []

    def write() -> None:
        with sqlite_pragmas(wal_autocheckpoint=12_345, threads=3):
            inside.append((pragma("wal_autocheckpoint"), pragma("threads")))
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        write()

    assert inside == [(12_345, 3)]
    assert (pragma("wal_autocheckpoint"), pragma("threads")) == before
