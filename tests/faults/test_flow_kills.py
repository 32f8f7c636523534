"""Flow actions (`manage.py flow`) killed with SIGKILL where it hurts: after Salesforce did the work and
before we recorded it. Re-run, then cycles until clean: no duplicated record, nobody missing or doubled,
and every FlowRun ends saying what happened."""

from __future__ import annotations

from collections import Counter

from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import person_count

CREATED_NOT_RECORDED = "http:1:/composite/sobjects/Lead/"  # the leads exist; the people do not know them
RECORDING = 'sql:1:"syncapp_person"'  # linking the people to their new leads
CONVERTED_NOT_RECORDED = "http:1:/Soap/"  # convertLead answered
MEMBERS_ADDED = "http:1:POST /services/data/v59.0/composite/sobjects"  # campaign members created


def test_flow_actions_killed_after_salesforce_acted_duplicate_nothing_and_end_truthfully(
    emulator, workers, size
):
    emulator.seed(persons=size.persons, seed=22)
    workers.migrate(bulk_threshold=size.persons // 4)
    workers.cycle_until_clean()
    org_people = person_count(emulator)
    new = workers.ok("people", {"count": size.flow_people * 2, "tag": "Flowkill"})
    first, second = new[: size.flow_people], new[size.flow_people :]

    # Killed after Salesforce created the leads; a cycle runs before the runs are recovered (their timeout
    # has not passed) and meets the new leads first; then the runs are retried.
    assert workers.flow(
        "sync_person_to_sfdc", first, kill=CREATED_NOT_RECORDED, phase="lead created, not recorded"
    )
    workers.cycle_until_clean()
    workers.flow("sync_person_to_sfdc", first, stale=True)
    # Killed while linking the people to the leads Salesforce created; retried once stale.
    assert workers.flow("sync_person_to_sfdc", second, kill=RECORDING, phase="recording the new leads")
    workers.flow("sync_person_to_sfdc", second, stale=True)

    converting = [first[0], second[0]]
    assert workers.flow(
        "convert_person",
        converting,
        "converted_status=Closed - Converted",
        kill=CONVERTED_NOT_RECORDED,
        phase="lead converted, not recorded",
    ), workers.said
    workers.flow("convert_person", converting, "converted_status=Closed - Converted", stale=True)
    campaign = emulator.query("SELECT Id FROM Campaign ORDER BY Name LIMIT 1")[0]["Id"]
    status = emulator.query(f"SELECT Label FROM CampaignMemberStatus WHERE CampaignId = '{campaign}'")[0][
        "Label"
    ]
    adding = ("add_to_sfdc_campaign", new, f"campaign={campaign}", f"status={status}")
    assert workers.flow(*adding, kill=MEMBERS_ADDED, phase="campaign members added, not recorded"), (
        workers.said
    )
    workers.flow(*adding, stale=True)
    dump = workers.settle()
    report = compare(emulator, dump, [])
    record("flow actions", workers.totals, report)

    assert report.clean, f"{report.summary()}\n{workers.failures}"
    # One lead per person however often retried, and one contact per conversion (the lead stays, converted).
    assert person_count(emulator) == org_people + len(new) + len(converting)
    keys = Counter(
        r["Sync_Key__c"] for r in emulator.query("SELECT Sync_Key__c FROM Lead WHERE Sync_Key__c != null")
    )
    assert all(n == 1 for n in keys.values()), keys
    people = {pk: (lead, contact) for pk, lead, contact, _, _ in dump["people"]}
    assert len(dump["people"]) == len({row[0] for row in dump["people"]})
    assert all(people[pk][0] for pk in new), "a person created in the admin is not linked to its lead"
    assert all(people[pk][1] for pk in converting)  # converted: the same person is now the contact
    members = emulator.query(f"SELECT LeadId, ContactId FROM CampaignMember WHERE CampaignId = '{campaign}'")
    held = Counter(m["ContactId"] or m["LeadId"] for m in members)
    assert all(n == 1 for n in held.values()), held
    assert len([m for m in held if m in {people[pk][1] or people[pk][0] for pk in new}]) == len(new)
    runs = dump["flow_runs"]
    assert not [r for r in runs if r["status"] in ("queued", "running")], runs
    killed = [r for r in runs if r["attempts"] > 1]
    assert killed, "\n".join(map(str, runs))
    assert all(r["status"] == "succeeded" for r in killed), killed  # each did its work, and says so
