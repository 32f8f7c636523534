"""The push: drain the outbox of local edits to Salesforce (leads, contacts, campaigns, campaign members)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syncapp.models import OutboundChange

if TYPE_CHECKING:
    from syncapp.sync.cycle import Cycle
    from syncapp.sync.schema import SyncSchema


def push_pending(*, cycle: Cycle, schema: SyncSchema) -> None:
    if not OutboundChange.objects.filter(state=OutboundChange.State.PENDING).exists():
        return
