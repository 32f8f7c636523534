"""How many Bulk rows go into one transaction: sized so SQLite's single writer is never held for long."""

from __future__ import annotations

from syncapp.sync.pull.object import BULK_CHUNK, MIN_CHUNK, TRANSACTION_SECONDS, next_chunk_rows


def test_an_idle_machine_keeps_writing_the_full_chunk():
    assert next_chunk_rows(BULK_CHUNK, TRANSACTION_SECONDS / 10) == BULK_CHUNK


def test_a_slow_transaction_makes_the_next_one_smaller_so_other_writers_get_their_turn():
    assert next_chunk_rows(BULK_CHUNK, 25 * TRANSACTION_SECONDS) == BULK_CHUNK // 25


def test_a_very_slow_transaction_still_moves_forward_by_a_minimum_of_rows():
    assert next_chunk_rows(10, 100 * TRANSACTION_SECONDS) == MIN_CHUNK


def test_a_chunk_that_took_no_measurable_time_is_followed_by_a_full_one():
    assert next_chunk_rows(500, 0.0) == BULK_CHUNK
