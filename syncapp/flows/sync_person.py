"""Sync Person to SFDC: a person not in Salesforce becomes a lead; a lead or contact is pushed and pulled now.

Assign to: Salesforce's active lead assignment rules (default), a user, or a lead queue. Outcomes follow
Marketo's documented cases: an existing lead given a user or queue changes owner; a contact given a user is
sent to Salesforce, which decides (its refusal is logged); a contact given a queue is skipped with the reason
(Marketo would create a duplicate lead in the queue; Salesforce does not let queues own contacts).

Safe to retry: a new lead is upserted on the org's external-id key field (SALESFORCE_LEAD_KEY_FIELD, the demo
org's Sync_Key__c) holding the person's key, so a second attempt finds the lead the first one created. An org
without that field gets a lookup before a retried create. Updates send the same values again: harmless.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from syncapp.flows.base import (
    FlowContext,
    Job,
    failed,
    in_salesforce,
    person_sobject,
    record_error,
    skipped,
    soql_string,
    succeeded,
)
from syncapp.flows.forms import OwnerChoiceForm
from syncapp.models import FieldSetting, Person
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync.registry import LEADS

NO_RULES = {"Sforce-Auto-Assign": "FALSE"}  # we set OwnerId ourselves, or must not re-run the rules
RUN_RULES = {"Sforce-Auto-Assign": "TRUE"}  # REST's default, said out loud


class SyncPersonForm(OwnerChoiceForm):
    ASSIGN_CHOICES = [
        ("rules", "Salesforce's lead assignment rules"),
        ("user", "A user"),
        ("queue", "A lead queue"),
    ]


def person_key(person: Person) -> str:
    """The value written to the org's external-id key field: stable for the person across retries."""
    return f"{settings.SYNC_KEY_PREFIX}{person.pk}"


def lead_values(
    person: Person, ctx: FlowContext, createable: set[str] | None
) -> tuple[dict[str, Any], list[str]]:
    """A new lead's fields from the person, and which of Salesforce's required ones took our defaults."""
    values: dict[str, Any] = {}
    stored = person.sf_fields or {}
    for column in LEADS.columns:
        if column.kind == "id" or column.api in ("IsConverted", "ConvertedDate"):
            continue
        if createable is not None and column.api not in createable:
            continue
        # A value its column could hold only in part is whole in sf_fields, and wins (`sync/fields.py`).
        value = stored[column.api] if column.api in stored else getattr(person, column.attname)
        if value not in (None, "") and not (column.kind == "bool" and value is False):
            values[column.api] = value.isoformat() if hasattr(value, "isoformat") else value
    defaults = []
    for api, default in (
        ("LastName", ctx.settings.default_last_name),
        ("Company", ctx.settings.default_company),
    ):
        if not values.get(api):
            values[api] = default
            defaults.append(api)
    return values, defaults


def _createable() -> set[str] | None:
    known = FieldSetting.objects.filter(sobject="Lead", visible=True)
    names = set(known.filter(createable=True).values_list("api_name", flat=True))
    return names if known.exists() else None


def run(ctx: FlowContext, jobs: list[Job]) -> None:
    options = jobs[0].options
    choice = options.get("assign_to", "rules")
    owner = options.get("owner") if choice in ("user", "queue") else None
    new = [j for j in jobs if not in_salesforce(j.person)]
    existing = [j for j in jobs if in_salesforce(j.person)]
    create_leads(ctx, new, owner=owner)
    for job in new:
        if job.outcome is None:
            continue
        job.outcome.attributes["assign_to"] = choice
    update_existing(ctx, existing, owner=owner, queue=choice == "queue")


def create_leads(ctx: FlowContext, jobs: list[Job], *, owner: str | None) -> None:
    """Create a lead for each person not in Salesforce (or deleted there); idempotent, see the module doc."""
    if not jobs:
        return
    key_field = ctx.engine.external_id_field("Lead", settings.SALESFORCE_LEAD_KEY_FIELD)
    headers = NO_RULES if owner else RUN_RULES
    prepared = []
    createable = _createable()
    for job in jobs:
        values, defaults = lead_values(job.person, ctx, createable)
        if owner:
            values["OwnerId"] = owner
        if key_field:
            values[key_field] = person_key(job.person)
        prepared.append((job, values, defaults))
    links: list[tuple[Person, str]] = []
    try:
        if not key_field:
            prepared = _found_by_lookup(ctx, prepared, links)
        _create(ctx, prepared, key_field, headers, links)
    finally:
        ctx.engine.link_new_leads(links)


def _create(ctx: FlowContext, prepared: list, key_field: str, headers: dict[str, str], links: list) -> None:
    if not prepared:
        return
    records = [{"attributes": {"type": "Lead"}, **values} for _, values, _ in prepared]
    # Sync settings' "notify owner on assignment": only a SOAP create with EmailHeader makes Salesforce email
    # the owner its assignment rule chose. The key field is unique, so a retried create is DUPLICATE_VALUE
    # and then found by its key: as safe to retry as the REST upsert.
    notify = ctx.settings.notify_owner_on_assignment and headers == RUN_RULES
    try:
        if notify:
            results = ctx.client.soap_create("Lead", records, use_default_rule=True, notify=True)
            if key_field:
                results = _found_by_key(ctx, prepared, results, key_field)
        elif key_field:
            results = ctx.client.collection(
                "PATCH", records, external_id=("Lead", key_field), headers=headers
            )
        else:
            results = ctx.client.collection("POST", records, headers=headers)
    except SalesforceError as exc:
        for job, _, _ in prepared:
            job.finish(failed(f"Salesforce did not create the lead: {exc.message}", exc.code))
        return
    for (job, _, defaults), result in zip(prepared, results, strict=True):
        if result.get("success"):
            _created(job, result["id"], defaults, links, created=result.get("created", True))
        else:
            code, message = record_error(result)
            job.finish(failed(f"Salesforce did not create the lead: {code}: {message}", code))


