"""Bayeux clients of one org: handshaken sessions, their subscriptions and delivery cursors, the long poll.

Spec streaming §1.2: a parked `/meta/connect` is answered when events are due or after the connect timeout
(110 s, settable for tests); a client that does not reconnect within 40 s of a reply is forgotten, as is every
client when the org resets or the control API says so (`403::Unknown client` then, the routine re-handshake
path). A second connect of the same client releases the one already parked.
"""

from __future__ import annotations

import secrets
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sfdc_emulator.org.events import StoredEvent

if TYPE_CHECKING:
    from sfdc_emulator.org.org import Org

CONNECT_TIMEOUT_MS = 110_000
RECONNECT_WINDOW_MS = 40_000
MAX_EVENTS_PER_REPLY = 1000
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Subscription:
    channel: str
    entities: frozenset[str] | None  # None: /data/ChangeEvents, every selected entity
    cursor: int  # the last replay id delivered (or the replay id subscribed from)


@dataclass
class Client:
    id: str
    user_id: str
    token: str
    epoch: int
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.time)
    connected: bool = False  # answered its first /meta/connect
    parked: int = 0  # connects waiting now
    generation: int = 0  # bumped by every connect: a newer one releases an older
    delivered: int = 0


class Clients:
    """The handshaken clients of one org."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.lock = threading.Lock()
        self._clients: dict[str, Client] = {}

    def setting(self, name: str, default: int) -> int:
        return int(self.org.store.get_setting(name, default))  # type: ignore[arg-type]

    def create(self, user_id: str, token: str) -> Client:
        client_id = "".join(secrets.choice(_ALPHABET) for _ in range(27))
        client = Client(client_id, user_id, token, self.org.events.epoch)
        with self.lock:
            self._clients[client_id] = client
        return client

    def get(self, client_id: object) -> Client | None:
        """The live client, or None when unknown, from before a reset, or silent past the 40 s window."""
        window = self.setting("cometd_reconnect_window_ms", RECONNECT_WINDOW_MS) / 1000
        with self.lock:
            client = self._clients.get(str(client_id))
            if client is None:
                return None
            stale = client.parked == 0 and time.time() - client.last_seen > window
            if client.epoch != self.org.events.epoch or stale:
                del self._clients[client.id]
                return None
            return client

    def remove(self, client_id: str) -> None:
        with self.lock:
            self._clients.pop(client_id, None)
        self.org.events.wake()

    def _prune(self) -> None:
        """Drop the clients of an earlier epoch (before the last reset); call with the lock held."""
        epoch = self.org.events.epoch
        for client_id in [c.id for c in self._clients.values() if c.epoch != epoch]:
            del self._clients[client_id]

    def forget_all(self) -> int:
        with self.lock:
            self._prune()
            count = len(self._clients)
            self._clients.clear()
        self.org.events.wake()
        return count

    def describe(self) -> list[dict[str, object]]:
        with self.lock:
            self._prune()
            clients = list(self._clients.values())
        return [
            {
                "client_id": c.id,
                "user_id": c.user_id,
                "parked": c.parked > 0,
                "delivered": c.delivered,
                "subscriptions": {s.channel: s.cursor for s in c.subscriptions.values()},
            }
            for c in clients
        ]

    # --- the long poll --------------------------------------------------------------------------------------

    def collect(self, client: Client) -> list[tuple[str, StoredEvent]]:
        """Due events of every subscription, oldest first; moves each subscription's cursor past them."""
        events = self.org.events
        out: list[tuple[str, StoredEvent]] = []
        for sub in list(client.subscriptions.values()):
            if sub.entities is not None and not sub.entities:
                continue
            found, _ = events.read(sub.entities, sub.cursor, MAX_EVENTS_PER_REPLY - len(out))
            for event in found:
                out.append((sub.channel, event))
                sub.cursor = event.replay_id
            if len(out) >= MAX_EVENTS_PER_REPLY:
                break
        out.sort(key=lambda pair: pair[1].replay_id)
        return out

    def next_due(self, client: Client) -> float | None:
        """The wall time the earliest held-back (delayed) event of the client becomes due."""
        dues = [self.org.events.read(s.entities, s.cursor, 1)[1] for s in client.subscriptions.values()]
        return min((d for d in dues if d is not None), default=None)

    def wait(self, client: Client, timeout_ms: int) -> list[tuple[str, StoredEvent]]:
        """Park until events are due for `client`, it is superseded or gone, or `timeout_ms` passes."""
        events = self.org.events
        deadline = time.time() + timeout_ms / 1000
        with self.lock:
            client.generation += 1
            generation = client.generation
            client.parked += 1
        try:
            while True:
                with events.cond:
                    version = events.version
                found = self.collect(client)
                gone = client.generation != generation or self.get(client.id) is None
                now = time.time()
                if found or gone or now >= deadline:
                    return found
                due = self.next_due(client)
                until = min(deadline, due) if due is not None else deadline
                with events.cond:
                    if events.version == version:
                        events.cond.wait(max(0.0, until - now))
        finally:
            with self.lock:
                client.parked -= 1
                client.last_seen = time.time()


_REGISTRY: weakref.WeakKeyDictionary[Org, Clients] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def clients_of(org: Org) -> Clients:
    with _REGISTRY_LOCK:
        clients = _REGISTRY.get(org)
        if clients is None:
            clients = _REGISTRY[org] = Clients(org)
        return clients
