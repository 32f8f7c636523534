"""The flows' one adapter onto the sync engine: pull records back now, the outbox, links, activity rows.

Every call a flow makes into `syncapp.sync` goes through here, so the engine can change shape behind it.
Reading back uses the cycle's own apply path (conflict rules, hooks, conversions), never a second copy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from syncapp.models import ActivityLog, FlowRun, OutboundChange, Person
from syncapp.salesforce.client import SalesforceClient
from syncapp.sync.activity_log import ActivityWriter
from syncapp.sync.outbox import group
from syncapp.sync.pull.apply import PageApplier, PullContext
from syncapp.sync.registry import person_sobjects
from syncapp.sync.schema import SyncSchema, has_schema, load_schema, refresh_schema

Type = ActivityLog.Type
# Read back in dependency order: the account before its contact (the contact's company is its name).
PULL_ORDER = ("Account", "Lead", "Contact", "Opportunity", "OpportunityContactRole", "CampaignMember", "Task")
IDS_PER_QUERY = 200  # keeps the GET query URL well under Salesforce's 16 KB
# What a flow's own row already says: the pull-back must not log it a second time.
SAID_BY_THE_FLOW = frozenset(
    {
        Type.CHANGE_OWNER,
        Type.CONVERTED_IN_SFDC,
        Type.DELETED_IN_SFDC,
        Type.ADD_TO_CAMPAIGN,
        Type.REMOVE_FROM_CAMPAIGN,
        Type.CHANGE_CAMPAIGN_STATUS,
        Type.SFDC_ACTIVITY,
    }
)
_KEY_FIELDS: dict[tuple[str, str], tuple[float, str]] = {}
KEY_FIELD_TTL = 600.0


class PullBackWriter(ActivityWriter):
    def add(self, person_id: int, type_: str, primary: str = "", **kwargs: Any) -> None:
        if type_ not in SAID_BY_THE_FLOW:
            super().add(person_id, type_, primary, **kwargs)


class Engine:
    def __init__(self, client: SalesforceClient, *, source: str) -> None:
        self.client = client
        self.source = source
        self._schema: SyncSchema | None = None

    # --- reading back -------------------------------------------------------------------------------------
    def schema(self) -> SyncSchema:
        if self._schema is None:
            self._schema = load_schema() if has_schema() else refresh_schema(self.client)
        return self._schema

    def pull_back(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read the given (sObject, id) records, and each contact's opportunity roles, and apply them.

        Every query travels in one composite batch (25 per API call): a convert reads its account, lead,
        contact, opportunity and roles in one call, a bulk action 5,000 people's records in one.
        """
        by_object: dict[str, set[str]] = {}
        for sobject, sf_id in wanted:
            if sf_id:
                by_object.setdefault(sobject, set()).add(sf_id)
        if by_object.get("Contact"):
            by_object["OpportunityContactRole"] = by_object["Contact"]
        schema = self.schema()
        queries: list[tuple[str, str]] = []  # (sobject, soql)
        for sobject in PULL_ORDER:
            names = schema.field_names(sobject)
            if not by_object.get(sobject) or not names:
                continue  # nothing wanted, or not synced (hidden from the sync user, switched off)
            key = "ContactId" if sobject == "OpportunityContactRole" else "Id"
            ordered = sorted(by_object[sobject])
            for start in range(0, len(ordered), IDS_PER_QUERY):
                chunk = ", ".join(f"'{i}'" for i in ordered[start : start + IDS_PER_QUERY])
                queries.append(
                    (sobject, f"SELECT {', '.join(names)} FROM {sobject} WHERE {key} IN ({chunk})")
                )
        if not queries:
            return
        results = self.client.composite_batch(
            [
                {"method": "GET", "url": self.client.query_url(soql, include_deleted=True)}
                for _, soql in queries
            ]
        )
        pages: dict[str, list[dict[str, Any]]] = {}
        for (sobject, _), result in zip(queries, results, strict=True):
            if not result.ok:
                raise result.error()
            page = result.body
            records = pages.setdefault(sobject, [])
            records.extend(page.get("records", []))
            while not page.get("done", True):
                more = self.client.query_more(page["nextRecordsUrl"])
                records.extend(more.records)
                page = {"done": more.next_url is None, "nextRecordsUrl": more.next_url}
        for sobject in PULL_ORDER:
            if sobject in pages:
                self._apply(sobject, pages[sobject])

    def _apply(self, sobject: str, records: list[dict[str, Any]]) -> None:
        schema = self.schema()
        entry = next(e for e in schema.entries() if e.sobject == sobject)
        applier = PageApplier(entry, PullContext(schema=schema, writer=PullBackWriter(source=self.source)))
        if records:
            applier.apply(applier.from_rest(records))
        applier.finish()

    # --- the outbox ---------------------------------------------------------------------------------------
    def pending(self, person: Person) -> tuple[dict[str, Any], list[int]]:
        """The person's local edits not yet in Salesforce: latest value per field, and their outbox rows."""
        # Whatever the cycle's backoff says: the marketer asked for this person now.
        changes = list(
            OutboundChange.objects.filter(
                state=OutboundChange.State.PENDING, sobject__in=person_sobjects(), local_id=person.pk
            )
            .exclude(sf_id="")
            .order_by("id")
        )
        values: dict[str, Any] = {}
        ids: list[int] = []
        for outgoing in group(changes):
            values.update(outgoing.values)
            ids.extend(outgoing.change_ids)
        return values, ids

    def has_pending(self, people: list[Person]) -> set[int]:
        return set(
            OutboundChange.objects.filter(
                state=OutboundChange.State.PENDING,
                sobject__in=person_sobjects(),
                local_id__in=[p.pk for p in people],
            ).values_list("local_id", flat=True)
        )

    def changes_sent(self, change_ids: list[int], person: Person) -> None:
        OutboundChange.objects.filter(id__in=change_ids).update(
            state=OutboundChange.State.SENT, sent_at=timezone.now(), error=""
        )
        Person.objects.filter(pk=person.pk).exclude(sync_error="").update(sync_error="")

    def changes_rejected(self, change_ids: list[int], person: Person, code: str, message: str) -> None:
        text = f"{code}: {message}"[:2000]
        OutboundChange.objects.filter(id__in=change_ids).update(
            state=OutboundChange.State.REJECTED, error=text
        )
        Person.objects.filter(pk=person.pk).update(sync_error=text)

    # --- links the pull cannot make by itself -------------------------------------------------------------
    def link_new_leads(self, links: list[tuple[Person, str]]) -> None:
        """Each person is now its lead; the pull-back fills the fields (a null stamp marks the row as waiting
        for it). One statement for the batch: a bulk action links a thousand people at once."""
        if not links:
            return
        table = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET sfdc_type = %s, sf_id = %s, sf_lead_id = %s, sf_contact_id = NULL, "
                "sf_deleted = %s, sf_modstamp = NULL, is_converted = %s, converted_at = NULL, "
                "sync_error = '' WHERE id = %s",
                [
                    (Person.SfdcType.LEAD, lead_id, lead_id, False, False, person.pk)
                    for person, lead_id in links
                ],
            )

    def link_converted(self, person: Person, contact_id: str) -> None:
        """Our own conversion: the same person becomes the contact (the pull then skips the converted lead,
        as the cycle does for a conversion it already followed)."""
        Person.objects.filter(pk=person.pk).update(
            sfdc_type=Person.SfdcType.CONTACT,
            sf_id=contact_id,
            sf_contact_id=contact_id,
            sf_modstamp=None,
            is_converted=True,
            converted_at=timezone.localdate(),
        )

    def mark_deleted(self, person: Person) -> None:
        Person.objects.filter(pk=person.pk).update(sf_deleted=True)

    # --- what the org offers ------------------------------------------------------------------------------
    def external_id_field(self, sobject: str, wanted: str) -> str:
        """`wanted` if the sync user can write it and Salesforce indexes it as an external id, else ''."""
        if not wanted:
            return ""
        key = (sobject, wanted)
        cached = _KEY_FIELDS.get(key)
        if cached and time.monotonic() - cached[0] < KEY_FIELD_TTL:
            return cached[1]
        fields = {f["name"]: f for f in self.client.describe(sobject).get("fields", [])}
        found = fields.get(wanted) or {}
        usable = bool(found.get("externalId") and found.get("createable") and found.get("updateable"))
        _KEY_FIELDS[key] = (time.monotonic(), wanted if usable else "")
        return wanted if usable else ""


# --- the activity log -----------------------------------------------------------------------------------
def finish_runs(runs: list[FlowRun]) -> None:
    """Save each run's outcome in one statement (Django's bulk_update builds a CASE per row and field:
    seconds for a thousand runs)."""
    table = connection.ops.quote_name(FlowRun._meta.db_table)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, result = %s, error_code = %s, sf_ids = %s{cast}, "
            "finished_at = %s WHERE id = %s",
            [
                (run.status, run.result, run.error_code, json.dumps(run.sf_ids), run.finished_at, run.pk)
                for run in runs
            ],
        )


def log_rows(rows: list[dict[str, Any]], *, source: str) -> None:
    """One row per finished run (`person_id`, `type_`, `primary`, `outcome`, `flow_run_id`, attributes)."""
    writer = ActivityWriter(source=source)
    for row in rows:
        row = dict(row)
        person_id, type_, primary = row.pop("person_id"), row.pop("type_"), row.pop("primary")
        writer.flow_run_id = row.pop("flow_run_id")
        writer.add(person_id, type_, primary, **row)
    writer.flush()
