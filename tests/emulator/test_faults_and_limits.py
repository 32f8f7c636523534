"""Injected faults, the daily API limit, and the control API a test suite leans on."""

from __future__ import annotations

import time

import pytest
from simple_salesforce import (  # noqa: TID251
    Salesforce,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from tests.emulator.conftest import login_session


def test_server_unavailable_fault_answers_503_then_recovers(emulator, sf):
    emulator.inject_fault("server_unavailable", count=2)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as info:
            sf.query("SELECT Id FROM Lead")
        assert info.value.status == 503
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_bad_gateway_fault_answers_an_html_502(emulator, sf):
    emulator.inject_fault("bad_gateway")
    with pytest.raises(SalesforceGeneralError) as info:
        sf.query("SELECT Id FROM Lead")
    assert info.value.status == 502


def test_lock_fault_fails_the_next_record_saves_only(emulator, sf):
    emulator.inject_fault("unable_to_lock_row", count=1)
    records = [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(3)]
    results = sf.restful("composite/sobjects", method="POST", json={"records": records})
    assert [r["success"] for r in results] == [False, True, True]
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"


def test_invalid_session_fault_makes_a_login_client_log_in_again(emulator):
    sf = Salesforce(
        username="sync@emulator.local",
        password="emulator",
        consumer_key="emulator-client-id",
        consumer_secret="emulator-client-secret",
        session=login_session(emulator),
    )
    old = sf.session_id
    emulator.inject_fault("invalid_session")
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0
    assert sf.session_id != old


def test_invalid_session_fault_raises_in_direct_mode(emulator, sf):
    emulator.inject_fault("invalid_session")
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Lead")


def test_delay_fault_slows_the_next_request(emulator, sf):
    emulator.inject_fault("delay", delay_ms=300)
    started = time.perf_counter()
    sf.query("SELECT COUNT() FROM Lead")
    assert time.perf_counter() - started >= 0.3


def test_request_limit_fault_answers_403(emulator, sf):
    emulator.inject_fault("request_limit", path="/query")
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT Id FROM Lead")
    assert info.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_exhausting_the_daily_limit_refuses_requests_until_reset(emulator, sf):
    emulator.set_usage(limit=5, used=3)
    sf.query("SELECT COUNT() FROM Lead")
    assert sf.api_usage["api-usage"] == (4, 5)
    sf.query("SELECT COUNT() FROM Lead")
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT COUNT() FROM Lead")
    assert info.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert emulator.usage()["used"] == 5
    emulator.reset()
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_reset_is_fast_enough_to_run_before_every_test(emulator):
    emulator.create("Lead", {"LastName": "Temp", "Company": "Acme"})
    started = time.perf_counter()
    emulator.reset()
    assert time.perf_counter() - started < 0.05
    assert emulator.query("SELECT Id FROM Lead") == []


def test_control_api_edits_run_as_a_user_with_stamps(emulator, sf):
    created = emulator.create("Lead", {"LastName": "Rep Lead", "Company": "Acme"}, as_user="rep")
    lead = sf.Lead.get(created["id"])
    assert lead["OwnerId"] == emulator.org.user_id("rep") == lead["LastModifiedById"]
    rejected = emulator.update("Lead", created["id"], {"Phone": "ask reception"}, as_user="rep")
    assert rejected["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def test_a_rule_set_through_the_control_api_rejects_saves(emulator, sf):
    emulator.set_rule(
        "Lead_Title_Required",
        {
            "object": "Lead",
            "kind": "required",
            "field": "Title",
            "message": "Title is required.",
            "error_field": "Title",
            "when": [{"field": "LeadSource", "op": "equals", "value": "Web"}],
        },
    )
    sf.Lead.create({"LastName": "Ok", "Company": "Acme", "LeadSource": "Phone Inquiry"})
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.create({"LastName": "No", "Company": "Acme", "LeadSource": "Web"})
    assert info.value.content[0]["message"] == "Title is required."


def test_the_request_log_records_api_calls(emulator, sf):
    sf.query("SELECT COUNT() FROM Lead")
    entry = emulator.request_log(limit=1)[0]
    assert entry["path"] == "/services/data/v59.0/query/"
    assert (entry["status"], entry["user_id"]) == (200, emulator.org.sync_user_id)
