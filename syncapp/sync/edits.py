"""Local edits of synced records: the change and its outbox rows, written in one transaction.

Nothing reaches Salesforce except through OutboundChange, so a crash never loses an edit and the push never
guesses what changed. Each row keeps the base value (the Salesforce value the edit started from), which
is how the pull tells "Salesforce changed it too" from "Salesforce did not touch it".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction

from syncapp.models import ActivityLog, FieldSetting, OutboundChange
from syncapp.sync.activity_log import ActivityWriter, display
from syncapp.sync.conflicts import PendingChange
from syncapp.sync.fields import record_fields, without_columns
from syncapp.sync.registry import SyncedObject, entry_for, person_sobjects

# An outbox row Salesforce does not hold: still to be pushed, or refused (the mirror keeps the refused value).
UNSENT = (OutboundChange.State.PENDING, OutboundChange.State.REJECTED)


class ReadOnlyFieldError(ValueError):
    """The field cannot be changed from here (read-only for the sync user, or not a synced column)."""


def salesforce_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def not_updateable(sobject: str, api_names: list[str]) -> set[str]:
    """Fields Salesforce says the sync user cannot update (or cannot see)."""
    settings = FieldSetting.objects.filter(sobject=sobject, api_name__in=api_names)
    known = {fs.api_name: fs for fs in settings}
    return {
        name for name in api_names if name in known and not (known[name].visible and known[name].updateable)
    }


def editable_fields(obj: models.Model, candidates: tuple[str, ...]) -> set[str]:
    """Which of `candidates` (model field names) can be changed for `obj`: a synced column whose Salesforce
    field the sync user can update. A record not in Salesforce keeps every candidate editable."""
    entry = entry_for(obj)
    columns = entry.editable_columns()
    if not obj.sf_id:
        return set(candidates)
    synced = [name for name in candidates if name in columns]
    blocked = not_updateable(entry.sobject, [columns[name] for name in synced])
    return {name for name in synced if columns[name] not in blocked}


def described_fields(obj: models.Model, candidates: tuple[str, ...]) -> dict[str, FieldSetting]:
    """Model field name → the FieldSetting (describe) of the Salesforce field it syncs to."""
    entry = entry_for(obj)
    columns = {name: api for name, api in entry.editable_columns().items() if name in candidates}
    settings = {
        fs.api_name: fs
        for fs in FieldSetting.objects.filter(sobject=entry.sobject, api_name__in=columns.values())
    }
    return {name: settings[api] for name, api in columns.items() if api in settings}


def unsent_changes(obj: models.Model) -> dict[str, OutboundChange]:
    """Salesforce field → the latest local edit of it that Salesforce does not hold: pending or rejected.

    A later edit of a field supersedes its earlier rows, so the newest pending or rejected row is the one
    in force. A rejection is history once a pull has brought Salesforce's value over the refused one (as it
    clears the person's sync error). Records that do not push (accounts, opportunities…) have none.
    """
    try:
        entry = entry_for(obj)
    except TypeError:
        return {}
    rows = OutboundChange.objects.filter(
        sobject__in=_sobjects_of(entry),
        local_id=obj.pk,
        state__in=UNSENT,
    ).order_by("id")
    latest = {row.field: row for row in rows}
    stored = record_fields(obj, entry.columns)
    return {
        field: row
        for field, row in latest.items()
        if not (
            row.state == OutboundChange.State.REJECTED
            and field in stored
            and not _same(stored[field], row.new_value)
        )
    }


@dataclass
class UnsentEdits:
    """A page's local edits that Salesforce does not hold, by local pk."""

    pending: dict[int, dict[str, PendingChange]] = field(default_factory=dict)  # latest pending per field
    held: dict[int, set[str]] = field(default_factory=dict)  # fields whose latest edit is pending or refused


