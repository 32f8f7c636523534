"""Reads the admin and the commands share: what they show about the sync, computed in one place."""

from __future__ import annotations

from syncapp.sync.schema import required_fields


def fields_the_sync_needs() -> dict[str, frozenset[str]]:
    """Per sObject, the Salesforce fields that always sync: the engine keys, orders and links records on
    them, so Field settings show them switched on and read-only."""
    return required_fields()
