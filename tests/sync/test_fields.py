"""One place per synced field: columns hold what they can hold faithfully, sf_fields the rest, reads agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from syncapp import services
from syncapp.models import ActivityLog, CampaignMemberStatus, Opportunity, OutboundChange, Person
from syncapp.sync.fields import FieldSplitter, field_map, read_fields
from syncapp.sync.pull.apply import PageApplier, PullContext
from syncapp.sync.pull.values import Column, format_sf_datetime
from syncapp.sync.registry import LEADS, MEMBER_STATUSES, OPPORTUNITIES, registry
from syncapp.sync.schema import load_schema
from tests.fields import fields_of

SHORT = Column("phone", "Phone", "str")  # Person.phone holds 40 characters


def split_and_read(model, columns, fields):
    values, rest, problems = FieldSplitter(model, columns).split(fields)
    row = {c.attname: None for c in columns} | values
    return read_fields([c for c in columns if c.api in fields], row, rest), rest, problems


@pytest.mark.parametrize(
    ("column", "value", "stays_in_sf_fields"),
    [
        (SHORT, "+44 20 7946 0000", False),
        (SHORT, None, False),
        (SHORT, "", True),  # Salesforce never sends it, but a column gives an empty text back as null
        (SHORT, "9" * 41, True),  # longer than the column
        (SHORT, 12, True),  # not a text
        (Column("unsubscribed", "HasOptedOutOfEmail", "bool"), True, False),
        (Column("unsubscribed", "HasOptedOutOfEmail", "bool"), None, True),
        (Column("owner_id", "OwnerId", "id"), "005000000000001AAA", False),
        (Column("owner_id", "OwnerId", "id"), "005000000000001AAAX", True),  # a cut id would name another
        (Column("converted_at", "ConvertedDate", "date"), "2026-12-31", False),
        (Column("converted_at", "ConvertedDate", "date"), "2026-12-31T10:00:00.000+0000", True),
        (Column("sf_modstamp", "SystemModstamp", "datetime"), "2026-11-30T08:00:05.000+0000", False),
    ],
)
def test_every_value_reads_back_exactly_wherever_it_is_kept(column, value, stays_in_sf_fields):
    read, rest, _ = split_and_read(Person, (column,), {column.api: value})

    assert read == {column.api: value}
    assert type(read[column.api]) is type(value)
    assert (column.api in rest) is stays_in_sf_fields


@pytest.mark.parametrize(
    ("value", "stays_in_sf_fields"),
    [(1200.5, False), (1200.125, True), (10.0**17, True), (1200, True)],  # 3 decimals; 18 digits; an int
)
def test_numbers_stay_in_sf_fields_when_the_decimal_column_would_round_or_refuse_them(
    value, stays_in_sf_fields
):
    amount = Column("amount", "Amount", "decimal")  # 18 digits, 2 decimals

    read, rest, problems = split_and_read(Opportunity, (amount,), {"Amount": value})

    assert read == {"Amount": value}
    assert ("Amount" in rest) is stays_in_sf_fields
    assert problems == []


def test_a_whole_number_beyond_the_integer_column_stays_in_sf_fields_and_leaves_the_column_empty():
    sort_order = next(c for c in MEMBER_STATUSES.columns if c.api == "SortOrder")

    values, rest, _ = FieldSplitter(CampaignMemberStatus, (sort_order,)).split({"SortOrder": 2**40})

    assert values == {"sort_order": None}
    assert rest == {"SortOrder": 2**40}


def test_a_value_that_is_not_of_the_columns_kind_is_kept_whole_and_reported():
    values, rest, problems = FieldSplitter(Opportunity, OPPORTUNITIES.columns).split(
        {"CloseDate": "soon", "Name": "Deal"}
    )

    assert values == {"close_date": None, "name": "Deal"}
    assert rest == {"CloseDate": "soon"}
    assert problems == ["CloseDate: 'soon' is not a date"]


@pytest.mark.django_db
def test_a_synced_mirror_keeps_no_field_twice(sync, emulator):
    sync()

    checked = 0
    for entry in registry(load_schema().custom_objects):
        apis = {c.api for c in field_map(entry.columns)}
        for row in entry.model._default_manager.filter(**entry.fixed).exclude(sf_id=None):
            assert not apis & set(row.sf_fields), (entry.sobject, row.sf_id, apis & set(row.sf_fields))
            checked += 1
    assert checked > 200


@pytest.mark.django_db
def test_an_overlong_value_is_read_whole_until_one_that_fits_replaces_it(sync, emulator):
    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    applier = PageApplier(LEADS, PullContext(schema=load_schema()))
    record = fields_of(lead)
    long_phone = "+1 " + "5" * 60

    def later(seconds: int) -> str:  # a newer SystemModstamp, as Salesforce stamps an edit
        return format_sf_datetime(timezone.now() + timedelta(seconds=seconds))

    applier.apply([{**record, "Phone": long_phone, "SystemModstamp": later(1)}])

    lead.refresh_from_db()
    assert lead.phone == long_phone[:40], "the column holds what fits, for lists and search"
    assert lead.sf_fields["Phone"] == long_phone
    assert fields_of(lead)["Phone"] == long_phone

    applier.apply([{**record, "Phone": "+1 555", "SystemModstamp": later(2)}])

    lead.refresh_from_db()
    assert (lead.phone, fields_of(lead)["Phone"]) == ("+1 555", "+1 555")
    assert "Phone" not in lead.sf_fields
    change = ActivityLog.objects.filter(person=lead, primary_attribute="Phone").latest("id")
    assert (change.attributes["old_value"], change.attributes["new_value"]) == (long_phone, "+1 555")


@pytest.mark.django_db
def test_a_local_edit_starts_from_the_whole_value_and_takes_the_field_out_of_sf_fields(sync, emulator):
    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    long_title = "Head of " + "Very " * 60 + "Important Things"
    Person.objects.filter(pk=lead.pk).update(
        title=long_title[:255], sf_fields={**lead.sf_fields, "Title": long_title}
    )
    lead.refresh_from_db()

    services.person_update(person=lead, changes={"title": "CTO"}, actor="test")

    lead.refresh_from_db()
    assert fields_of(lead)["Title"] == "CTO"
    assert "Title" not in lead.sf_fields
    change = OutboundChange.objects.get(local_id=lead.pk, field="Title")
    assert (change.base_value, change.new_value) == (long_title, "CTO")


def test_read_fields_gives_columns_in_salesforces_form():
    row = {
        "sf_id": "00Q000000000001AAA",
        "sf_modstamp": datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC),
        "sf_created_at": None,
        "sf_deleted": False,
        "amount": Decimal("12.50"),
        "close_date": date(2026, 12, 31),
    }
    columns = (
        *field_map(()),
        Column("amount", "Amount", "decimal"),
        Column("close_date", "CloseDate", "date"),
    )

    assert read_fields(columns, row, {"Description": "x"}) == {
        "Id": "00Q000000000001AAA",
        "SystemModstamp": "2026-11-30T08:00:05.000+0000",
        "CreatedDate": None,
        "IsDeleted": False,
        "Amount": 12.5,
        "CloseDate": "2026-12-31",
        "Description": "x",
    }
