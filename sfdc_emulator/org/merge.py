"""Record merge (SOAP `merge`): Lead, Contact and Account; losers deleted with MasterRecordId, children moved.

Spec §9.4: up to two records merge into the master; losers get IsDeleted = true and MasterRecordId =
master (so they show in queryAll and `deleted/`); every lookup that pointed at a loser (campaign members,
tasks/events WhoId or WhatId, opportunity contact roles, an account's contacts and opportunities, custom
lookups) is re-pointed to the master with its SystemModstamp bumped. A loser's campaign membership on a
campaign the master is already in goes to the recycle bin instead (one member per campaign and person).
Error codes for bad requests are [unverified] guesses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sfdc_emulator.org import dml, ids
from sfdc_emulator.org.errors import RecordError
from sfdc_emulator.org.store import Store, q

MERGEABLE = ("Lead", "Contact", "Account")
MAX_MERGED = 2
# Lookups a merge leaves alone: the losers' own MasterRecordId and a converted lead's history.
_KEEP = {"MasterRecordId", "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId"}
_UNIQUE_MEMBER = {"Lead": "LeadId", "Contact": "ContactId"}


@dataclass(frozen=True)
class MergeRequest:
    sobject: str | None
    master_id: str | None
    master_values: dict[str, object]
    fields_to_null: tuple[str, ...]
    merge_ids: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    master_id: str | None
    success: bool
    merged_ids: tuple[str, ...] = ()
    updated_related_ids: tuple[str, ...] = ()
    errors: tuple[RecordError, ...] = ()


class _Failed(Exception):
    def __init__(self, *errors: RecordError) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _err(code: str, message: str, *fields: str) -> _Failed:
    return _Failed(RecordError(code, message, tuple(fields)))


def merge(store: Store, request: MergeRequest, *, user_id: str) -> MergeResult:
    """One merge request in its own transaction (nothing changes when it fails)."""
    try:
        with store.transaction():
            return _merge(store, request, user_id)
    except _Failed as failure:
        return MergeResult(request.master_id, False, errors=failure.errors)


def _live(store: Store, sobject: str, raw: str | None, field: str) -> str:
    norm = ids.normalize(raw or "")
    if norm is None:
        raise _err("MALFORMED_ID", f"{field}: id value of incorrect type: {raw}", field)
    obj = store.object(sobject)
    row = store.get_row(sobject, norm, ["Id", "IsDeleted"]) if norm.startswith(obj.key_prefix) else None
    if row is None:
        raise _err("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {raw}", field)
    if row["IsDeleted"]:
        raise _err("ENTITY_IS_DELETED", "entity is deleted", field)
    return norm


def _merge(store: Store, request: MergeRequest, user_id: str) -> MergeResult:
    obj = store.schema.get_object(request.sobject or "")
    if obj is None or obj.name not in MERGEABLE:
        raise _err("INVALID_TYPE", f"Merge is not supported for sObject type: {request.sobject}")
    master = _live(store, obj.name, request.master_id, "Id")
    if not request.merge_ids:
        raise _err(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [recordToMergeIds]", "recordToMergeIds"
        )
    if len(request.merge_ids) > MAX_MERGED:
        raise _err(
            "LIMIT_EXCEEDED", f"A merge request can merge at most {MAX_MERGED} records into the master"
        )
    losers = tuple(
        dict.fromkeys(_live(store, obj.name, raw, "recordToMergeIds") for raw in request.merge_ids)
    )
    if master in losers:
        raise _err("INVALID_ID_FIELD", "The master record cannot be merged with itself", "recordToMergeIds")

    values: dict[str, object] = dict(request.master_values)
    values.update({name: None for name in request.fields_to_null})
    result = dml.update(store, obj.name, master, values, user_id=user_id)
    if not result.success:
        raise _Failed(*result.errors)
    stamp = store.clock.stamp()
    related = _reparent(store, obj.name, master, losers, user_id, stamp)
    for loser in losers:
        dml.mark_deleted(store, obj, loser, user_id=user_id, stamp=stamp, extra={"MasterRecordId": master})
    return MergeResult(master, True, losers, tuple(related))


def _reparent(
    store: Store, sobject: str, master: str, losers: tuple[str, ...], user_id: str, stamp: str
) -> list:
    """Point every child lookup at the master; returns the ids of the children that moved."""
    marks = ", ".join("?" * len(losers))
    bump = {"LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp}
    moved: list[str] = []
    member_field = _UNIQUE_MEMBER.get(sobject)
    if member_field is not None:
        # The master already belongs to these campaigns: the losers' memberships there go to the recycle bin.
        member_obj = store.object("CampaignMember")
        duplicates = store.fetchall(
            f"SELECT l.Id FROM CampaignMember l JOIN CampaignMember m ON m.CampaignId = l.CampaignId "
            f"AND m.{member_field} = ? AND m.IsDeleted = 0 "
            f"WHERE l.{member_field} IN ({marks}) AND l.IsDeleted = 0",
            (master, *losers),
        )
        for (member_id,) in duplicates:
            dml.mark_deleted(store, member_obj, member_id, user_id=user_id, stamp=stamp)
    for child in store.schema:
        for fd in child.fields.values():
            if fd.type != "reference" or fd.name in _KEEP or sobject not in fd.reference_to:
                continue
            if fd.name in ("CreatedById", "LastModifiedById", "OwnerId"):
                continue
            rows = store.fetchall(f"SELECT Id FROM {q(child.name)} WHERE {q(fd.name)} IN ({marks})", losers)
            for (child_id,) in rows:
                store.update_row(child.name, child_id, {fd.name: master, **bump})
                moved.append(child_id)
    return list(dict.fromkeys(moved))


def master_values_from_xml(fields: Mapping[str, str | None], sobject: str, store: Store) -> dict[str, object]:
    """Partner-API field elements are text: booleans become True/False, the DML layer coerces the rest."""
    obj = store.schema.get_object(sobject)
    out: dict[str, object] = {}
    for name, value in fields.items():
        fd = obj.field(name) if obj is not None else None
        if fd is not None and fd.type == "boolean" and value is not None:
            out[name] = value.lower() in ("true", "1")
        else:
            out[name] = value
    return out
