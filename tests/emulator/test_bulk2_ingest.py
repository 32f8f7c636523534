"""Bulk API 2.0 ingest jobs: rows go through the REST validation, results come back as CSV files."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from simple_salesforce import Salesforce  # noqa: TID251
from simple_salesforce.exceptions import SalesforceOperationError  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_insert_reports_per_row_successes_and_failures(sf: Salesforce) -> None:
    data = (
        "LastName,Company,Phone,Email\n"
        "Lee,Acme,+49 30 123,ann@acme.example\n"
        "NoCompany,,,\n"
        "Bad,Beta,call me,\n"
        '"Quote ""Q"", Jr",Gamma,,\n'
    )
    [summary] = _upload(sf, "insert", "Lead", data)
    assert (summary["numberRecordsProcessed"], summary["numberRecordsFailed"]) == (4, 2)
    job_id = summary["job_id"]
    ok = rows(sf.bulk2.Lead.get_successful_records(job_id))
    assert [(r["sf__Created"], r["LastName"]) for r in ok] == [("true", "Lee"), ("true", 'Quote "Q", Jr')]
    assert all(r["sf__Id"].startswith("00Q") for r in ok)
    failed = rows(sf.bulk2.Lead.get_failed_records(job_id))
    assert [(r["sf__Id"], r["sf__Error"], r["LastName"]) for r in failed] == [
        ("", "REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --", "NoCompany"),
        (
            "",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION:Phone may only contain digits, spaces, + and -.:Phone --",
            "Bad",
        ),
    ]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def _upload(sf: Salesforce, operation: str, sobject: str, data: str, **kw: str) -> list[dict]:
    """simple-salesforce's own ingest call from a CSV file (dict records would lose the column order)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(data, encoding="utf-8")
        return getattr(getattr(sf.bulk2, sobject), operation)(csv_file=str(path), wait=0, **kw)


def test_update_upsert_and_delete_go_through_the_same_rules(sf: Salesforce) -> None:
    first = sf.Lead.create({"LastName": "Lee", "Company": "Acme", "Sync_Key__c": "K-1"})["id"]
    second = sf.Lead.create({"LastName": "Kim", "Company": "Beta"})["id"]

    [updated] = _upload(
        sf, "update", "Lead", f"Id,Title,Status\n{first},CEO,Working - Contacted\n{second},,Nope\n"
    )
    assert (updated["numberRecordsProcessed"], updated["numberRecordsFailed"]) == (2, 1)
    [bad] = rows(sf.bulk2.Lead.get_failed_records(updated["job_id"]))
    assert bad["sf__Id"] == second
    assert bad["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:")
    assert sf.Lead.get(first)["Title"] == "CEO"

    [upserted] = _upload(
        sf, "upsert", "Lead", "Sync_Key__c,LastName,Company\nK-1,Lee-Smith,Acme\nK-2,New,Gamma\n",
        external_id_field="Sync_Key__c",
    )  # fmt: skip
    results = rows(sf.bulk2.Lead.get_successful_records(upserted["job_id"]))
    created = {r["Sync_Key__c"]: r["sf__Created"] for r in results}
    assert created == {"K-1": "false", "K-2": "true"}
    assert sf.Lead.get(first)["LastName"] == "Lee-Smith"

    [deleted] = _upload(sf, "delete", "Lead", f"Id\n{second}\n")
    assert deleted["numberRecordsFailed"] == 0
    soql = f"SELECT IsDeleted FROM Lead WHERE Id = '{second}'"
    assert sf.query_all(soql, include_deleted=True)["records"] == [
        {
            "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{second}"},
            "IsDeleted": True,
        }
    ]


def test_an_unknown_column_fails_the_whole_job(emulator: RunningEmulator, sf: Salesforce) -> None:
    with pytest.raises(SalesforceOperationError) as info:
        _upload(sf, "insert", "Lead", "LastName,Company,Nope__c\nLee,Acme,x\n")
    assert "Field name not found : Nope__c" in str(info.value)
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_raw_ingest_job_lifecycle_and_result_files(emulator: RunningEmulator) -> None:
    session = https_session(emulator)
    session.headers["Authorization"] = f"Bearer {emulator.token()}"
    base = f"{emulator.base_url}/services/data/v59.0/jobs/ingest"
    job = session.post(base, json={"object": "Contact", "operation": "insert", "lineEnding": "CRLF"}).json()
    assert (job["state"], job["jobType"], job["contentUrl"]) == (
        "Open", "V2Ingest", f"services/data/v59.0/jobs/ingest/{job['id']}/batches",
    )  # fmt: skip
    early = session.get(f"{base}/{job['id']}/failedResults")
    assert (early.status_code, early.json()[0]["errorCode"]) == (412, "JOB_NOT_COMPLETE")
    upload = session.put(
        f"{base}/{job['id']}/batches",
        data=b"LastName,MailingCountry,MailingPostalCode\r\nLee,Germany,10115\r\nKim,Germany,\r\n",
        headers={"Content-Type": "text/csv"},
    )
    assert upload.status_code == 201
    closed = session.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}).json()
    assert closed["state"] == "UploadComplete"
    info = session.get(f"{base}/{job['id']}").json()
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (
        "JobComplete",
        2,
        1,
    )
    failed = session.get(f"{base}/{job['id']}/failedResults")
    assert failed.headers["Content-Type"].startswith("text/csv")
    assert (
        failed.text.splitlines()[0] == '"sf__Id","sf__Error","LastName","MailingCountry","MailingPostalCode"'
    )
    unprocessed = session.get(f"{base}/{job['id']}/unprocessedRecords")
    assert unprocessed.text.splitlines() == ['"LastName","MailingCountry","MailingPostalCode"']
    assert session.delete(f"{base}/{job['id']}").status_code == 204
    assert session.get(f"{base}/{job['id']}").status_code == 404
