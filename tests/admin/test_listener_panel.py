"""The dashboard's change-event panel: connected or not, last event, events today, the org's allocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from syncapp.models import ListenerState, StreamChannel, SyncRun, SyncSettings
from syncapp.selectors.dashboard import current_cycle
from tests import factories as f

pytestmark = pytest.mark.django_db


def _panel(admin_client) -> str:
    page = admin_client.get("/admin/").content.decode()
    start = page.index('id="sync-listener"')
    return page[start : page.find("</section>", start)]


def test_a_live_listener_shows_connected_its_counts_and_the_orgs_delivery_allocation(admin_client):
    now = timezone.now()
    ListenerState.objects.create(
        pk=1, connected=True, connected_since=now - timedelta(hours=2), heartbeat_at=now, last_event_at=now,
        day=timezone.localdate(), events_today=42, own_events_today=7, gaps_today=1, caught_by_safety_net=3,
        event_cycles_today=40,
        allocation={"DailyDeliveredPlatformEvents": {"Max": 25000, "Remaining": 24958},
                    "DailyStreamingApiEvents": {"Max": 200000, "Remaining": 200000}},
        allocation_at=now,
    )  # fmt: skip
    panel = _panel(admin_client)
    assert "Connected" in panel
    assert "42 from Salesforce users" in panel
    assert "7 of our own writes, ignored" in panel
    assert "3 <span" in panel  # changes the safety net caught
    assert "42 of 25,000 deliveries used today" in panel


def test_a_silent_listener_reads_as_not_connected_and_says_how_to_start_it(admin_client):
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=timezone.now() - timedelta(minutes=10))
    panel = _panel(admin_client)
    assert "Not connected" in panel
    assert "manage.py listen" in panel


def test_with_the_listener_live_the_next_regular_cycle_is_the_safety_nets(admin_client):
    now = timezone.now()
    SyncSettings.objects.create(pk=1, pause_seconds=300, safety_net_minutes=15)
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=now, finished_at=now, trigger="schedule")
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=now, finished_at=now, trigger="event")
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=now)
    assert current_cycle(now=now).next_cycle_at == now + timedelta(minutes=15)
    ListenerState.objects.filter(pk=1).update(connected=False)
    assert current_cycle(now=now).next_cycle_at == now + timedelta(minutes=5)


def test_the_panel_names_the_synced_objects_the_orgs_selection_leaves_on_the_safety_net(admin_client):
    SyncSettings.objects.create(pk=1, safety_net_minutes=15)
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=timezone.now())
    for sobject, chosen in (("Lead", True), ("Contact", True), ("Task", False), ("Opportunity", False)):
        StreamChannel.objects.create(sobject=sobject, channel=f"/data/{sobject}ChangeEvent", published=chosen)
    StreamChannel.objects.create(sobject="Retired__c", channel="/data/Retired__ChangeEvent", published=False)

    panel = _panel(admin_client)

    assert "On the safety net only" in panel
    assert "<strong>Opportunity, Task</strong>" in panel  # no longer synced objects are not listed
    assert "which publishes Contact, Lead" in panel
    assert "every 15 min" in panel


def test_with_every_synced_object_selected_nothing_is_said_about_the_safety_net(admin_client):
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=timezone.now())
    StreamChannel.objects.create(sobject="Lead", channel="/data/LeadChangeEvent", published=True)

    assert "On the safety net only" not in _panel(admin_client)
