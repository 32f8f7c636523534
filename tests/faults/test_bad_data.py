"""Bad data from Salesforce and from the admin, with a field hidden from the sync user mid-run: clear
errors, nothing lost. Run it with DATABASE_URL set to cover PostgreSQL (which cannot store a NUL)."""

from __future__ import annotations

import random

from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import make_changes

ODD_LEADS = (
    {"LastName": "L" * 80, "Company": "C" * 255, "Title": "T" * 128},  # values at the length limit
    {"LastName": "Picklist", "Company": "Acme", "LeadSource": "Carrier Pigeon", "Industry": "Alchemy"},
    {"LastName": "Nulls", "Company": "Acme", "Email": None, "Phone": None, "FirstName": None, "Title": ""},
    {"LastName": "Ünïcødé 🦄", "Company": "株式会社 テスト", "FirstName": "مرحبا", "Title": "e\u0301\u200b"},
    {"LastName": "Nul", "Company": "Acme\x00 Ltd", "FirstName": "Ze\x00ro", "Description": "a\x00b\nc"},
)


def test_bad_values_from_salesforce_and_the_admin_are_stored_or_refused_and_nothing_is_lost(
    emulator, workers, size
):
    emulator.seed(persons=size.persons, seed=18)
    for values in ODD_LEADS:
        emulator.create("Lead", values)
    workers.migrate(bulk_threshold=size.persons // 4)  # the odd values come through Bulk CSV first
    workers.cycle_until_clean()
    edits = make_changes(emulator, workers, random.Random(18), 0, [])  # people the mirror holds
    for values in ODD_LEADS:  # and through REST, as a delta
        created = emulator.create("Lead", {**values, "LastName": f"{values['LastName'][:70]} again"})
        emulator.update("Lead", created["id"], {"Rating": "Hot"})
    odd = emulator.query("SELECT Id FROM Lead WHERE LastName = 'Nulls'")[0]["Id"]
    workers.queue_edits([{"sf_id": odd, "changes": {"email": "broken@@example"}}])  # Salesforce refuses it
    edits.append(
        {"sobject": "Lead", "sf_id": odd, "field": "Email", "value": "broken@@example", "expect": "rejected"}
    )
    workers.cycle_until_clean()
    emulator.hide_field("Lead", "Title")  # hidden from the sync user between two cycles' queries
    emulator.hide_field("Contact", "Department")
    dump = workers.settle()
    report = compare(emulator, dump, [e for e in edits if (e["sobject"], e["field"]) != ("Lead", "Title")])
    record("bad data", workers.totals, report)

    assert report.clean, f"{report.summary()}\n{workers.failures}"
    assert "Title" not in dump["objects"]["Lead"]["names"]
    nul = next(r for r in dump["objects"]["Lead"]["records"].values() if r["fields"].get("LastName") == "Nul")
    assert nul["fields"]["FirstName"] == "Ze\u2400ro"