def unsent_edits(sobject: str, pks: list[int]) -> UnsentEdits:
    """The pending and refused outbox rows of these records, for the pull (one query per page)."""
    edits = UnsentEdits()
    if not pks:
        return edits
    rows = OutboundChange.objects.filter(
        sobject=sobject,
        local_id__in=pks,
        state__in=UNSENT,
    ).order_by("id")
    for change_id, local_id, name, base, value, state in rows.values_list(
        "id", "local_id", "field", "base_value", "new_value", "state"
    ):
        edits.held.setdefault(local_id, set()).add(name)
        if state == OutboundChange.State.PENDING:
            edits.pending.setdefault(local_id, {})[name] = PendingChange(change_id, base, value)
    return edits


def _same(stored: Any, sent: Any) -> bool:
    # An emptied text is sent as "" and comes back from Salesforce (and from its column) as null.
    return stored == sent or (stored in (None, "") and sent in (None, ""))


def _sobjects_of(entry: SyncedObject) -> list[str]:
    # A person's rows name the sObject it was pushed as, and a lead converted since is now a contact.
    return list(person_sobjects()) if entry.is_person else [entry.sobject]


@transaction.atomic
def record_update(*, obj: models.Model, changes: dict[str, Any], actor: str, actor_id: int | None = None):
    """Apply `changes` (model field name → value) to a lead, contact, campaign or member, with outbox rows."""
    entry = entry_for(obj)
    columns = entry.editable_columns()
    unknown = [name for name in changes if name not in columns]
    if unknown:
        raise ReadOnlyFieldError(
            f"{', '.join(unknown)} cannot be edited: not a field synced with Salesforce."
        )
    real = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if not real:
        return obj
    api_names = [columns[name] for name in real]
    blocked = not_updateable(entry.sobject, api_names)
    if blocked:
        raise ReadOnlyFieldError(
            f"{', '.join(sorted(blocked))} cannot be edited: Salesforce makes it read-only for the sync user."
        )
    fields = record_fields(obj, entry.columns)  # as stored before the edit: the base values
    outbox, writer = [], ActivityWriter(source=actor)
    for name, value in real.items():
        api = columns[name]
        old = getattr(obj, name)
        setattr(obj, name, value)
        sf_value = salesforce_value(value)
        if obj.sf_id:
            outbox.append(
                OutboundChange(
                    sobject=entry.sobject,
                    local_id=obj.pk,
                    sf_id=obj.sf_id,
                    field=api,
                    new_value=sf_value,
                    base_value=_base_value(entry, obj, api, fields),
                    actor=actor,
                )
            )
        if entry.is_person:
            writer.add(
                obj.pk,
                ActivityLog.Type.CHANGE_DATA_VALUE,
                api,
                actor_id=actor_id,
                old_value=display(old),
                new_value=display(value),
                reason="Edited in the app",
            )
    # The edited columns hold these fields now: a value sf_fields kept because its column could not hold
    # it (`fields.py`) would otherwise still win over the edit.
    obj.sf_fields = without_columns(obj.sf_fields, api_names)
    update_fields = [*real, "sf_fields", "updated_at"]
    if entry.is_person:
        obj.sync_error = ""  # a later edit clears a rejected push's flag
        update_fields.append("sync_error")
    obj.save(update_fields=update_fields)
    # Only the latest value per field is pushed: older pending rows of the same field are superseded.
    if outbox:
        OutboundChange.objects.filter(
            sobject=entry.sobject,
            local_id=obj.pk,
            field__in=[c.field for c in outbox],
            state__in=UNSENT,
        ).update(state=OutboundChange.State.SUPERSEDED)
        OutboundChange.objects.bulk_create(outbox)
    writer.flush()
    return obj


def _base_value(entry: SyncedObject, obj: models.Model, api: str, fields: dict[str, Any]) -> Any:
    """The Salesforce value this edit started from: the base of a still-pending change, else the mirror's."""
    pending = list(
        OutboundChange.objects.filter(
            sobject=entry.sobject, local_id=obj.pk, field=api, state=OutboundChange.State.PENDING
        )
        .order_by("id")
        .values_list("base_value", flat=True)[:1]
    )
    return pending[0] if pending else fields.get(api)
