"""Numbers beyond a field's precision are a record-level NUMBER_OUTSIDE_VALID_RANGE, never a 500."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce, SalesforceMalformedRequest  # noqa: TID251

from tests.emulator.test_bulk2_ingest import _upload, rows

OUT_OF_RANGE = {
    "code": "NUMBER_OUTSIDE_VALID_RANGE",
    "fields": ["Score__c"],
}


@pytest.mark.parametrize("score", [1e308, "1e308", 123456, 10**40, -99999.9])
def test_rest_create_rejects_a_score_beyond_five_digits(sf: Salesforce, score: object) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "Huge", "Company": "Acme", "Score__c": score})
    [error] = caught.value.content
    assert (error["errorCode"], error["fields"]) == (OUT_OF_RANGE["code"], OUT_OF_RANGE["fields"])
    assert error["message"].startswith("Score: value outside of valid range on numeric field")


def test_rest_update_rejects_it_and_keeps_the_stored_value(sf: Salesforce) -> None:
    lead_id = sf.Lead.create({"LastName": "Ng", "Company": "Acme", "Score__c": 99999})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(lead_id, {"Score__c": 1e308})
    assert caught.value.content[0]["errorCode"] == OUT_OF_RANGE["code"]
    assert sf.Lead.get(lead_id)["Score__c"] == 99999


def test_a_collection_fails_only_the_record_out_of_range(sf: Salesforce) -> None:
    records = [
        {"attributes": {"type": "Lead"}, "LastName": "Ok", "Company": "Acme", "Score__c": 12},
        {"attributes": {"type": "Lead"}, "LastName": "Huge", "Company": "Acme", "Score__c": 1e308},
    ]
    first, second = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert first["success"] is True
    assert second["success"] is False
    assert (second["errors"][0]["statusCode"], second["errors"][0]["fields"]) == (
        OUT_OF_RANGE["code"],
        OUT_OF_RANGE["fields"],
    )


def test_a_bulk_ingest_row_out_of_range_is_a_failed_row(sf: Salesforce) -> None:
    [summary] = _upload(sf, "insert", "Lead", "LastName,Company,Score__c\nOk,Acme,5\nHuge,Acme,1e308\n")
    assert (summary["numberRecordsProcessed"], summary["numberRecordsFailed"]) == (2, 1)
    [failed] = rows(sf.bulk2.Lead.get_failed_records(summary["job_id"]))
    assert failed["LastName"] == "Huge"
    assert failed["sf__Error"].startswith("NUMBER_OUTSIDE_VALID_RANGE:Score: value outside of valid range")
