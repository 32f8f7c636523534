"""Change Data Capture state: per channel its replay id and dirty mark; the listener's status."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from syncapp.models.base import Singleton

# The listener beats at least once per long poll (Salesforce answers a parked connect within 110 s).
LIVE_WITHIN = timedelta(seconds=180)


class StreamChannel(models.Model):
    """A synced sObject's change-event channel: where the listener resumes, and whether a pull is owed."""

    sobject = models.CharField(max_length=80, unique=True)
    channel = models.CharField(max_length=120, unique=True)
    # The last replay id whose events were handled (stored after they were); null: none seen yet.
    replay_id = models.BigIntegerField(null=True, blank=True)
    # Set by an event (or a gap) and cleared when a cycle takes the object: the object owes a delta read.
    dirty_since = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # In the org's Change Data Capture selection (Setup; 5 entities without the add-on)? Only selected
    # objects publish events; the others reach the mirror with the safety-net cycle. None: not known (the
    # sync user may not read the selection), so the listener subscribes and hopes.
    published = models.BooleanField(
        null=True,
        blank=True,
        help_text="Selected for change events in Salesforce (Setup → Change Data Capture).",
    )

    class Meta:
        ordering = ["sobject"]

    def __str__(self) -> str:
        return self.channel


class ListenerState(Singleton, models.Model):
    """The singleton the listener writes and the dashboard reads."""

    connected = models.BooleanField(default=False)
    connected_since = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The listener's last sign of life.")
    last_event_at = models.DateTimeField(null=True, blank=True)
    day = models.DateField(null=True, blank=True)
    events_today = models.PositiveIntegerField(default=0, help_text="Change events from other users today.")
    own_events_today = models.PositiveIntegerField(
        default=0, help_text="Our own writes coming back: ignored."
    )
    gaps_today = models.PositiveIntegerField(default=0, help_text="Gap events and lost replay windows today.")
    caught_by_safety_net = models.PositiveIntegerField(
        default=0,
        help_text="Changes no event announced, found by a safety-net cycle since the listener started.",
    )
    event_cycles_today = models.PositiveIntegerField(default=0)
    # The org's streaming allocation from /limits (read hourly by the listener: one API call).
    allocation = models.JSONField(default=dict, blank=True)
    allocation_at = models.DateTimeField(null=True, blank=True)
    # When the org's Change Data Capture selection was last read (hourly too; it decides the subscriptions).
    selection_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "change-event listener"

    def __str__(self) -> str:
        return "Change-event listener"

    def is_live(self, now=None) -> bool:
        """Connected, with a heartbeat fresh enough that the listener process is still there."""
        now = now or timezone.now()
        return bool(self.connected and self.heartbeat_at and now - self.heartbeat_at <= LIVE_WITHIN)

    def roll_day(self) -> None:
        """Counters are per day (the org's allocation is too)."""
        today = timezone.localdate()
        if self.day != today:
            self.day = today
            self.events_today = self.own_events_today = self.gaps_today = self.event_cycles_today = 0
