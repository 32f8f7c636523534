"""SOQL date and datetime literals: absolute forms with offsets, and relative ranges from a fixed `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sfdc_emulator.org.objects import DEFAULT_SCHEMA
from sfdc_emulator.soql.compiler import compile_query
from sfdc_emulator.soql.dates import parse_datetime, relative_range

NOW = datetime(2024, 3, 15, 12, 30, tzinfo=UTC)  # a Friday in Q1


@pytest.mark.parametrize(
    ("literal", "stored"),
    [
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000+0000"),
        ("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00.000+0000"),
        ("2024-01-01T01:30:00+01:30", "2024-01-01T00:00:00.000+0000"),
        ("2023-12-31T19:00:00-05:00", "2024-01-01T00:00:00.000+0000"),
        ("2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000"),
        ("2024-01-01T00:00:00.25Z", "2024-01-01T00:00:00.250+0000"),
    ],
)
def test_datetime_literals_become_the_stored_utc_text(literal: str, stored: str) -> None:
    assert parse_datetime(literal) == stored
    cq = compile_query(f"SELECT Id FROM Lead WHERE SystemModstamp > {literal}", DEFAULT_SCHEMA)
    assert stored in cq.params


@pytest.mark.parametrize(
    ("name", "n", "start", "end"),
    [
        ("TODAY", None, date(2024, 3, 15), date(2024, 3, 16)),
        ("YESTERDAY", None, date(2024, 3, 14), date(2024, 3, 15)),
        ("TOMORROW", None, date(2024, 3, 16), date(2024, 3, 17)),
        ("THIS_WEEK", None, date(2024, 3, 10), date(2024, 3, 17)),
        ("LAST_WEEK", None, date(2024, 3, 3), date(2024, 3, 10)),
        ("THIS_MONTH", None, date(2024, 3, 1), date(2024, 4, 1)),
        ("LAST_MONTH", None, date(2024, 2, 1), date(2024, 3, 1)),
        ("NEXT_MONTH", None, date(2024, 4, 1), date(2024, 5, 1)),
        ("THIS_QUARTER", None, date(2024, 1, 1), date(2024, 4, 1)),
        ("LAST_QUARTER", None, date(2023, 10, 1), date(2024, 1, 1)),
        ("THIS_YEAR", None, date(2024, 1, 1), date(2025, 1, 1)),
        ("LAST_N_DAYS", 7, date(2024, 3, 8), date(2024, 3, 16)),
        ("NEXT_N_DAYS", 2, date(2024, 3, 16), date(2024, 3, 18)),
        ("N_DAYS_AGO", 3, date(2024, 3, 12), date(2024, 3, 13)),
        ("LAST_N_MONTHS", 2, date(2024, 1, 1), date(2024, 3, 1)),
        ("LAST_90_DAYS", None, date(2023, 12, 16), date(2024, 3, 16)),
    ],
)
def test_relative_date_literals_cover_salesforce_ranges(
    name: str, n: int | None, start: date, end: date
) -> None:
    assert relative_range(name, n, NOW) == (start, end)


def test_relative_literals_compare_with_the_range_on_date_and_datetime_fields() -> None:
    on_date = compile_query(
        "SELECT Id FROM Lead WHERE ConvertedDate = LAST_N_DAYS:7", DEFAULT_SCHEMA, now=NOW
    )
    assert on_date.params[-2:] == ("2024-03-08", "2024-03-16")
    after = compile_query("SELECT Id FROM Lead WHERE CreatedDate > YESTERDAY", DEFAULT_SCHEMA, now=NOW)
    assert after.params[-1:] == ("2024-03-15T00:00:00.000+0000",)
    before = compile_query("SELECT Id FROM Lead WHERE CreatedDate < THIS_MONTH", DEFAULT_SCHEMA, now=NOW)
    assert before.params[-1:] == ("2024-03-01T00:00:00.000+0000",)
