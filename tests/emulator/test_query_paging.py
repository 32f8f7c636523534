"""query / queryAll paging: 2,000-record pages, batchSize, locators under /query and /queryAll, errors."""

from __future__ import annotations

import pytest
from simple_salesforce import SalesforceMalformedRequest  # noqa: TID251


def _leads(emulator, count: int) -> list[str]:
    rows = [{"LastName": f"L{i:05d}", "Company": "Bulk Co"} for i in range(count)]
    return emulator.org.store.bulk_insert("Lead", rows, user_id=emulator.org.admin_id)


def test_query_pages_stop_at_2000_records(emulator, sf):
    ids = _leads(emulator, 2500)
    first = sf.query("SELECT Id, Name FROM Lead ORDER BY Name")
    assert (first["totalSize"], first["done"], len(first["records"])) == (2500, False, 2000)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert (second["totalSize"], second["done"], len(second["records"])) == (2500, True, 500)
    assert "nextRecordsUrl" not in second
    assert [r["Id"] for r in first["records"] + second["records"]] == ids


def test_batch_size_header_sets_the_page_size(emulator, sf):
    _leads(emulator, 450)
    page = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(page["records"]) == 200
    assert (
        len(sf.query_all("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})["records"])
        == 450
    )


def test_a_locator_also_resolves_under_query_all(emulator, sf):
    _leads(emulator, 300)
    first = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    rest = sf.restful(f"queryAll/{locator}")
    assert len(rest["records"]) == 100


def test_the_page_size_knob_makes_paging_testable_with_few_rows(emulator, sf):
    emulator.settings(query_page_size=2)
    _leads(emulator, 5)
    assert len(sf.query_all("SELECT Id FROM Lead")["records"]) == 5
    assert len(sf.query("SELECT Id FROM Lead")["records"]) == 2


def test_count_queries_answer_total_size_only(emulator, sf):
    _leads(emulator, 7)
    assert sf.query("SELECT COUNT() FROM Lead") == {"totalSize": 7, "done": True, "records": []}


def test_parent_relationships_nest_and_booleans_are_json(emulator, sf):
    acct = sf.Account.create({"Name": "Acme"})["id"]
    sf.Contact.create({"LastName": "Ng", "AccountId": acct})
    record = sf.query("SELECT Name, Account.Name, HasOptedOutOfEmail FROM Contact")["records"][0]
    assert record["Account"]["Name"] == "Acme"
    assert record["HasOptedOutOfEmail"] is False


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROMM Lead", "MALFORMED_QUERY"),
        ("SELECT Nope__c FROM Lead", "INVALID_FIELD"),
        ("SELECT AnnualRevenue FROM Lead", "INVALID_FIELD"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
        ("", "MALFORMED_QUERY"),
    ],
)
def test_bad_soql_answers_400_with_the_salesforce_code(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query(soql)
    assert info.value.content[0]["errorCode"] == code


def test_an_unknown_locator_is_an_invalid_query_locator(sf):
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query_more("01g5g0000000999AAA-2000")
    assert info.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
