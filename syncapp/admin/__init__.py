"""Admin registrations: one module per area; this package sets the site's titles."""

from __future__ import annotations

from django.contrib import admin

admin.site.site_header = "syncapp · Salesforce sync"
admin.site.site_title = "syncapp"
admin.site.index_title = "Marketing data synced with Salesforce"

# Importing the modules registers their ModelAdmins on the default site.
from syncapp.admin import (  # noqa: E402
    activity,
    campaigns,
    crm,
    custom_objects,
    outbox,
    people,
    queue,
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
    "sync_config",
    "sync_state",
]
