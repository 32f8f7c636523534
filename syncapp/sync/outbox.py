"""The outbox as the push reads it: the changes due now, grouped into one update per record, and a lead's
edits moved to its contact when Salesforce converted it meanwhile."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from syncapp.models import OutboundChange, Person
from syncapp.sync.registry import pushed


@dataclass
class Outgoing:
    """One record to update in Salesforce and the outbox rows it carries."""

    sobject: str
    local_id: int
    sf_id: str
    values: dict[str, Any] = field(default_factory=dict)
    change_ids: list[int] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"attributes": {"type": self.sobject}, "Id": self.sf_id, **self.values}


def pending_changes(sobject: str, now: datetime | None = None) -> list[OutboundChange]:
    """The changes of `sobject` due now (oldest first): pending, and not waiting for a retry."""
    now = now or timezone.now()
    return list(
        OutboundChange.objects.filter(state=OutboundChange.State.PENDING, sobject=sobject)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exclude(sf_id="")
        .order_by("id")
    )


def group(changes: list[OutboundChange]) -> list[Outgoing]:
    """Latest value per field per record (changes arrive oldest first)."""
    by_record: dict[tuple[str, int], Outgoing] = {}
    for change in changes:
        key = (change.sobject, change.local_id)
        record = by_record.setdefault(key, Outgoing(change.sobject, change.local_id, change.sf_id))
        record.values[change.field] = change.new_value
        record.change_ids.append(change.id)
    return list(by_record.values())


def follow_conversions() -> None:
    """A lead edited locally and then converted: the edit now belongs to the contact (same person field)."""
    people = {entry.fixed["sfdc_type"]: entry for entry in pushed().values() if entry.is_person}
    lead, contact = people[Person.SfdcType.LEAD], people[Person.SfdcType.CONTACT]
    lead_changes = OutboundChange.objects.filter(state=OutboundChange.State.PENDING, sobject=lead.sobject)
    converted = Person.objects.filter(
        pk__in=lead_changes.values("local_id"), sfdc_type=Person.SfdcType.CONTACT
    ).values_list("pk", "sf_contact_id")
    contact_api = {c.attname: c.api for c in contact.columns}
    lead_to_contact = {c.api: contact_api.get(c.attname, "") for c in lead.columns}
    for pk, contact_id in converted:
        for change in lead_changes.filter(local_id=pk):
            contact_field = lead_to_contact.get(change.field, "")
            if contact_field and contact_id:
                change.sobject, change.field, change.sf_id = contact.sobject, contact_field, contact_id
                change.save(update_fields=["sobject", "field", "sf_id"])
            else:
                change.state = OutboundChange.State.SUPERSEDED
                change.error = f"{change.field} has no contact field: the lead was converted in Salesforce."
                change.save(update_fields=["state", "error"])
