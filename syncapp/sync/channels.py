"""The change-event channels of the synced objects: which exist, which the org publishes, which owe a read.

Salesforce publishes change events only for the entities selected in Setup → Change Data Capture (5 without
the add-on), whatever a client subscribes to. The listener reads that selection (Tooling API, one call an
hour) and subscribes to the selected channels only; the other synced objects reach the mirror with the
safety-net cycle, and the dashboard names them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from syncapp.models import CustomObjectType, ListenerState, StreamChannel
from syncapp.salesforce.client import SalesforceClient
from syncapp.salesforce.errors import SalesforceError
from syncapp.salesforce.streaming import channel_for
from syncapp.sync.registry import registry

log = logging.getLogger(__name__)

NOT_STREAMED = {"Group", "CampaignMemberStatus"}  # no change events in Salesforce for these


def streamed_objects() -> list[str]:
    """Every synced object that has change events, the custom objects enabled in the admin included."""
    custom = CustomObjectType.objects.filter(enabled=True).values_list("api_name", flat=True)
    return [e.sobject for e in registry(list(custom)) if e.sobject not in NOT_STREAMED]


def channels_ensure() -> list[StreamChannel]:
    """One row per streamed object (rows of objects no longer synced stay, unused)."""
    names = streamed_objects()
    for name in names:
        StreamChannel.objects.get_or_create(sobject=name, defaults={"channel": channel_for(name)})
    return list(StreamChannel.objects.filter(sobject__in=names))


def subscribed(channels: Iterable[StreamChannel]) -> list[StreamChannel]:
    """The channels worth a subscription: published, or not known not to be."""
    return [c for c in channels if c.published is not False]


def selection_refresh(client: SalesforceClient) -> frozenset[str] | None:
    """Read the org's selection and mark each streamed object published or not; None if it cannot be read
    (then every channel counts as published: subscribing to an unselected one only delivers nothing)."""
    names = streamed_objects()
    try:
        selected = client.change_event_selection()
    except SalesforceError as exc:
        log.warning("Could not read the org's Change Data Capture selection: %s", exc.message)
        StreamChannel.objects.filter(sobject__in=names).update(published=None)
        selected = None
    else:
        with transaction.atomic():  # the dashboard never sees a half-written selection
            StreamChannel.objects.filter(sobject__in=names).exclude(sobject__in=selected).update(
                published=False
            )
            chosen = [name for name in names if name in selected]
            StreamChannel.objects.filter(sobject__in=chosen).update(published=True)
    ListenerState.objects.filter(pk=ListenerState.ensure().pk).update(selection_at=timezone.now())
    return selected


def mark_dirty(sobjects: Iterable[str]) -> int:
    """The objects owe a delta read; an earlier mark keeps its time."""
    return StreamChannel.objects.filter(sobject__in=list(sobjects), dirty_since=None).update(
        dirty_since=timezone.now()
    )
