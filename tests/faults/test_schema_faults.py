"""Fields deleted in Salesforce, and hidden from the sync user, while a cycle runs: the cycle reads the schema
again, those fields stop syncing, a job-level error says which, and no other value or edit is lost."""

from __future__ import annotations

import json
import random

from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import people_ids

AFTER_DESCRIBE = "http:1:/composite/batch"  # the schema was read; the delta queries are not sent yet
BEFORE_PUSH = "pre:1:(push)"  # the pull is done; the push is about to name the field


def hidden(sobject: str, field: str) -> list:
    return ["POST", "/field-access", {"user": "sync", "object": sobject, "field": field, "access": "hidden"}]


def test_fields_deleted_or_hidden_mid_cycle_stop_syncing_and_nothing_else_is_lost(emulator, workers, size):
    emulator.seed(persons=size.persons, seed=21)
    workers.migrate(bulk_threshold=size.persons // 4, schema_every_cycles=1)
    workers.env["FAULT_CONTROL"] = f"{emulator.http_url}/_emulator"
    workers.cycle_until_clean()
    rng = random.Random(21)
    people = people_ids(emulator)
    for sobject, sf_id in rng.sample(people, min(len(people), 20)):  # deltas for the pull to read
        emulator.update(sobject, sf_id, {"Description": "org edit"}, as_user="rep")

    # Deleted right after the cycle described the org: its delta queries still name the fields.
    workers.env["FAULT_THEN"] = json.dumps(
        [["DELETE", "/fields/Lead/Score__c", None], ["DELETE", "/fields/Contact/Preferred_Language__c", None]]
    )
    workers.run("sync", kill=AFTER_DESCRIBE)
    workers.totals.faults["field deleted mid-cycle"] += 2

    # Hidden from the sync user just before a push that carries edits of them and of other fields.
    edited = rng.sample(people, min(len(people), 12))
    workers.queue_edits(
        [
            {"sf_id": i, "changes": {"title": f"Hidden {n}", "phone": f"+1 555 01{n:02}"}}
            for n, (_, i) in enumerate(edited)
        ]
    )
    edits = [
        {"sobject": s, "sf_id": i, "field": "Title", "value": f"Hidden {n}", "expect": "rejected"}
        for n, (s, i) in enumerate(edited)
    ] + [
        {"sobject": s, "sf_id": i, "field": "Phone", "value": f"+1 555 01{n:02}"}
        for n, (s, i) in enumerate(edited)
    ]
    workers.env["FAULT_THEN"] = json.dumps([hidden("Lead", "Title"), hidden("Contact", "Title")])
    workers.run("sync", kill=BEFORE_PUSH)
    workers.totals.faults["field hidden from the sync user mid-cycle"] += 2
    del workers.env["FAULT_THEN"]
    dump = workers.settle()
    report = compare(emulator, dump, edits)
    record("fields deleted or hidden mid-cycle", workers.totals, report)

    assert report.clean, f"{report.summary()}\n{workers.failures}"
    assert "Score__c" not in dump["objects"]["Lead"]["names"]
    assert "Preferred_Language__c" not in dump["objects"]["Contact"]["names"]
    assert "Title" not in dump["objects"]["Lead"]["names"]
    said = "\n".join(dump["job_errors"])
    assert "Lead.Score__c" in said, said
    assert "Contact.Preferred_Language__c" in said, said
    assert "Title is no longer visible to the sync user" in "\n".join(r["error"] for r in dump["outbox"])
