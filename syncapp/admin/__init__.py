"""Admin registrations: one module per area (the site itself, with its dashboard, is syncapp.sites)."""

from __future__ import annotations

# Importing the modules registers their ModelAdmins on the default site (syncapp.sites.SyncAdminSite).
from syncapp.admin import (
    activity,
    campaigns,
    crm,
    custom_objects,
    outbox,
    people,
    queue,
    streaming,
    sync_config,
    sync_state,
)

__all__ = [
    "activity",
    "campaigns",
    "crm",
    "custom_objects",
    "outbox",
    "people",
    "queue",
    "streaming",
    "sync_config",
    "sync_state",
]
