"""Bulk API 2.0 query jobs on a seeded demo org: locator paging, CSV shape, simple-salesforce and raw HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce  # noqa: TID251
from simple_salesforce.exceptions import SalesforceMalformedRequest  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session

PERSONS = 4000  # → 2,400 leads and 1,600 contacts


@pytest.fixture(scope="module")
def demo_server() -> Iterator[RunningEmulator]:
    running = RunningEmulator.start(seed="demo", persons=PERSONS)
    yield running
    running.stop()


@pytest.fixture
def demo(demo_server: RunningEmulator) -> RunningEmulator:
    demo_server.reset()
    return demo_server


@pytest.fixture
def demo_sf(demo: RunningEmulator) -> Salesforce:
    return Salesforce(session_id=demo.token(), instance=demo.instance, session=https_session(demo))


def rows(page: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(page)))


def test_simple_salesforce_pages_through_every_lead_with_locators(demo_sf: Salesforce) -> None:
    pages = list(demo_sf.bulk2.Lead.query("SELECT Id, Name, Status FROM Lead", max_records=1000, wait=0))
    assert [len(rows(p)) for p in pages] == [1000, 1000, 400]
    ids = [r["Id"] for p in pages for r in rows(p)]
    assert len(set(ids)) == 2400
    assert ids == sorted(ids)
    assert demo_sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2400


def test_result_csv_quotes_every_value_with_relationship_headers_booleans_and_z_datetimes(
    demo: RunningEmulator, demo_sf: Salesforce
) -> None:
    # FALSE: the org's lead assignment rule would otherwise give the new lead to its default owner.
    lead_id = demo_sf.Lead.create(
        {"LastName": 'O"Neil, Jr', "Company": "Acme", "Title": None}, headers={"Sforce-Auto-Assign": "FALSE"}
    )["id"]
    created = demo_sf.Lead.get(lead_id)["CreatedDate"]
    fields = "Id, LastName, Title, IsConverted, Owner.Name, CreatedDate, Score__c"
    soql = f"SELECT {fields} FROM Lead WHERE Id = '{lead_id}'"
    [page] = list(demo_sf.bulk2.Lead.query(soql, wait=0))
    assert page.splitlines() == [
        '"Id","LastName","Title","IsConverted","Owner.Name","CreatedDate","Score__c"',
        f'"{lead_id}","O""Neil, Jr","","false","Sync Integration","{created[:23]}Z",""',
    ]


def test_raw_requests_can_checkpoint_a_locator_and_resume_from_it(demo: RunningEmulator) -> None:
    session = https_session(demo)
    session.headers["Authorization"] = f"Bearer {demo.token()}"
    base = f"{demo.base_url}/services/data/v59.0/jobs/query"
    job = session.post(base, json={"operation": "query", "query": "SELECT Id, Email FROM Contact"}).json()
    assert (job["state"], job["jobType"], job["operation"]) == ("UploadComplete", "V2Query", "query")
    assert session.get(f"{base}/{job['id']}").json()["state"] == "JobComplete"

    first = session.get(f"{base}/{job['id']}/results", params={"maxRecords": 700})
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("text/csv")
    assert first.headers["Sforce-NumberOfRecords"] == "700"
    checkpoint = first.headers["Sforce-Locator"]
    resumed = [session.get(f"{base}/{job['id']}/results", params={"maxRecords": 700, "locator": checkpoint})
               for _ in range(2)]  # fmt: skip
    assert resumed[0].content == resumed[1].content
    seen = rows(first.text) + rows(resumed[0].text)
    locator = resumed[0].headers["Sforce-Locator"]
    while locator != "null":
        page = session.get(f"{base}/{job['id']}/results", params={"maxRecords": 700, "locator": locator})
        seen += rows(page.text)
        locator = page.headers["Sforce-Locator"]
    assert len(seen) == len({r["Id"] for r in seen}) == 1600


def test_download_streams_each_page_to_a_file(demo_sf: Salesforce, tmp_path: Path) -> None:
    results = demo_sf.bulk2.Contact.download(
        "SELECT Id, AccountId FROM Contact", str(tmp_path), max_records=1000, wait=0
    )
    assert [r["number_of_records"] for r in results] == [1000, 600]
    assert sum(len(rows(Path(r["file"]).read_text())) for r in results) == 1600


def test_query_all_includes_deleted_records_and_query_does_not(demo_sf: Salesforce) -> None:
    lead_id = demo_sf.query("SELECT Id FROM Lead LIMIT 1")["records"][0]["Id"]
    demo_sf.Lead.delete(lead_id)
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead_id}'"
    assert rows("".join(demo_sf.bulk2.Lead.query(soql, wait=0))) == []
    assert rows("".join(demo_sf.bulk2.Lead.query_all(soql, wait=0))) == [{"Id": lead_id, "IsDeleted": "true"}]


def test_bad_soql_and_unsupported_queries_are_refused_when_the_job_is_created(demo_sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        list(demo_sf.bulk2.Lead.query("SELECT Id, Nope__c FROM Lead", wait=0))
    assert unknown.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as count:
        list(demo_sf.bulk2.Lead.query("SELECT COUNT() FROM Lead", wait=0))
    assert count.value.content[0]["errorCode"] == "INVALIDJOB"


def test_results_of_an_unknown_job_are_not_found(demo: RunningEmulator) -> None:
    response = requests.get(
        f"{demo.base_url}/services/data/v59.0/jobs/query/7505g0000099999AAA/results",
        headers={"Authorization": f"Bearer {demo.token()}"},
        verify=demo.ca_file,
        timeout=10,
    )
    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
