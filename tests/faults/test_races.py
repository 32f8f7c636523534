"""Both sides editing the same records while a cycle runs, and conversions and merges between kills."""

from __future__ import annotations

import random

from tests.faults.compare import compare
from tests.faults.harness import WORKER_TIMEOUT, record
from tests.faults.org import person_count


def test_both_sides_editing_the_same_fields_during_a_cycle_follow_marketos_conflict_rules(
    emulator, workers, size
):
    emulator.seed(persons=size.persons, seed=19)
    workers.migrate(bulk_threshold=size.persons // 4)
    workers.cycle_until_clean()
    rng = random.Random(19)
    leads = [r["Id"] for r in emulator.query("SELECT Id FROM Lead WHERE IsConverted = false")]
    contacts = [r["Id"] for r in emulator.query("SELECT Id FROM Contact")]
    edits: list[dict] = []
    for round_ in range(size.race_rounds):
        picked = [("Lead", i) for i in rng.sample(leads, 8)] + [
            ("Contact", i) for i in rng.sample(contacts, 8)
        ]
        running = workers.start("sync")
        for sobject, sf_id in picked:
            emulator.update(sobject, sf_id, {"Title": f"Salesforce {round_}"}, as_user="rep")
        workers.edit([{"sf_id": sf_id, "changes": {"title": f"Local {round_}"}} for _, sf_id in picked])
        running.wait(timeout=WORKER_TIMEOUT)
        ids = {sf_id for _, sf_id in picked}
        for earlier in edits:
            earlier["overwritten_later"] = earlier.get("overwritten_later") or earlier["sf_id"] in ids
        # Leads: the local edit wins whenever the pull saw both. Contacts: Salesforce wins a conflict; a
        # local edit made after the pull read Salesforce's value is no conflict and is pushed.
        edits += [
            {
                "sobject": s,
                "sf_id": i,
                "field": "Title",
                "value": f"Local {round_}",
                "may_lose": s == "Contact",
            }
            for s, i in picked
        ]
    dump = workers.settle()
    report = compare(emulator, dump, edits)
    record("races", workers.totals, report)

    assert report.clean, report.summary()
    refused = {
        (r["sf_id"], r["field"]) for r in dump["outbox"] if r["state"] == "rejected"
    }  # validation rules
    final = [e for e in edits if not e.get("overwritten_later") and (e["sf_id"], e["field"]) not in refused]
    for edit in final:
        value = emulator.record(edit["sobject"], edit["sf_id"])["Title"]
        assert value == edit["value"] or (edit["sobject"] == "Contact" and value.startswith("Salesforce")), (
            edit
        )


def test_conversions_and_merges_in_salesforce_between_kills_leave_each_person_once(emulator, workers, size):
    from sfdc_emulator.org.convert import LeadConvert, convert_lead
    from sfdc_emulator.org.merge import MergeRequest, merge

    emulator.seed(persons=size.persons, seed=20)
    workers.migrate(bulk_threshold=size.persons // 4)
    workers.cycle_until_clean()
    rng = random.Random(20)
    rep = emulator.org.user_id("rep")
    for round_ in range(size.merge_rounds):
        leads = [r["Id"] for r in emulator.query("SELECT Id FROM Lead WHERE IsConverted = false")]
        chosen = rng.sample(leads, 7)
        for lead_id in chosen[:3]:
            result = convert_lead(
                emulator.org.store,
                LeadConvert(lead_id=lead_id, converted_status="Closed - Converted", owner_id=rep),
                user_id=rep,
            )
            assert result.success, result.errors
        for master, loser in ((chosen[3], chosen[4]), (chosen[5], chosen[6])):
            request = MergeRequest("Lead", master, {}, (), (loser,))
            assert merge(emulator.org.store, request, user_id=rep).success
        workers.cycle_killed(f'sql:{round_ + 1}:"syncapp_person"')  # mid-way through applying them
        workers.cycle_killed()
        workers.cycle_until_clean()
    dump = workers.settle()
    before = person_count(emulator)
    report = compare(emulator, dump)
    record("conversions and merges", workers.totals, report)

    assert report.clean, report.summary()
    assert person_count(emulator) == before
