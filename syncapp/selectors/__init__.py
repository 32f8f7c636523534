"""Reads the admin and the commands share: what they show about the sync, computed in one place."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef

from syncapp.models import FieldSetting, OutboundChange
from syncapp.sync.edits import described_fields, editable_fields, unsent_changes
from syncapp.sync.fields import record_fields
from syncapp.sync.registry import mirror_entry, pushed
from syncapp.sync.registry import person_sobjects as registry_person_sobjects
from syncapp.sync.schema import required_fields


def fields_the_sync_needs() -> dict[str, frozenset[str]]:
    """Per sObject, the Salesforce fields that always sync: the engine keys, orders and links records on
    them, so Field settings show them switched on and read-only."""
    return required_fields()


def person_sobjects() -> tuple[str, ...]:
    """The sObjects a person is mirrored from (the outbox names a person's row by them)."""
    return registry_person_sobjects()


def pending_sync(model: type[models.Model]) -> Exists:
    """True for a row with a local edit waiting in the outbox: one correlated EXISTS on the outbox index,
    over the sObjects the model's rows are pushed as."""
    concrete = model._meta.concrete_model
    sobjects = [entry.sobject for entry in pushed().values() if entry.model is concrete]
    return Exists(
        OutboundChange.objects.filter(
            state=OutboundChange.State.PENDING, sobject__in=sobjects, local_id=OuterRef("pk")
        )
    )


def fields_editable_for(*, obj: models.Model, candidates: tuple[str, ...]) -> set[str]:
    """The fields a marketer may edit on a lead, contact, campaign or member: Salesforce's field-level
    security for the sync user decides (read-only, formula and system fields never are)."""
    return editable_fields(obj, candidates)


def fields_described_for(*, obj: models.Model, candidates: tuple[str, ...]) -> dict[str, FieldSetting]:
    """What Salesforce's describe says of each of `candidates` (model field names) on a lead, contact,
    campaign or member: the edit form validates with it. Fields not described yet are left out."""
    return described_fields(obj, candidates)


def unsent_changes_for(*, obj: models.Model) -> dict[str, OutboundChange]:
    """Salesforce field → the local edit Salesforce does not hold yet (pending) or refused (rejected)."""
    return unsent_changes(obj)


def salesforce_fields_for(*, obj: models.Model) -> dict[str, Any]:
    """A mirrored record's Salesforce fields by API name, from its columns and `sf_fields` (one place each):
    the fields that sync, and any other the mirror holds a value of (a field hidden since)."""
    entry = mirror_entry(obj)
    stored = obj.sf_fields or {}
    if entry is None:
        return dict(stored)
    synced = set(
        FieldSetting.objects.filter(sobject=entry.sobject, visible=True, sync_enabled=True).values_list(
            "api_name", flat=True
        )
    )
    return {
        name: value
        for name, value in record_fields(obj, entry.columns).items()
        if name in stored or name in synced or value not in (None, "", False)
    }
