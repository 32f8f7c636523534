"""Salesforce's built-in field checks in its order: required, length, email, picklist, lookups, unique."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sfdc_emulator.org import ids
from sfdc_emulator.org.errors import RecordError
from sfdc_emulator.org.schema import TEXT_TYPES, ObjectDef

_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def _blank(value: object) -> bool:
    return value is None or value == ""


def field_errors(
    store: object, obj: ObjectDef, record: Mapping, changes: Mapping, *, insert: bool
) -> list[RecordError]:
    """Built-in checks, in Salesforce's order: required, length, email, restricted picklist, lookups."""
    missing = [
        fd.name
        for fd in obj.fields.values()
        if not fd.nillable
        and fd.type != "boolean"
        and fd.name != "Id"
        and (fd.createable if insert else fd.name in changes)
        and _blank(record.get(fd.name))
    ]
    if missing:
        return [
            RecordError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                tuple(missing),
            )
        ]
    errors: list[RecordError] = []
    for name, value in changes.items():
        fd = obj.fields[name]
        if _blank(value):
            continue
        if fd.type in TEXT_TYPES and fd.length and len(value) > fd.length:
            errors.append(
                RecordError(
                    "STRING_TOO_LONG",
                    f"{fd.label}: data value too large: {value[: fd.length + 20]} (max length={fd.length})",
                    (name,),
                )
            )
        elif fd.type == "email" and not _EMAIL_RE.match(value):
            errors.append(
                RecordError("INVALID_EMAIL_ADDRESS", f"{fd.label}: invalid email address: {value}", (name,))
            )
        elif fd.restricted_picklist and fd.type in ("picklist", "multipicklist"):
            allowed = set(fd.picklist_values)
            bad = [v for v in value.split(";")] if fd.type == "multipicklist" else [value]
            bad = [v for v in bad if v not in allowed]
            if bad:
                errors.append(
                    RecordError(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{fd.label}: bad value for restricted picklist field: {bad[0]}",
                        (name,),
                    )
                )
        elif fd.type == "reference":
            error = _reference_error(store, obj, name, value)
            if error is not None:
                errors.append(error)
    return errors


def _reference_error(store: object, obj: ObjectDef, name: str, value: str) -> RecordError | None:
    fd = obj.fields[name]
    target = store.schema.by_prefix(ids.prefix_of(value))  # type: ignore[attr-defined]
    if target is None or target.name not in fd.reference_to:
        return RecordError(
            "FIELD_INTEGRITY_EXCEPTION", f"{fd.label}: id value of incorrect type: {value}", (name,)
        )
    row = store.fetchone(f'SELECT IsDeleted FROM "{target.name}" WHERE Id = ?', (value,))  # type: ignore[attr-defined]
    if row is None:
        return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (name,))
    if row[0]:
        return RecordError("ENTITY_IS_DELETED", "entity is deleted", (name,))
    if name == "OwnerId" and target.name == "Group" and not _queue_may_own(store, value, obj.name):
        # Why this code: Salesforce answers a queue owning a Contact/Account/Opportunity (or a queue without
        # the object among its supported objects) as a wrong id type, not as an access error (spec §6.6).
        return RecordError(
            "FIELD_INTEGRITY_EXCEPTION", f"{fd.label}: id value of incorrect type: {value}", (name,)
        )
    return None


def _queue_may_own(store: object, group_id: str, obj_name: str) -> bool:
    row = store.fetchone(  # type: ignore[attr-defined]
        'SELECT 1 FROM "Group" g JOIN "QueueSobject" q ON q.QueueId = g.Id '
        "WHERE g.Id = ? AND g.Type = 'Queue' AND q.SobjectType = ? AND q.IsDeleted = 0",
        (group_id, obj_name),
    )
    return row is not None


def unique_errors(store: object, obj: ObjectDef, record: Mapping, changes: Mapping) -> list[RecordError]:
    for name, value in changes.items():
        fd = obj.fields[name]
        if not fd.unique or _blank(value):
            continue
        row = store.fetchone(  # type: ignore[attr-defined]
            f'SELECT Id FROM "{obj.name}" WHERE "{name}" = ? COLLATE NOCASE AND Id != ? AND IsDeleted = 0',
            (value, record.get("Id") or ""),
        )
        if row:
            return [
                RecordError(
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {name} duplicates value on record with id: {row[0]}",
                )
            ]
    return []
