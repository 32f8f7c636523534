"""The schema step: describe every synced object as the sync user and keep FieldSetting current.

Only what the sync user can see is synced. A field that disappears from describe (hidden by field-level
security, or deleted) is marked not visible and stops syncing; nothing is dropped locally. A new visible
custom field starts syncing on the next pull. Describes of all objects travel in one composite batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from syncapp.models import CustomObjectType, FieldSetting
from syncapp.salesforce.client import SalesforceClient
from syncapp.sync.registry import SyncedObject, registry

# Compound and binary fields: their components sync instead, or they cannot be mirrored as values.
UNSYNCABLE_TYPES = {"address", "location", "base64", "complexvalue"}


@dataclass(frozen=True)
class FieldInfo:
    api_name: str
    type: str


@dataclass
class SyncSchema:
    """Per sObject, the fields the pull asks for (in a stable order) and their Salesforce types."""

    fields: dict[str, list[FieldInfo]]
    custom_objects: list[str]

    def field_names(self, sobject: str) -> list[str]:
        return [f.api_name for f in self.fields.get(sobject, [])]

    def types(self, sobject: str) -> dict[str, str]:
        return {f.api_name: f.type for f in self.fields.get(sobject, [])}

    def entries(self) -> tuple[SyncedObject, ...]:
        return registry(self.custom_objects)


def required_fields() -> dict[str, frozenset[str]]:
    """Per sObject, the fields no Field setting can switch off: what the engine and its hooks read, and a
    custom object's links to people and accounts."""
    links = {
        t.api_name: (t.contact_field, t.lead_field, t.account_field) for t in CustomObjectType.objects.all()
    }
    return {
        entry.sobject: frozenset(
            name for name in (*entry.required_fields(), *links.get(entry.sobject, ())) if name
        )
        for entry in registry(list(links))
    }


def refresh_schema(client: SalesforceClient) -> SyncSchema:
    """Describe everything (2 API calls: describeGlobal + one composite batch of describes)."""
    global_describe = client.describe_global()
    available = {o["name"]: o for o in global_describe.get("sobjects", [])}
    standard = [entry.sobject for entry in registry() if entry.sobject in available]
    custom = [name for name, o in available.items() if o.get("custom") and o.get("queryable", True)]
    names = standard + custom
    results = client.composite_batch(
        [
            {"method": "GET", "url": f"v{client.credentials.api_version}/sobjects/{name}/describe"}
            for name in names
        ]
    )
    describes = {name: result.body for name, result in zip(names, results, strict=True) if result.ok}
    now = timezone.now()
    with transaction.atomic():
        _record_custom_object_types({name: describes[name] for name in custom if name in describes})
        required = required_fields()
        for name, describe in describes.items():
            _record_fields(name, describe, now, required.get(name, frozenset()))
        # Objects the sync user can no longer see at all: every field of theirs stops syncing.
        FieldSetting.objects.exclude(sobject__in=list(describes)).update(visible=False)
    return load_schema()


