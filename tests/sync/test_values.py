"""Turning Salesforce values into mirror values: one canonical form, and odd values never stop a page."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from syncapp.models import Opportunity, Person
from syncapp.sync.fields import FieldSplitter
from syncapp.sync.pull.values import canonical_datetime, csv_lines, csv_records, rest_fields
from syncapp.sync.registry import LEADS, OPPORTUNITIES


def test_bulk_csv_and_rest_give_the_same_sf_fields():
    types = {"Id": "id", "IsConverted": "boolean", "NumberOfEmployees": "int", "AnnualRevenue": "currency",
             "SystemModstamp": "datetime", "Email": "email", "Description": "textarea"}  # fmt: skip
    csv_text = (
        "Id,IsConverted,NumberOfEmployees,AnnualRevenue,SystemModstamp,Email,Description\n"
        '"00Q5g0000000001AAA","false","50","1000000.0","2026-11-20T12:00:05.000Z","","two\nlines"\n'
    )

    reader = csv.reader(csv_lines(csv_text))
    (fields,) = csv_records(next(reader), reader, types)

    assert fields == {
        "Id": "00Q5g0000000001AAA",
        "IsConverted": False,
        "NumberOfEmployees": 50,
        "AnnualRevenue": 1000000.0,
        "SystemModstamp": "2026-11-20T12:00:05.000+0000",
        "Email": None,
        "Description": "two\nlines",
    }


def test_a_nul_arrives_as_the_symbol_for_nul_through_bulk_csv_and_rest_alike():
    reader = csv.reader(csv_lines('Id,Company\n"00Q5g0000000001AAA","Acme\x00 Ltd"\n'))
    (from_csv,) = csv_records(next(reader), reader, {"Id": "id", "Company": "string"})
    from_rest = rest_fields(
        {"Id": "00Q5g0000000001AAA", "Company": "Acme\x00 Ltd"}, ["Id", "Company"], frozenset()
    )

    assert from_csv == from_rest == {"Id": "00Q5g0000000001AAA", "Company": "Acme\u2400 Ltd"}


def test_datetimes_in_any_offset_are_stored_in_salesforces_rest_form():
    assert canonical_datetime("2026-11-20T13:00:05+01:00") == "2026-11-20T12:00:05.000+0000"
    assert canonical_datetime("2026-11-20T12:00:05.000+0000") == "2026-11-20T12:00:05.000+0000"


def test_an_overlong_value_is_cut_to_fit_the_column_and_kept_whole_in_sf_fields():
    long_title = "Chief " * 100
    values, rest, problems = FieldSplitter(Person, LEADS.columns).split(
        {"Title": long_title, "Email": "a@b.co"}
    )

    assert values == {"title": long_title[:255], "email": "a@b.co"}
    assert rest == {"Title": long_title}
    assert problems == []


def test_a_value_a_column_cannot_hold_is_reported_and_the_rest_of_the_record_is_kept():
    fields = {"Name": "Big deal", "Amount": "a lot", "CloseDate": "2026-12-31", "IsWon": True}

    values, rest, problems = FieldSplitter(Opportunity, OPPORTUNITIES.columns).split(fields)

    assert values["amount"] is None
    assert values["name"] == "Big deal"
    assert values["close_date"] == date(2026, 12, 31)
    assert values["is_won"] is True
    assert rest == {"Amount": "a lot"}
    assert problems == ["Amount: 'a lot' is not a number"]


def test_hidden_fields_leave_their_columns_out_rather_than_blanking_them():
    values, rest, _ = FieldSplitter(Opportunity, OPPORTUNITIES.columns).split(
        {"Name": "Renewal", "Amount": 1200.5}
    )

    assert values == {"name": "Renewal", "amount": Decimal("1200.50")}
    assert rest == {}


def test_a_salesforce_id_is_recognised_by_its_case_safe_suffix():
    from syncapp.sync.pull.values import is_salesforce_id

    assert is_salesforce_id("00Q5g0000000001EAA")
    assert is_salesforce_id("001000000000001AAA")
    assert not is_salesforce_id("00Q5g0000000001ZZZ")  # the suffix does not match
    assert not is_salesforce_id("00Q5g0000000001")  # 15 characters
    assert not is_salesforce_id("00Q5g000000'001EAA")


def test_a_query_by_id_leaves_out_malformed_ids_that_would_fail_it_whole():
    from syncapp.sync.pull.read import by_id_queries

    (query,) = by_id_queries(LEADS, ["Id", "Email"], ["00Q5g0000000001EAA", "00Q5g0000000002ZZZ"])

    assert "'00Q5g0000000001EAA'" in query
    assert "00Q5g0000000002ZZZ" not in query
