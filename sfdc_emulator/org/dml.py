"""Validated writes as a Salesforce user: FLS, coercion, rules, triggers, whole-second stamps, recycle bin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sfdc_emulator.org import checks, ids, rules, triggers
from sfdc_emulator.org.assignment import Assign, Assignment, owner_for
from sfdc_emulator.org.emails import record_email
from sfdc_emulator.org.errors import RecordError, RecordFailure, SaveResult, SfError
from sfdc_emulator.org.inputs import parse_input
from sfdc_emulator.org.schema import CURRENT_USER, TODAY, ObjectDef

if TYPE_CHECKING:
    from sfdc_emulator.org.store import Store


def _fail(code: str, message: str, fields: tuple[str, ...] = ()) -> RecordFailure:
    return RecordFailure(RecordError(code, message, fields))


def resolve_object(store: Store, obj_name: str | None, record_id: str | None = None) -> ObjectDef:
    obj = store.schema.get_object(obj_name) if obj_name else None
    if obj is None and obj_name is None and record_id:
        obj = store.schema.by_prefix(ids.prefix_of(record_id))
    if obj is None:
        name = obj_name or record_id
        raise _fail("INVALID_TYPE", f"sObject type '{name}' is not supported.")
    return obj


def _check(store: Store, obj: ObjectDef, record: dict, changes: dict, old: Mapping | None) -> None:
    errors = checks.field_errors(store, obj, record, changes, insert=old is None)
    if not errors:
        errors = rules.validation_errors(store.rules.for_object(obj.name), record, old)
    if not errors:
        errors = checks.unique_errors(store, obj, record, changes)
    if errors:
        raise RecordFailure(*errors)


def _assign(
    store: Store, obj: ObjectDef, record: dict, changes: dict, assign: Assign | None
) -> Assignment | None:
    """Run the assignment rule on the record as it will be saved; its owner wins over one in the body."""
    assignment = owner_for(store, obj.name, record, assign) if assign is not None else None
    if assignment is not None and record.get("OwnerId") != assignment.owner_id:
        record["OwnerId"] = changes["OwnerId"] = assignment.owner_id
    return assignment


def _notify(
    store: Store, record: dict, old: Mapping | None, assignment: Assignment | None, trigger_user_email: bool
) -> None:
    """The new owner's email: from the rule entry's template, or for a transfer (SOAP EmailHeader only)."""
    if not trigger_user_email:
        return
    owner, name = str(record.get("OwnerId") or ""), record.get("Name")
    if assignment is not None and assignment.notify:
        record_email(store, to_id=owner, reason="lead_assignment", record_id=str(record["Id"]), name=name)
    elif assignment is None and old is not None and owner and old.get("OwnerId") != owner:
        record_email(store, to_id=owner, reason="owner_change", record_id=str(record["Id"]), name=name)


def _before_write(store: Store, obj: ObjectDef, record_id: str | None) -> None:
    if store.before_write is not None:
        store.before_write(obj.name, record_id)


def create(
    store: Store,
    obj_name: str,
    values: Mapping[str, object],
    *,
    user_id: str,
    system: bool = False,
    assign: Assign | None = None,
    trigger_user_email: bool = False,
) -> SaveResult:
    """Insert one record as `user_id`; `assign` runs assignment rules, `trigger_user_email` lets them mail."""
    try:
        obj = resolve_object(store, obj_name)
        if not obj.createable and not system:
            raise _fail("INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support insert")
        with store.transaction():
            _before_write(store, obj, None)
            changes = parse_input(store, obj, values, user_id=user_id, insert=True, system=system)
            stamp = store.clock.stamp()
            record: dict[str, object] = {fd: None for fd in obj.fields}
            for fd in obj.fields.values():
                if fd.type == "boolean":
                    record[fd.name] = int(bool(fd.default))
                elif fd.default == CURRENT_USER:
                    record[fd.name] = user_id
                elif fd.default == TODAY:
                    record[fd.name] = stamp[:10]
                elif fd.default is not None:
                    record[fd.name] = fd.default
            record.update(changes)
            record_id = store.new_id(obj.name)
            system_values = {
                "Id": record_id,
                "IsDeleted": 0,
                "CreatedDate": stamp,
                "CreatedById": user_id,
                "LastModifiedDate": stamp,
                "LastModifiedById": user_id,
                "SystemModstamp": stamp,
            }
            record.update(system_values)
            all_changes = {**{k: v for k, v in record.items() if v is not None}, **changes}
            assignment = _assign(store, obj, record, all_changes, assign)
            triggers.derive(store, obj.name, record, all_changes)
            _check(store, obj, record, all_changes, None)
            store.insert_row(obj.name, {k: v for k, v in record.items() if v is not None})
            triggers.after_insert(store, obj.name, record, user_id)
            _notify(store, record, None, assignment, trigger_user_email)
        return SaveResult(record_id, True, created=True)
    except RecordFailure as failure:
        return SaveResult(None, False, failure.errors)


def load_for_write(store: Store, obj_name: str | None, record_id: str) -> tuple[ObjectDef, str, dict]:
    """The object, the canonical id and the stored row of a live record (or RecordFailure)."""
    norm = ids.normalize(record_id) if isinstance(record_id, str) else None
    if norm is None:
        raise _fail("MALFORMED_ID", f"malformed id {record_id}", ("Id",))
    obj = resolve_object(store, obj_name, norm)
    if ids.prefix_of(norm) != obj.key_prefix:
        raise _fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    old = store.get_row(obj.name, norm)
    if old is None:
        raise _fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if old["IsDeleted"]:
        raise _fail("ENTITY_IS_DELETED", "entity is deleted")
    return obj, norm, old


def update(
    store: Store,
    obj_name: str | None,
    record_id: str,
    values: Mapping[str, object],
    *,
    user_id: str,
    system: bool = False,
    assign: Assign | None = None,
    trigger_user_email: bool = False,
) -> SaveResult:
    try:
        with store.transaction():
            obj, rid, old = load_for_write(store, obj_name, record_id)
            if not obj.updateable and not system:
                raise _fail("INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support update")
            if obj.name == "Lead" and old.get("IsConverted") and not system:
                raise _fail("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
            _before_write(store, obj, rid)
            changes = parse_input(store, obj, values, user_id=user_id, insert=False, system=system)
            stamp = store.clock.stamp()
            record = dict(old)
            record.update(changes)
            # Why: every save bumps the stamps, even when no value changed (spec §3.9).
            stamps = {"LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp}
            record.update(stamps)
            assignment = _assign(store, obj, record, changes, assign)
            triggers.derive(store, obj.name, record, changes)
            _check(store, obj, record, changes, old)
            store.update_row(obj.name, rid, {**changes, **stamps})
            _notify(store, record, old, assignment, trigger_user_email)
        return SaveResult(rid, True)
    except RecordFailure as failure:
        return SaveResult(
            ids.normalize(record_id) if isinstance(record_id, str) else None, False, failure.errors
        )


def delete(store: Store, obj_name: str | None, record_id: str, *, user_id: str) -> SaveResult:
    try:
        with store.transaction():
            obj, rid, _old = load_for_write(store, obj_name, record_id)
            if not obj.deletable:
                raise _fail("INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support delete")
            _before_write(store, obj, rid)
            mark_deleted(store, obj, rid, user_id=user_id, stamp=store.clock.stamp())
        return SaveResult(rid, True)
    except RecordFailure as failure:
        return SaveResult(
            ids.normalize(record_id) if isinstance(record_id, str) else None, False, failure.errors
        )


def mark_deleted(
    store: Store, obj: ObjectDef, rid: str, *, user_id: str, stamp: str, extra: Mapping | None = None
):
    """Move a record to the recycle bin; cascade to master-detail-like children, clear plain lookups."""
    values = {"IsDeleted": 1, "LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp}
    store.update_row(obj.name, rid, {**values, **(extra or {})})
    for rel in obj.child_relationships:
        child = store.schema.get_object(rel.child_sobject)
        if child is None:
            continue
        rows = store.fetchall(
            f'SELECT Id FROM "{child.name}" WHERE "{rel.field}" = ? AND IsDeleted = 0', (rid,)
        )
        for (child_id,) in rows:
            if rel.cascade_delete:
                mark_deleted(store, child, child_id, user_id=user_id, stamp=stamp)
            elif child.fields[rel.field].nillable:
                store.update_row(child.name, child_id, {rel.field: None, "SystemModstamp": stamp})


def upsert(
    store: Store,
    obj_name: str,
    ext_field: str,
    values: Mapping[str, object],
    *,
    user_id: str,
    assign: Assign | None = None,
) -> SaveResult | list[str]:
    """Match on `ext_field` (its value is in `values`): 0 → create, 1 → update, several → the matching ids."""
    obj = store.schema.get_object(obj_name)
    if obj is None:
        raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
    fd = obj.field(ext_field)
    access = store.security.access(user_id)
    if fd is None or not fd.id_lookup or not access.visible(obj.name, fd.name):
        raise SfError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {ext_field}"
        )
    key = next((k for k in values if k.lower() == fd.name.lower()), None)
    value = values.get(key) if key else None
    if value is None or value == "":
        return SaveResult(
            None,
            False,
            (RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{fd.name}]", (fd.name,)),),
        )
    if fd.name == "Id":
        norm = ids.normalize(str(value))
        matches = [norm] if norm and store.get_row(obj.name, norm, ["Id"]) else []
        if not matches:
            return SaveResult(
                None, False, (RecordError("NOT_FOUND", "The requested resource does not exist"),)
            )
    else:
        matches = store.find_ids(obj.name, fd.name, value)
    body = {k: v for k, v in values.items() if k != key or fd.name != "Id"}
    if len(matches) > 1:
        return matches
    if matches:
        if fd.name != "Id":
            body = {k: v for k, v in body.items() if k != key}
        result = update(store, obj.name, matches[0], body, user_id=user_id, assign=assign)
        return SaveResult(result.id, result.success, result.errors, created=False)
    result = create(store, obj.name, body, user_id=user_id, assign=assign)
    return SaveResult(result.id, result.success, result.errors, created=result.success)