def _record_fields(sobject: str, describe: dict, now: datetime, required: frozenset[str]) -> None:
    seen = []
    existing = {fs.api_name: fs for fs in FieldSetting.objects.filter(sobject=sobject)}
    to_create, to_update = [], []
    for raw in describe.get("fields", []):
        name = raw["name"]
        seen.append(name)
        values = {
            "label": raw.get("label", name)[:255],
            "type": raw.get("type", ""),
            "length": raw.get("length") or 0,
            "custom": bool(raw.get("custom")),
            "visible": True,
            "createable": bool(raw.get("createable")),
            "updateable": bool(raw.get("updateable")),
            "nillable": bool(raw.get("nillable", True)),
            "picklist_values": [
                {
                    "value": p["value"],
                    "label": p.get("label") or p["value"],
                    "active": bool(p.get("active", True)),
                    "default": bool(p.get("defaultValue")),
                }
                for p in raw.get("picklistValues") or []
            ],
            "restricted_picklist": bool(raw.get("restrictedPicklist")),
            "reference_to": raw.get("referenceTo") or [],
            "last_seen_at": now,
        }
        current = existing.get(name)
        if current is None:
            to_create.append(FieldSetting(sobject=sobject, api_name=name, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)
            to_update.append(current)
    FieldSetting.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        FieldSetting.objects.bulk_update(
            to_update,
            [
                "label",
                "type",
                "length",
                "custom",
                "visible",
                "createable",
                "updateable",
                "nillable",
                "picklist_values",
                "restricted_picklist",
                "reference_to",
                "last_seen_at",
            ],
            batch_size=500,
        )
    FieldSetting.objects.filter(sobject=sobject).exclude(api_name__in=seen).update(visible=False)
    # Switched off before the engine declared it needed (or by hand in the database): back on.
    FieldSetting.objects.filter(sobject=sobject, api_name__in=required, sync_enabled=False).update(
        sync_enabled=True
    )


def _record_custom_object_types(describes: dict[str, dict]) -> None:
    """A custom object syncs only if it links to a person or an account (as in Marketo)."""
    for name, describe in describes.items():
        links = {"Contact": "", "Lead": "", "Account": ""}
        for raw in describe.get("fields", []):
            if raw.get("type") != "reference":
                continue
            for target in raw.get("referenceTo") or []:
                if target in links and not links[target]:
                    links[target] = raw["name"]
        if not any(links.values()):
            continue
        CustomObjectType.objects.update_or_create(
            api_name=name,
            defaults={
                "label": describe.get("label", name),
                "contact_field": links["Contact"],
                "lead_field": links["Lead"],
                "account_field": links["Account"],
            },
        )


def load_schema() -> SyncSchema:
    """The synced fields per object from FieldSetting: visible, switched on, and standard-useful or custom."""
    custom_objects = list(CustomObjectType.objects.filter(enabled=True).values_list("api_name", flat=True))
    entries = registry(custom_objects)
    wanted = {entry.sobject: set(entry.base_fields()) for entry in entries}
    fields: dict[str, list[FieldInfo]] = {entry.sobject: [] for entry in entries}
    required = required_fields()
    rows = FieldSetting.objects.filter(sobject__in=list(fields), visible=True).values_list(
        "sobject", "api_name", "type", "custom", "sync_enabled"
    )
    for sobject, api_name, type_, custom, enabled in rows.order_by("sobject", "api_name"):
        entry_is_custom = sobject in custom_objects
        if type_ in UNSYNCABLE_TYPES or not (enabled or api_name in required.get(sobject, ())):
            continue
        if custom or entry_is_custom or api_name in wanted[sobject]:
            fields[sobject].append(FieldInfo(api_name, type_))
    for infos in fields.values():
        # Id first and SystemModstamp present: the engine keys and orders on them.
        infos.sort(key=lambda f: (f.api_name != "Id", f.api_name))
    return SyncSchema(fields={k: v for k, v in fields.items() if v}, custom_objects=custom_objects)


def refresh_schema_saying_what_stopped(
    client: SalesforceClient, before: SyncSchema
) -> tuple[SyncSchema, str]:
    """Describe again after INVALID_FIELD; the sentence says which fields stopped syncing."""
    after = refresh_schema(client)
    return after, stopped_syncing_message(vanished_fields(before, after))


def vanished_fields(before: SyncSchema, after: SyncSchema) -> list[str]:
    """ "Object.Field" for each field that synced under `before` and no longer does under `after`."""
    return [
        f"{sobject}.{name}"
        for sobject in before.fields
        for name in before.field_names(sobject)
        if name not in after.field_names(sobject)
    ]


def stopped_syncing_message(gone: list[str]) -> str:
    if not gone:
        return "Salesforce answered INVALID_FIELD; the schema was read again and every field still syncs."
    return (
        f"Salesforce no longer shows {', '.join(gone)} to the sync user (deleted, or hidden by field-level "
        "security): the schema was read again and it stopped syncing; its values are kept here. Make it "
        "visible to the sync user again to resume syncing it."
    )


def has_schema() -> bool:
    return FieldSetting.objects.exists()