def _found_by_key(ctx: FlowContext, prepared: list, results: list[dict], key_field: str) -> list[dict]:
    """Results where a create hit the unique key (an earlier attempt created the lead) become that lead."""
    clashes = [
        values[key_field]
        for (_, values, _), result in zip(prepared, results, strict=True)
        if not result.get("success") and record_error(result)[0] == "DUPLICATE_VALUE"
    ]
    if not clashes:
        return results
    keys = ", ".join(soql_string(key) for key in clashes)
    page = ctx.client.query_page(f"SELECT Id, {key_field} FROM Lead WHERE {key_field} IN ({keys})")
    found = {row[key_field]: row["Id"] for row in page.records}
    return [
        {"id": found[values[key_field]], "success": True, "created": False}
        if not result.get("success") and values[key_field] in found
        else result
        for (_, values, _), result in zip(prepared, results, strict=True)
    ]


def _found_by_lookup(ctx: FlowContext, prepared: list, links: list) -> list:
    """Without a key field: a retried run first looks for the lead its first attempt may have created."""
    remaining = []
    for job, values, defaults in prepared:
        found = None
        if job.retried:
            since = job.run.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            conditions = [f"CreatedDate >= {since}", f"LastName = {soql_string(values['LastName'])}"]
            if values.get("Email"):
                conditions.append(f"Email = {soql_string(values['Email'])}")
            page = ctx.client.query_page(f"SELECT Id FROM Lead WHERE {' AND '.join(conditions)} LIMIT 1")
            found = page.records[0]["Id"] if page.records else None
        if found:
            _created(job, found, defaults, links, created=False)
        else:
            remaining.append((job, values, defaults))
    return remaining


def _created(job: Job, lead_id: str, defaults: list[str], links: list, *, created: bool) -> None:
    previous = job.person.sf_id if job.person.sf_deleted else ""
    links.append((job.person, lead_id))
    job.pull.add(("Lead", lead_id))
    said = "Created lead" if created else "Found the lead an interrupted attempt created"
    message = f"{said} {lead_id} in Salesforce."
    if defaults:
        message += f" Empty {' and '.join(defaults)} took the defaults from Sync settings."
    if previous:
        message += f" The person's earlier record {previous} was deleted in Salesforce."
    job.finish(
        succeeded(
            message,
            sf_ids={"lead": lead_id},
            attributes={"defaults_used": defaults, "previous_sf_id": previous, "created": created},
        )
    )


def update_existing(ctx: FlowContext, jobs: list[Job], *, owner: str | None, queue: bool) -> None:
    """Push pending changes (and the new owner) of leads and contacts now, then pull them back."""
    waiting = ctx.engine.has_pending([j.person for j in jobs])
    if waiting:
        # Read first, so the conflict rules see any Salesforce edit before we send ours.
        ctx.engine.pull_back(person_sobject(j.person) for j in jobs if j.person.pk in waiting)
        for job in jobs:
            if job.person.pk in waiting:
                job.person.refresh_from_db()
    records, sending = [], []
    for job in jobs:
        sobject, sf_id = person_sobject(job.person)
        job.pull.add((sobject, sf_id))
        if owner and queue and sobject == "Contact":
            job.finish(
                skipped(
                    "A lead queue cannot own a contact in Salesforce, so nothing was sent (Marketo would "
                    "create a duplicate lead in the queue). Choose a user, or use Change Owner on leads.",
                    sf_ids={"contact": sf_id},
                )
            )
            continue
        values, change_ids = ctx.engine.pending(job.person)
        if owner and job.person.owner_id != owner:
            values["OwnerId"] = owner
        if not values:
            job.finish(
                succeeded(
                    f"{sobject} {sf_id} had nothing to send; pulled its latest values from Salesforce.",
                    sf_ids={sobject.lower(): sf_id},
                )
            )
            continue
        records.append({"attributes": {"type": sobject}, "Id": sf_id, **values})
        sending.append((job, sobject, sf_id, sorted(values), change_ids))
    if not records:
        return
    try:
        results = ctx.client.collection("PATCH", records, headers=NO_RULES)
    except SalesforceError as exc:
        for job, *_ in sending:
            job.finish(failed(f"Failed to update SFDC: {exc.message}", exc.code))
        return
    for (job, sobject, sf_id, fields, change_ids), result in zip(sending, results, strict=True):
        ids = {sobject.lower(): sf_id}
        if result.get("success"):
            ctx.engine.changes_sent(change_ids, job.person)
            job.finish(
                succeeded(
                    f"Sent {', '.join(fields)} to {sobject} {sf_id}.",
                    sf_ids=ids,
                    attributes={"fields": fields},
                )
            )
        else:
            code, message = record_error(result)
            ctx.engine.changes_rejected(change_ids, job.person, code, message)
            job.finish(
                failed(
                    f"Failed to update SFDC {{{code}: {message}}}",
                    code,
                    sf_ids=ids,
                    attributes={"fields": fields},
                )
            )
