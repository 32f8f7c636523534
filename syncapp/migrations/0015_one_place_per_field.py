"""One place per synced field (DESIGN §3): the keys of `sf_fields` that a column already holds leave it.

Forwards, a key leaves `sf_fields` only when its column gives back exactly the same value; any other (a text
cut to its column, a value the column could not hold) stays, and a key in `sf_fields` wins over the column
(`syncapp/sync/fields.py`), so every field reads the same before and after. Backwards, every column field
that syncs (FieldSetting: visible and switched on, or every one when the object was never described) is
written back into the `sf_fields` of each row that is in Salesforce.

Rows are read and written in batches of primary keys, each in its own transaction: a million-row mirror is
never held in memory, and a migration stopped half way reads right and simply runs again.
"""

from __future__ import annotations

from django.db import migrations, transaction
from django.db.models import Max, Min

from syncapp.sync.fields import read_column

BATCH = 5_000
BASE = (("Id", "sf_id", "id"), ("SystemModstamp", "sf_modstamp", "datetime"),
        ("CreatedDate", "sf_created_at", "datetime"), ("IsDeleted", "sf_deleted", "bool"))  # fmt: skip
PERSON = (("Email", "email", "str"), ("FirstName", "first_name", "str"), ("LastName", "last_name", "str"),
          ("Title", "title", "str"), ("Phone", "phone", "str"), ("LeadSource", "lead_source", "str"),
          ("HasOptedOutOfEmail", "unsubscribed", "bool"), ("OwnerId", "owner_id", "id"))  # fmt: skip
LEAD = (*PERSON, ("Company", "company", "str"), ("City", "city", "str"), ("Country", "country", "str"),
        ("Status", "status", "str"), ("IsConverted", "is_converted", "bool"),
        ("ConvertedDate", "converted_at", "date"))  # fmt: skip
ACTIVITY = (("Subject", "subject", "str"), ("ActivityDate", "activity_date", "date"),
            ("WhoId", "who_sf_id", "str"), ("WhatId", "what_sf_id", "str"), ("OwnerId", "owner_id", "id"))  # fmt: skip

# The registry's column map when this migration was written (syncapp/sync/registry.py), frozen so that a
# later change of the registry does not change what this migration did: model → (the field telling its
# sObject apart, {its value: (sObject, ((API name, attname, kind), …))}).
COLUMNS = {
    "Person": ("sfdc_type", {
        # A person not in Salesforce: old edits wrote its columns into sf_fields too; it would become a lead.
        "": ("Lead", LEAD),
        "lead": ("Lead", LEAD),
        "contact": ("Contact", (*PERSON, ("MailingCity", "city", "str"), ("MailingCountry", "country", "str"),
                                ("AccountId", "account_id", "id"))),
    }),
    "SalesforceUser": ("kind", {
        "user": ("User", (("Name", "name", "str"), ("FirstName", "first_name", "str"),
                          ("LastName", "last_name", "str"), ("Email", "email", "str"), ("Title", "title", "str"),
                          ("Phone", "phone", "str"), ("IsActive", "is_active", "bool"))),
        "queue": ("Group", (("Name", "name", "str"), ("Email", "email", "str"))),
    }),
    "Account": (None, {None: ("Account", (
        ("Name", "name", "str"), ("Type", "type", "str"), ("Industry", "industry", "str"),
        ("Website", "website", "str"), ("Phone", "phone", "str"), ("BillingCity", "billing_city", "str"),
        ("BillingCountry", "billing_country", "str"), ("OwnerId", "owner_id", "id")))}),
    "Campaign": (None, {None: ("Campaign", (
        ("Name", "name", "str"), ("Type", "type", "str"), ("Status", "status", "str"),
        ("IsActive", "is_active", "bool"), ("StartDate", "start_date", "date"), ("EndDate", "end_date", "date"),
        ("OwnerId", "owner_id", "id")))}),
    "CampaignMemberStatus": (None, {None: ("CampaignMemberStatus", (
        ("CampaignId", "campaign_id", "id"), ("Label", "label", "str"), ("SortOrder", "sort_order", "int"),
        ("IsDefault", "is_default", "bool"), ("HasResponded", "has_responded", "bool")))}),
    "Opportunity": (None, {None: ("Opportunity", (
        ("Name", "name", "str"), ("StageName", "stage_name", "str"), ("Amount", "amount", "decimal"),
        ("CloseDate", "close_date", "date"), ("Probability", "probability", "decimal"),
        ("IsClosed", "is_closed", "bool"), ("IsWon", "is_won", "bool"), ("AccountId", "account_id", "id"),
        ("OwnerId", "owner_id", "id")))}),
    "OpportunityContactRole": (None, {None: ("OpportunityContactRole", (
        ("OpportunityId", "opportunity_id", "id"), ("ContactId", "person_id", "id"), ("Role", "role", "str"),
        ("IsPrimary", "is_primary", "bool")))}),
    "CampaignMember": (None, {None: ("CampaignMember", (
        ("CampaignId", "campaign_id", "id"), ("LeadId", "lead_sf_id", "str"),
        ("ContactId", "contact_sf_id", "str"), ("Status", "status", "str"),
        ("HasResponded", "has_responded", "bool"), ("FirstRespondedDate", "first_responded_date", "date")))}),
    "SalesforceActivity": ("kind", {
        "task": ("Task", (*ACTIVITY, ("Status", "status", "str"))),
        "event": ("Event", ACTIVITY),
    }),
    # Custom objects: every enabled one maps only its Name; the sObject is the record's type (SOBJECT_OF).
    "CustomObjectRecord": (None, {None: ("", (("Name", "name", "str"),))}),
}  # fmt: skip
SOBJECT_OF = {"CustomObjectRecord": "object_type__api_name"}


