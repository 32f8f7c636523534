"""A write's JSON body → storage values as its user may send them (FLS, read-only fields, foreign keys)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sfdc_emulator.org.errors import RecordError, RecordFailure
from sfdc_emulator.org.schema import ObjectDef
from sfdc_emulator.org.values import to_storage

if TYPE_CHECKING:
    from sfdc_emulator.org.store import Store

READ_ONLY_MESSAGE = (
    "Unable to create/update fields: {}. Please check the security settings of this field and verify that "
    "it is read/write for your profile or permission set."
)


def _fail(code: str, message: str, fields: tuple[str, ...] = ()) -> RecordFailure:
    return RecordFailure(RecordError(code, message, fields))


def parse_input(
    store: Store, obj: ObjectDef, values: Mapping[str, object], *, user_id: str, insert: bool, system: bool
) -> dict[str, object]:
    """JSON body → {field: storage value}; unknown/hidden → INVALID_FIELD, read-only → …_FOR_INSERT_UPDATE."""
    access = store.security.access(None if system else user_id)
    changes: dict[str, object] = {}
    read_only: list[str] = []
    for key, value in values.items():
        if key == "attributes":
            continue
        fd = obj.field(key)
        if fd is None and isinstance(value, dict):
            rel = obj.relationship(key)
            if rel is not None and access.visible(obj.name, rel.name):
                changes[rel.name] = _resolve_foreign_key(store, rel.reference_to, value)
                continue
        if fd is None or not access.visible(obj.name, fd.name):
            raise _fail("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
        if fd.name == "Id":
            if insert:
                raise _fail("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ("Id",))
            continue
        writable = (fd.createable if insert else fd.updateable) and access.editable(obj.name, fd.name)
        if not writable and not system:
            read_only.append(fd.name)
            continue
        changes[fd.name] = to_storage(fd, value)
    if read_only:
        raise _fail(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            READ_ONLY_MESSAGE.format(", ".join(read_only)),
            tuple(read_only),
        )
    return changes


def _resolve_foreign_key(store: Store, targets: tuple[str, ...], value: Mapping[str, object]) -> str:
    """`"Account": {"Sync_Key__c": "A-1"}` → the Account's id (relationship by external id)."""
    keys = [k for k in value if k != "attributes"]
    target = store.schema.get_object(str(value.get("attributes", {}).get("type", targets[0])))  # type: ignore[union-attr]
    if target is None or len(keys) != 1:
        raise _fail("INVALID_FIELD", "Foreign key external ID must name exactly one external id field")
    fd = target.field(keys[0])
    if fd is None or not fd.id_lookup:
        raise _fail(
            "INVALID_FIELD", f"Foreign key external ID field {keys[0]} is not an external id of {target.name}"
        )
    found = store.find_ids(target.name, fd.name, value[keys[0]])
    if len(found) != 1:
        problem = "not found" if not found else "matches more than one record"
        raise _fail(
            "INVALID_FIELD",
            f"Foreign key external ID: {value[keys[0]]} {problem} for field {fd.name} "
            f"in entity {target.name}",
        )
    return found[0]
