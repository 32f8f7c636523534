"""The change-event listener (`manage.py listen`): events mark objects dirty; a cycle pulls them at once.

Change Data Capture is a hint, never the source of truth (Heroku Connect's "accelerated polling", spec
streaming §2.8): an event does not write the mirror. It marks its object dirty, and a cycle limited to the
dirty objects starts at once under the same lease as every cycle, so the mirror keeps one write path with
its guarantees. Events that arrive during a cycle are coalesced into the next. Our own writes (the push,
flow actions) come back with the sync user as commitUser and are ignored. Replay ids are stored per channel
after the events are handled, so a restarted listener resumes where it stopped; a lost replay window, a gap
event or a session that could not resume marks the object dirty, and the delta read catches up. Only the
objects the org selects for change events are subscribed (sync/channels.py); the selection is read again
hourly, and a changed one gets a new session.

Two threads: the main one long-polls Salesforce; the runner runs event cycles, so a long cycle never keeps
the CometD session from reconnecting within Salesforce's 40 seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from syncapp.models import ListenerState, StreamChannel, SyncStep
from syncapp.salesforce.auth import Credentials
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import ConfigurationError, LimitReachedError, SalesforceError
from syncapp.salesforce.streaming import NEW_EVENTS, Poll, StreamingClient
from syncapp.sync import cycle
from syncapp.sync.channels import (
    channels_ensure,
    mark_dirty,
    selection_refresh,
    streamed_objects,
    subscribed,
)

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (1, 2, 5, 10, 30)
LIMIT_PAUSE_SECONDS = 600
STOP_GRACE_SECONDS = 2.0
CYCLE_GRACE_SECONDS = 60.0
RUNNER_TICK_SECONDS = 1.0  # a dirty object waiting for the lease is retried this often
ALLOCATION_EVERY = timedelta(hours=1)  # /limits costs one API call: 24 a day; the CDC selection as many
ALLOCATION_KEYS = ("DailyDeliveredPlatformEvents", "DailyStreamingApiEvents")


def changes_pull() -> cycle.CycleResult | None:
    """Take the dirty objects and run a cycle for them; give them back if another cycle holds the lease."""
    dirty = dict(StreamChannel.objects.exclude(dirty_since=None).values_list("sobject", "dirty_since"))
    if not dirty:
        return None
    StreamChannel.objects.filter(sobject__in=dirty, dirty_since__lte=max(dirty.values())).update(
        dirty_since=None
    )
    result = cycle.run_cycle(trigger=cycle.EVENT_TRIGGER, objects=frozenset(dirty))
    if result.run is None:
        for sobject, since in dirty.items():  # the cycle never ran: the objects still owe their read
            StreamChannel.objects.filter(sobject=sobject, dirty_since=None).update(dirty_since=since)
    else:
        state = ListenerState.ensure()
        state.roll_day()
        state.event_cycles_today += 1
        state.save(
            update_fields=["day", "events_today", "own_events_today", "gaps_today", "event_cycles_today"]
        )
    return result


class Listener:
    """Runs until `stop` is set; `client_factory` builds the Bayeux client from the stored replay ids."""

    def __init__(
        self,
        *,
        stop: threading.Event,
        client_factory: Callable[[dict[str, int]], StreamingClient] | None = None,
    ) -> None:
        self.stop = stop
        self.wake = threading.Event()
        self.client_factory = client_factory or (
            lambda replay: StreamingClient(Credentials.from_settings(), replay)
        )
        self.entity_of: dict[str, str] = {}

    def run(self) -> None:
        client = self._session(self._channels())
        runner = threading.Thread(target=self._run_cycles, name="event-cycles", daemon=True)
        poller = threading.Thread(target=self._poll, args=(client,), name="bayeux", daemon=True)
        runner.start()
        poller.start()
        self.wake.set()
        while not self.stop.wait(1.0):  # a timed wait: signal handlers run in this thread meanwhile
            pass
        self.wake.set()
        # A parked long poll may take up to 110 s to answer: it is abandoned (its events, not stored as
        # handled, come again next time). An event cycle under way is let finish, so its lease is released.
        poller.join(timeout=STOP_GRACE_SECONDS)
        runner.join(timeout=CYCLE_GRACE_SECONDS)
        self._disconnected("")

    def _channels(self) -> list[StreamChannel]:
        """The channels to subscribe to, after reading the org's selection (kept as it was if that fails)."""
        channels = channels_ensure()
        try:
            selection_refresh(connect())
        except SalesforceError as exc:
            log.warning("could not log in to read the change-event selection: %s", exc.message)
        return subscribed(StreamChannel.objects.filter(pk__in=[c.pk for c in channels]))

    def _session(self, channels: list[StreamChannel]) -> StreamingClient:
        self.entity_of = {c.channel: c.sobject for c in channels}
        # Nothing stored yet: what changed before this first session is for a delta read to find.
        mark_dirty(c.sobject for c in channels if c.replay_id is None)
        return self.client_factory(
            {c.channel: c.replay_id if c.replay_id is not None else NEW_EVENTS for c in channels}
        )

    def _resubscribe_if_changed(self, client: StreamingClient) -> StreamingClient:
        """Hourly: an object selected or deselected in the org, or a custom object enabled in the admin, gets
        a new session subscribed to the new set (resuming every channel from its stored replay id)."""
        state = ListenerState.load()
        if state.selection_at and timezone.now() - state.selection_at < ALLOCATION_EVERY:
            return client
        channels = self._channels()
        if {c.channel for c in channels} == set(self.entity_of):
            return client
        client.close()
        return self._session(channels)

    def _poll(self, client: StreamingClient) -> None:
        failures = 0
        try:
            while not self.stop.is_set():
                try:
                    poll = client.poll()
                except LimitReachedError as exc:
                    self._disconnected(exc.message)
                    self.stop.wait(LIMIT_PAUSE_SECONDS)
                    continue
                except ConfigurationError as exc:
                    self._disconnected(exc.message)
                    self.stop.wait(BACKOFF_SECONDS[-1])
                    continue
                except SalesforceError as exc:
                    self._disconnected(exc.message)
                    self.stop.wait(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                    failures += 1
                    continue
                if self.stop.is_set():
                    break  # stopping: these events are not marked handled and come again next time
                failures = 0
                self.handle(poll, sync_user=client.user_id)
                self.allocation_refresh()
                client = self._resubscribe_if_changed(client)
            client.close()
        except Exception:
            log.exception("The change-event listener stopped on an unexpected error")
            raise
        finally:
            close_old_connections()
            self.stop.set()

    def handle(self, poll: Poll, *, sync_user: str) -> None:
        """Mark the objects the events name dirty and store the replay ids, in one transaction."""
        now = timezone.now()
        dirty: set[str] = {self.entity_of[ch] for ch in poll.gaps if ch in self.entity_of}
        theirs = own = gaps = 0
        last: dict[str, int] = {}
        for event in poll.events:
            last[event.channel] = max(last.get(event.channel, 0), event.replay_id)
            sobject = self.entity_of.get(event.channel)
            if event.is_gap:
                gaps += 1
            elif event.commit_user == sync_user:
                own += 1  # our own push or flow action coming back: the mirror already has it
                continue
            else:
                theirs += 1
            if sobject:
                dirty.add(sobject)
        with transaction.atomic():
            if dirty:
                mark_dirty(dirty)
            for channel, replay_id in last.items():
                StreamChannel.objects.filter(channel=channel).update(replay_id=replay_id, last_event_at=now)
            state = ListenerState.ensure()
            state.roll_day()
            if not state.connected:
                state.connected_since = now
            state.connected, state.heartbeat_at, state.last_error = True, now, ""
            state.events_today += theirs
            state.own_events_today += own
            state.gaps_today += gaps + len(poll.gaps)
            if theirs or gaps:
                state.last_event_at = now
            state.save()
        if dirty:
            self.wake.set()

    def allocation_refresh(self) -> None:
        """The org's change-event delivery allocation for the dashboard, read at most once an hour."""
        state = ListenerState.load()
        if state.allocation_at and timezone.now() - state.allocation_at < ALLOCATION_EVERY:
            return
        try:
            limits = connect().limits()
        except SalesforceError as exc:
            log.warning("could not read the org's streaming allocation: %s", exc.message)
            return
        allocation = {key: limits[key] for key in ALLOCATION_KEYS if key in limits}
        ListenerState.objects.filter(pk=state.pk).update(allocation=allocation, allocation_at=timezone.now())

    def _disconnected(self, error: str) -> None:
        if error:
            log.warning("change-event listener disconnected: %s", error)
        ListenerState.objects.filter(pk=ListenerState.ensure().pk).update(
            connected=False, last_error=error, heartbeat_at=timezone.now()
        )

    def _run_cycles(self) -> None:
        try:
            while not self.stop.is_set():
                self.wake.wait(RUNNER_TICK_SECONDS)
                self.wake.clear()
                if self.stop.is_set():
                    break
                try:
                    changes_pull()
                except Exception:  # one failed cycle must not end the listener; the next event retries
                    log.exception("An event cycle failed")
        finally:
            close_old_connections()


def safety_net_count(run_id: int) -> int:
    """Count the changes a safety-net cycle found in streamed objects while the listener was live."""
    steps = SyncStep.objects.filter(
        run_id=run_id, operation=SyncStep.Operation.PULL_UPDATES, sobject__in=streamed_objects()
    )
    found = sum(s.created + s.updated + s.deleted for s in steps)
    if found:
        ListenerState.objects.filter(pk=ListenerState.ensure().pk).update(
            caught_by_safety_net=F("caught_by_safety_net") + found
        )
    return found
