"""sObject Collections, /composite with references and /composite/batch."""

from __future__ import annotations

import pytest
from simple_salesforce import SalesforceMalformedRequest  # noqa: TID251


def _leads(count: int, bad_at: int | None = None) -> list[dict]:
    records = [
        {"attributes": {"type": "Lead"}, "LastName": f"Batch {i}", "Company": "Acme", "Phone": "+1 555 0100"}
        for i in range(count)
    ]
    if bad_at is not None:
        records[bad_at]["Phone"] = "call reception"
    return records


def test_a_validation_failure_in_a_200_record_batch_fails_only_that_record(sf):
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": _leads(200, 57)}
    )
    assert len(results) == 200
    assert [i for i, r in enumerate(results) if not r["success"]] == [57]
    assert results[57]["errors"] == [
        {
            "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": "Phone may only contain digits, spaces, + and -.",
            "fields": ["Phone"],
        }
    ]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 199


def test_all_or_none_rolls_the_whole_batch_back(sf):
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": _leads(5, 2)}
    )
    assert results[2]["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert {r["errors"][0]["statusCode"] for i, r in enumerate(results) if i != 2} == {
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    }
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_more_than_200_records_is_a_malformed_request(sf):
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful("composite/sobjects", method="POST", json={"records": _leads(201)})
    assert info.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_collection_update_upsert_and_delete(sf):
    created = sf.restful("composite/sobjects", method="POST", json={"records": _leads(3)})
    ids = [r["id"] for r in created]
    updates = [{"attributes": {"type": "Lead"}, "id": i, "Title": "Boss"} for i in ids]
    updates.append({"attributes": {"type": "Lead"}, "id": "00Q5g0000000999EAA", "Title": "Ghost"})
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": updates})
    assert [r["success"] for r in results] == [True, True, True, False]
    upserts = [
        {"attributes": {"type": "Lead"}, "Sync_Key__c": "K-1", "LastName": "New", "Company": "Acme"},
        {"attributes": {"type": "Lead"}, "Sync_Key__c": "K-1", "Title": "Again"},
    ]
    upserted = sf.restful("composite/sobjects/Lead/Sync_Key__c", method="PATCH", json={"records": upserts})
    assert [r["created"] for r in upserted] == [True, False]
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": ",".join(ids)})
    assert all(r["success"] for r in deleted)
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_composite_references_earlier_results(sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Account",
                "referenceId": "acct",
                "body": {"Name": "Acme"},
            },
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Contact",
                "referenceId": "ct",
                "body": {"LastName": "Smith", "AccountId": "@{acct.id}"},
            },
            {
                "method": "GET",
                "referenceId": "q",
                "url": "/services/data/v59.0/query/?q=SELECT+Account.Name+FROM+Contact+WHERE+Id='@{ct.id}'",
            },
        ],
    }
    out = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in out] == [201, 201, 200]
    assert out[2]["body"]["records"][0]["Account"]["Name"] == "Acme"


def test_composite_all_or_none_failure_halts_everything(sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Account",
                "referenceId": "acct",
                "body": {"Name": "Acme"},
            },
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Contact",
                "referenceId": "bad",
                "body": {"FirstName": "No last name"},
            },
        ],
    }
    out = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert out[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert out[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0


def test_composite_batch_runs_each_request_and_reports_errors(sf):
    rid = sf.Lead.create({"LastName": "B", "Company": "C"})["id"]
    body = {
        "batchRequests": [
            {
                "method": "PATCH",
                "url": f"v59.0/sobjects/Lead/{rid}",
                "richInput": {"Status": "Working - Contacted"},
            },
            {"method": "GET", "url": f"v59.0/sobjects/Lead/{rid}?fields=Status"},
            {"method": "GET", "url": "v59.0/sobjects/Lead/00Q5g0000000999EAA"},
        ]
    }
    out = sf.restful("composite/batch", method="POST", json=body)
    assert out["hasErrors"] is True
    assert [r["statusCode"] for r in out["results"]] == [204, 200, 404]
    assert out["results"][1]["result"]["Status"] == "Working - Contacted"


def test_composite_allows_at_most_five_collections_or_queries(emulator):
    import requests

    token = emulator.token()
    session = requests.Session()
    session.trust_env = False
    session.verify = emulator.ca_file
    subrequests = [
        {"method": "GET", "url": "/services/data/v59.0/query?q=SELECT+Id+FROM+Lead", "referenceId": f"q{n}"}
        for n in range(6)
    ]

    response = session.post(
        f"{emulator.base_url}/services/data/v59.0/composite",
        json={"compositeRequest": subrequests},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
