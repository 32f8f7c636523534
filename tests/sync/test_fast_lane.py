"""The Bulk CSV fast lanes (SQLite's and PostgreSQL's) write exactly what the generic path writes, and leave
it what they cannot do."""

from __future__ import annotations

import pytest
from django.db import connection

from syncapp.models import ActivityLog, Person, SyncCursor, SyncError, SyncSettings
from syncapp.models.base import SalesforceRecord
from syncapp.sync.pull import copy_lane, fast_lane, read, sqlite_lane
from syncapp.sync.pull import object as pull_object
from syncapp.sync.registry import registry
from tests.fields import fields_of

pytestmark = pytest.mark.django_db

MIRRORED = sorted({entry.model for entry in registry()}, key=lambda model: model.__name__)


def compared(model) -> list[str]:
    # Local pks (a member's person_id, a merge's target) differ between two loads; Salesforce ids don't.
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
        and not (f.is_relation and f.target_field.attname == "id")
    ]


def snapshot(model=Person):
    return {row["sf_id"]: row for row in model.objects.values(*compared(model))}


def new_person_logs():
    rows = ActivityLog.objects.filter(type=ActivityLog.Type.NEW_PERSON).values_list(
        "person__sf_id", "occurred_at", "primary_attribute", "attributes", "source", "outcome"
    )
    return sorted(rows, key=lambda row: row[0])


def start_over(bulk_threshold: int) -> None:
    ActivityLog.objects.all().delete()
    SyncError.objects.all().delete()
    for model in MIRRORED:
        model.objects.all().delete()
    SyncCursor.objects.all().delete()
    settings = SyncSettings.load()
    settings.bulk_threshold = bulk_threshold
    settings.save()


@pytest.fixture
def fast_lane_rows(monkeypatch):
    """How many rows the database's fast lane inserted, per table (a spy on the real method)."""
    inserted: dict[str, int] = {}
    lane = copy_lane.CopyInserter if connection.vendor == "postgresql" else sqlite_lane.CsvInserter
    real = lane.insert

    def spy(self, rows):
        result = real(self, rows)
        inserted[self.table] = inserted.get(self.table, 0) + result.inserted
        return result

    monkeypatch.setattr(lane, "insert", spy)
    return inserted


def test_a_bulk_load_equals_a_rest_load_record_by_record(sync, emulator, fast_lane_rows):
    assert_bulk_load_equals_rest_load(sync, emulator, fast_lane_rows)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's second core")
def test_with_sqlites_second_core_a_bulk_load_still_equals_a_rest_load(
    transactional_db, sync, emulator, monkeypatch
):
    # The second core runs only where each chunk commits on its own: a transactional test.
    staged: dict[str, int] = {}
    real = sqlite_lane.StagedInserter.insert

    def spy(self, rows):
        result = real(self, rows)
        staged[self.table] = staged.get(self.table, 0) + result.inserted
        return result

    monkeypatch.setattr(sqlite_lane.StagedInserter, "insert", spy)
    # Small pages, chunks and build statements: chunks are read ahead across pages, and a statement's last
    # group of rows is filled up.
    monkeypatch.setattr(read, "BULK_PAGE", 40)
    monkeypatch.setattr(pull_object, "BULK_CHUNK", 15)
    monkeypatch.setattr(sqlite_lane, "GROUP_ROWS", 7)
    assert_bulk_load_equals_rest_load(sync, emulator, staged)