def same(column_value, stored_value) -> bool:
    # Type too: True == 1 and 5 == 5.0 in Python, but not in the JSON Salesforce sent.
    return column_value == stored_value and type(column_value) is type(stored_value)


def forwards(apps, schema_editor) -> None:
    for model_name in COLUMNS:
        _rewrite(apps, schema_editor, model_name, _without_columns)


def backwards(apps, schema_editor) -> None:
    synced = _synced_fields(apps)
    for model_name in COLUMNS:
        _rewrite(apps, schema_editor, model_name, lambda sobject, columns, row, stored: _with_columns(
            synced, sobject, columns, row, stored))  # fmt: skip


def _without_columns(sobject, columns, row, stored):
    kept = dict(stored)
    for api, attname, kind in columns:
        if api in kept and same(read_column(kind, row[attname]), kept[api]):
            del kept[api]
    return kept


def _with_columns(synced, sobject, columns, row, stored):
    if row["sf_id"] is None:
        return stored  # not in Salesforce: no Salesforce values to write back
    names = synced.get(sobject)
    restored = {
        api: read_column(kind, row[attname])
        for api, attname, kind in columns
        if names is None or api in names
    }
    return {**restored, **stored}


def _synced_fields(apps) -> dict[str, set[str]]:
    """Per described sObject, the fields that sync (an object never described: None, every column)."""
    names: dict[str, set[str]] = {}
    rows = apps.get_model("syncapp", "FieldSetting").objects.values_list(
        "sobject", "api_name", "visible", "sync_enabled"
    )
    for sobject, api_name, visible, enabled in rows.iterator(chunk_size=BATCH):
        found = names.setdefault(sobject, set())
        if visible and enabled:
            found.add(api_name)
    return names


def _rewrite(apps, schema_editor, model_name, change) -> None:
    """Rewrite `sf_fields` of every row of one model, batch by batch of primary keys."""
    model = apps.get_model("syncapp", model_name)
    connection = schema_editor.connection
    kind_field, maps = COLUMNS[model_name]
    attnames = sorted({a for _, columns in maps.values() for _, a, _ in (*BASE, *columns)})
    sobject_field = SOBJECT_OF.get(model_name)
    selected = ["pk", "sf_fields", *(f for f in (kind_field, sobject_field) if f), *attnames]
    json_field = model._meta.get_field("sf_fields")
    table = connection.ops.quote_name(model._meta.db_table)
    bounds = model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, BATCH):
        with transaction.atomic(using=connection.alias):
            batch = model.objects.filter(pk__gte=start, pk__lt=start + BATCH).values(*selected)
            updates = []
            for row in batch:
                discriminator = row[kind_field] if kind_field else None
                if discriminator not in maps:
                    continue  # a person not in Salesforce: nothing of Salesforce's to move
                sobject, columns = maps[discriminator]
                if sobject_field:
                    sobject = row[sobject_field]
                stored = row["sf_fields"] or {}
                rewritten = change(sobject, (*BASE, *columns), row, stored)
                if rewritten != stored:
                    updates.append((json_field.get_db_prep_save(rewritten, connection), row["pk"]))
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(f"UPDATE {table} SET sf_fields = %s WHERE id = %s", updates)


class Migration(migrations.Migration):
    # Each batch commits on its own (see the docstring): one transaction over a million rows would hold the
    # whole rewrite in PostgreSQL's row versions and lock every row until the end.
    atomic = False

    dependencies = [
        ("syncapp", "0014_error_filters"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
