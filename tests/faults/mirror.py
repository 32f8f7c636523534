"""The mirror's side of the fault suite, run inside a worker process: dump what it holds, make local edits."""

from __future__ import annotations

from typing import Any

from syncapp import services
from syncapp.models import FlowRun, OutboundChange, Person, SyncError, SyncRun
from syncapp.sync.fields import record_fields
from syncapp.sync.registry import ACCOUNTS, CAMPAIGN_MEMBERS, CAMPAIGNS, CONTACTS, LEADS, SyncedObject
from syncapp.sync.schema import load_schema

COMPARED = (ACCOUNTS, CAMPAIGNS, LEADS, CONTACTS, CAMPAIGN_MEMBERS)


def _rows(entry: SyncedObject) -> Any:
    rows = entry.model._default_manager.filter(sf_deleted=False)
    if entry.is_person:
        rows = rows.filter(sfdc_type=entry.fixed["sfdc_type"])
    return rows


def dump() -> dict[str, Any]:
    """Per compared object: its synced field names and, by Salesforce id, the fields and str columns held;
    the people (to find doubles); the outbox; the last cycle's outcome."""
    schema = load_schema()
    objects: dict[str, Any] = {}
    for entry in COMPARED:
        columns = [c for c in entry.columns if c.kind == "str"]
        records = {}
        for row in _rows(entry).iterator(chunk_size=2000):
            records[getattr(row, entry.key)] = {
                "fields": record_fields(row, entry.columns),
                "columns": {c.api: getattr(row, c.attname) for c in columns},
            }
        objects[entry.sobject] = {"names": schema.field_names(entry.sobject), "records": records}
    people = list(Person.objects.values_list("pk", "sf_lead_id", "sf_contact_id", "sfdc_type", "sf_deleted"))
    flow_runs = list(FlowRun.objects.values("pk", "action", "person_id", "status", "attempts", "result"))
    outbox = list(OutboundChange.objects.values("sobject", "sf_id", "field", "new_value", "state", "error"))
    last = SyncRun.objects.order_by("-id").first()
    return {
        "objects": objects,
        "people": people,
        "outbox": outbox,
        "flow_runs": flow_runs,
        "job_errors": list(
            SyncError.objects.filter(level=SyncError.Level.JOB).values_list("message", flat=True)
        ),
        "last_run": {"status": last.status, "message": last.message} if last else None,
    }


def local_people(spec: dict[str, Any]) -> list[int]:
    """People added in the admin, not in Salesforce yet (what Sync Person to SFDC is for): their ids."""
    tag = spec["tag"]
    people = Person.objects.bulk_create(
        Person(
            first_name=f"Local{n}",
            last_name=f"{tag} {n}",
            email=f"{tag.lower()}.{n}@example.com",
            company=f"{tag} Ltd",
        )
        for n in range(spec["count"])
    )
    return [p.pk for p in people]


def edit(edits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Local edits through the admin's service: each {sf_id, changes} → the outbox rows it wrote."""
    done = []
    for item in edits:
        person = Person.objects.filter(sf_lead_id=item["sf_id"]).first() or Person.objects.get(
            sf_contact_id=item["sf_id"]
        )
        services.person_update(person=person, changes=item["changes"], actor="fault suite")
        done.append({"sf_id": item["sf_id"], "sfdc_type": person.sfdc_type})
    return done