def assert_bulk_load_equals_rest_load(sync, emulator, fast_lane_rows) -> None:
    # Values that test CSV quoting, JSON escaping and the column lengths.
    emulator.create(
        "Lead",
        {
            "FirstName": 'Zoë "Zed", Jr.',
            "LastName": "O'Brien\\",
            "Company": 'Ünïcode, "Quoted" & Co\nLtd',
            "Email": "zoe@example.com",
            "Description": 'line one\nline two, with "quotes" and a tab\t',
            "City": "x" * 40,
        },
    )
    start_over(bulk_threshold=1_000_000)
    sync()
    assert not fast_lane_rows, "the REST load took the generic path"
    rest = {model: snapshot(model) for model in MIRRORED}
    rest_logs = new_person_logs()

    start_over(bulk_threshold=10)
    sync()

    assert fast_lane_rows.get('"syncapp_person"', 0) > 50
    for model in MIRRORED:
        assert issubclass(model, SalesforceRecord)
        bulk = snapshot(model)
        assert set(bulk) == set(rest[model]), model
        differences = {
            (sf_id, name): (value, rest[model][sf_id][name])
            for sf_id, row in bulk.items()
            for name, value in row.items()
            if value != rest[model][sf_id][name] and name != "sf_fields"
        }
        differences.update(
            {
                (sf_id, field): (value, rest[model][sf_id]["sf_fields"].get(field, "<absent>"))
                for sf_id, row in bulk.items()
                for field, value in row["sf_fields"].items()
                # The type too: a double Salesforce sent as "250" is 250.0 on both paths, not 250.
                if (type(value), value)
                != (type(other := rest[model][sf_id]["sf_fields"].get(field, "<absent>")), other)
            }
        )
        assert not differences, model
    assert new_person_logs() == rest_logs
    assert not SyncError.objects.exists()


def test_converted_leads_take_the_generic_path_and_numbers_keep_their_type(sync, emulator, fast_lane_rows):
    lead = emulator.create("Lead", {"LastName": "Counted", "Company": "Odd Inc", "NumberOfEmployees": 250})
    start_over(bulk_threshold=10)

    sync()

    converted = Person.objects.filter(sfdc_type="contact", is_converted=True)
    assert converted.exists(), "the demo org's converted leads became their contacts' people"
    for person in converted:
        assert Person.objects.filter(sf_lead_id=person.sf_lead_id).count() == 1
    odd = Person.objects.get(sf_lead_id=lead["id"])
    assert fields_of(odd)["NumberOfEmployees"] == 250
    assert fields_of(odd)["IsConverted"] is False
    assert ActivityLog.objects.filter(person=odd, type=ActivityLog.Type.NEW_PERSON).count() == 1
    assert (
        Person.objects.filter(sfdc_type="lead").count() + Person.objects.filter(sfdc_type="contact").count()
        == Person.objects.count()
    )


@pytest.mark.parametrize(
    ("type_", "value", "taken"),
    [
        ("datetime", "2024-01-05T10:00:00.000Z", True),
        ("datetime", "2024-01-05T10:00:00.123Z", False),
        ("datetime", "2024-01-05T10:00:00Z", False),
        ("double", "-12.50", True),
        ("double", "1e5", False),
        ("double", "1.2.3", False),
        ("double", "1-2", False),
        ("double", "-", False),
        ("double", "1234567890.123456", False),  # more digits than SQLite prints back
        ("int", "42", True),
        ("string", "anything, at all", True),
    ],
)
def test_value_guards_let_through_only_what_the_database_converts_like_python(type_, value, taken):
    dialect = copy_lane.POSTGRES if connection.vendor == "postgresql" else fast_lane.SQLITE
    guard = fast_lane._value_guard(dialect, "%(v)s", type_) or "TRUE"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {guard}", {"v": value})
        assert bool(cursor.fetchone()[0]) is taken


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("2024-02-29", True),
        ("2024-01-05T10:00:00.000Z", True),
        ("2023-02-29", False),
        ("2024-04-31", False),
        ("2024-13-01", False),
        ("0000-01-01", False),
        ("2024-1-5", False),
        ("garbage", False),
    ],
)
def test_only_real_dates_take_the_fast_lane(value, taken):
    dialect = copy_lane.POSTGRES if connection.vendor == "postgresql" else fast_lane.SQLITE
    _, guard = dialect.day("%(v)s")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {guard}", {"v": value})
        assert bool(cursor.fetchone()[0]) is taken
