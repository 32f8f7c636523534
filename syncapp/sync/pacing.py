"""When the next regular cycle is due, and when the schedule should next look: the pause between cycles.

The regular cycle starts when the pause since the last one ended has passed: the administrator's pause
(30 seconds to a week) while cycles are the only way changes arrive, the safety net's (e.g. 15 minutes)
while the change-event listener is live. Event cycles only pull what their events named: they do not move
the regular one. The schedule wakes at `next_check_at`, which the finishing cycle sets, so no tick has to
poll every minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from syncapp.models import ListenerState, SyncRun, SyncSettings
from syncapp.models.streaming import LIVE_WITHIN
from syncapp.models.sync_state import MAX_PAUSE_SECONDS, MIN_PAUSE_SECONDS
from syncapp.sync.cycle import EVENT_TRIGGER


def _pause(sync_settings: SyncSettings, *, live: bool) -> timedelta:
    # Clamped as well as validated: a value stored before the bounds existed must not break every date
    # computation. The safety net may be 0 (a cycle whenever the schedule looks, as tests use it).
    if live:
        seconds, low = (sync_settings.safety_net_minutes or 0) * 60, 0
    else:
        seconds, low = sync_settings.pause_seconds or 0, MIN_PAUSE_SECONDS
    return timedelta(seconds=min(max(seconds, low), MAX_PAUSE_SECONDS))


def last_regular_end() -> datetime | None:
    return (
        SyncRun.objects.exclude(finished_at=None)
        .exclude(trigger=EVENT_TRIGGER)
        .order_by("-started_at")  # indexed; cycles never overlap, so the newest started ended last
        .values_list("finished_at", flat=True)
        .first()
    )


def next_cycle_at(now: datetime | None = None) -> datetime | None:
    """When the next regular cycle is due (now at the earliest), None while the sync is off."""
    sync_settings = SyncSettings.load()
    if not sync_settings.enabled:
        return None
    now = now or timezone.now()
    last = last_regular_end()
    if last is None:
        return now
    live = sync_settings.streaming and ListenerState.load().is_live(now)
    return max(now, last + _pause(sync_settings, live=live))


def seconds_until_due(now: datetime | None = None) -> float | None:
    """Seconds until the next regular cycle is due (0 when it is), None while the sync is off."""
    now = now or timezone.now()
    due = next_cycle_at(now)
    return None if due is None else (due - now).total_seconds()


def cycle_is_due(now: datetime | None = None) -> bool:
    return seconds_until_due(now) == 0.0


def next_check_at(now: datetime | None = None) -> datetime | None:
    """When the schedule should look again: when the cycle falls due, or sooner if the listener may stop
    beating before then (nobody announces a killed listener; from then on the short pause applies)."""
    now = now or timezone.now()
    due = next_cycle_at(now)
    if due is None:
        return None
    sync_settings = SyncSettings.load()
    state = ListenerState.load()
    last = last_regular_end()
    if last is None or not (sync_settings.streaming and state.is_live(now)):
        return due
    short = last + _pause(sync_settings, live=False)
    return max(now, min(due, max(short, state.heartbeat_at + LIVE_WITHIN)))
