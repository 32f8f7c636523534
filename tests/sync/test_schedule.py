"""When the next regular cycle is due: the pause, or the safety net's while the listener is live."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from syncapp.models import ListenerState, SyncRun, SyncSettings
from syncapp.sync.pacing import cycle_is_due, seconds_until_due
from tests import factories as f

pytestmark = pytest.mark.django_db


def finished(trigger: str, at) -> SyncRun:
    return f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=at, finished_at=at, trigger=trigger)


def test_with_the_listener_live_the_safety_net_pause_applies_and_event_cycles_do_not_postpone_it():
    now = timezone.now()
    SyncSettings.objects.create(pk=1, pause_seconds=60, safety_net_minutes=15)
    finished("schedule", now)
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        ListenerState.objects.create(pk=1, connected=True, heartbeat_at=timezone.now())
        finished("event", timezone.now())
        assert not cycle_is_due()
        assert seconds_until_due() == pytest.approx(600)
    with time_machine.travel(now + timedelta(minutes=16), tick=False):
        ListenerState.objects.filter(pk=1).update(heartbeat_at=timezone.now())
        assert cycle_is_due()


def test_a_listener_that_stopped_beating_brings_the_short_pause_back():
    now = timezone.now()
    SyncSettings.objects.create(pk=1, pause_seconds=60, safety_net_minutes=15)
    finished("schedule", now)
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=now)
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        assert cycle_is_due()
