"""Change Data Capture over the Streaming API: a small synchronous Bayeux (CometD long-polling) client.

Why our own client rather than one from PyPI (spec streaming §5): aiosfstream and aiocometd (2019) fail on
Python ≥ 3.10; their -ng forks are one-person renames with a reproduced reconnect bug (one failed request
ends the client), a hard-coded `/cometd/45.0` and token URL, and a token request on every
`403::Unknown client`; salesforce-streaming-client needs gevent monkey-patching and undeclared psycopg2.
All of them are async or greenlet-based, foreign to our synchronous Django processes, and aiosfstream's
replay fallback hides data loss. Salesforce's Bayeux subset is small and fully specified, so ~250 lines of
`requests` do it, over the same login, CA bundle and session as every other call (`auth.py`).

The caller owns the replay ids: it passes the stored ones in, handles each poll's events, stores their ids
after committing, and reads by delta the objects of the channels a poll reports in `gaps`: their replay id
left the 72-hour window, or a new session had no replay id to resume from (no event seen yet).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from syncapp.salesforce.auth import Credentials, Token, fetch_token, http_session
from syncapp.salesforce.errors import (
    AuthenticationError,
    LimitReachedError,
    SalesforceError,
    TransientError,
    UnreachableError,
)

log = logging.getLogger(__name__)

NEW_EVENTS = -1  # replay id: only what is published after subscribing
READ_MARGIN_S = 15.0  # on top of the server's advised long-poll timeout
INVALID_REPLAY = "400::The replayId"
DAILY_LIMIT = "Organization total events daily limit exceeded"
HANDSHAKE = {"channel": "/meta/handshake", "version": "1.0", "minimumVersion": "1.0",
             "supportedConnectionTypes": ["long-polling"], "ext": {"replay": True}}  # fmt: skip
CONNECT = {"channel": "/meta/connect", "connectionType": "long-polling"}


def channel_for(sobject: str) -> str:
    """`/data/LeadChangeEvent`; a custom object drops its `c`: `Invoice__c` → `/data/Invoice__ChangeEvent`."""
    base = sobject[:-1] if sobject.endswith("__c") else sobject
    return f"/data/{base}ChangeEvent"


@dataclass(frozen=True)
class ChangeEvent:
    """One change event as delivered; `record_ids` may list many records (merged) or none useful (gaps)."""

    channel: str
    replay_id: int
    entity: str
    change_type: str  # CREATE UPDATE DELETE UNDELETE GAP_CREATE … GAP_OVERFLOW
    record_ids: tuple[str, ...]
    commit_user: str
    committed_at: datetime | None
    changed_fields: tuple[str, ...]
    transaction_key: str
    payload: dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_gap(self) -> bool:
        return self.change_type.startswith("GAP_")

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> ChangeEvent:
        data = message.get("data") or {}
        payload = data.get("payload") or {}
        header = payload.get("ChangeEventHeader") or {}
        stamp = header.get("commitTimestamp")
        return cls(
            channel=str(message.get("channel", "")),
            replay_id=int((data.get("event") or {}).get("replayId", 0)),
            entity=str(header.get("entityName", "")),
            change_type=str(header.get("changeType", "")),
            record_ids=tuple(header.get("recordIds") or ()),
            commit_user=str(header.get("commitUser", "")),
            committed_at=datetime.fromtimestamp(stamp / 1000, tz=UTC)
            if isinstance(stamp, int | float)
            else None,
            changed_fields=tuple(header.get("changedFields") or ()),
            transaction_key=str(header.get("transactionKey", "")),
            payload=payload,
        )


@dataclass(frozen=True)
class Poll:
    """One long poll's outcome: events in delivery order, and channels where events may have been missed."""

    events: tuple[ChangeEvent, ...] = ()
    gaps: tuple[str, ...] = ()
    reconnected: bool = False  # a new session was handshaken (restart, eviction, token renewal)


class StreamingLimitError(LimitReachedError):
    """The org's daily change-event delivery allocation is spent: poll instead until tomorrow."""


class StreamingClient:
    """One CometD session subscribed to `replay` (channel → the replay id to resume after, or -1)."""

    def __init__(self, credentials: Credentials, replay: Mapping[str, int]) -> None:
        self.credentials = credentials
        self.replay: dict[str, int] = dict(replay)
        self.http = http_session(credentials)
        self.token: Token | None = None
        self.client_id: str | None = None
        self.timeout_ms = 110_000
        self.sessions = 0  # handshakes so far
        self._next_id = 0

    @property
    def url(self) -> str:
        assert self.token is not None
        return f"{self.token.instance_url.rstrip('/')}/cometd/{self.credentials.api_version}"

    @property
    def user_id(self) -> str:
        """The logged-in user's id (the identity URL's last part): our own writes carry it as commitUser."""
        if self.token is None:
            self.token = fetch_token(self.credentials, self.http)
        return self.token.identity_url.rstrip("/").rsplit("/", 1)[-1] if self.token.identity_url else ""

    @property
    def connected(self) -> bool:
        return self.client_id is not None

    # --- the wire -------------------------------------------------------------------------------------------

    def _post(self, messages: list[dict[str, Any]], *, read_timeout: float = 60.0) -> list[dict[str, Any]]:
        if self.token is None:
            self.token = fetch_token(self.credentials, self.http)
        batch = []
        for message in messages:
            self._next_id += 1
            batch.append({"id": str(self._next_id), **message})
            if self.client_id and message["channel"] != "/meta/handshake":
                batch[-1]["clientId"] = self.client_id
        try:
            response = self.http.post(
                self.url,
                json=batch,
                headers={"Authorization": f"Bearer {self.token.access_token}"},
                timeout=(10.0, read_timeout),
            )
        except requests.RequestException as exc:
            self.client_id = None  # the 40-second reconnect window is likely gone: handshake next time
            raise UnreachableError(
                f"Lost the streaming connection to Salesforce at {self.url}: {exc}"
            ) from exc
        if response.status_code >= 500:
            self.client_id = None
            raise TransientError(
                f"Salesforce streaming answered HTTP {response.status_code}", status=response.status_code
            )
        if response.status_code == 401:
            self.token = None
            raise TransientError("Salesforce refused the streaming session token", status=401)
        if response.status_code >= 400:
            raise SalesforceError(
                f"Salesforce refused the streaming request (HTTP {response.status_code}): "
                f"{response.text[:200]}",
                status=response.status_code,
            )
        replies = response.json()
        if not isinstance(replies, list):
            raise TransientError("Salesforce streaming answered something that is not a Bayeux message list")
        return replies

    # --- session --------------------------------------------------------------------------------------------

    def handshake(self) -> list[str]:
        """A new session subscribed to every channel; returns the channels whose replay id was refused."""
        self.client_id = None
        self.sessions += 1
        for attempt in (1, 2):
            [reply, *_] = self._post([HANDSHAKE])
            if reply.get("successful"):
                break
            reason = (reply.get("ext") or {}).get("sfdc", {}).get("failureReason") or reply.get("error")
            if attempt == 2:
                raise AuthenticationError(f"Salesforce refused the streaming handshake: {reason}")
            self.token = None  # an expired or revoked token shows here: log in again once
        self.client_id = str(reply["clientId"])
        return self._subscribe(list(self.replay))

    def _subscribe(self, channels: list[str]) -> list[str]:
        if not channels:
            return []
        messages = [
            {"channel": "/meta/subscribe", "subscription": ch, "ext": {"replay": {ch: self.replay[ch]}}}
            for ch in channels
        ]
        lost = []
        for reply in self._post(messages):
            if reply.get("channel") != "/meta/subscribe" or reply.get("successful"):
                continue
            channel, error = str(reply.get("subscription")), str(reply.get("error", ""))
            if not error.startswith(INVALID_REPLAY):
                raise SalesforceError(f"Salesforce refused the subscription to {channel}: {error}")
            # Events after the stored id are gone: the caller must resync; new events from now on.
            log.warning("replay id %s for %s is outside the replay window", self.replay.get(channel), channel)
            lost.append(channel)
        if lost:
            for channel in lost:
                self.replay[channel] = NEW_EVENTS
            retry = self._subscribe(lost)
            if retry:
                raise SalesforceError(f"Salesforce refused new-event subscriptions to {', '.join(retry)}")
        return lost

    def start(self) -> Poll:
        """Handshake, subscribe and the first connect (answered at once with the server's advice)."""
        # A later session resuming with -1 never saw an event: what was published meanwhile is unknowable.
        blind = (
            [ch for ch, replay_id in self.replay.items() if replay_id == NEW_EVENTS] if self.sessions else []
        )
        lost = self.handshake()
        for reply in self._post([CONNECT]):
            if reply.get("channel") == "/meta/connect":
                self._advice(reply)
        return Poll((), tuple(dict.fromkeys([*blind, *lost])), reconnected=True)

    def poll(self) -> Poll:
        """One long poll, after a new session when there is none; returns the events that were due."""
        started = self.start() if self.client_id is None else Poll()
        if self.client_id is None:
            return started
        replies = self._post([CONNECT], read_timeout=self.timeout_ms / 1000 + READ_MARGIN_S)
        events = []
        for message in replies:
            if message.get("channel") == "/meta/connect":
                self._advice(message)
            elif "data" in message:
                event = ChangeEvent.from_message(message)
                events.append(event)
                self.replay[event.channel] = max(self.replay.get(event.channel, NEW_EVENTS), event.replay_id)
        return Poll(tuple(events), started.gaps, started.reconnected)

    def _advice(self, reply: Mapping[str, Any]) -> None:
        advice = reply.get("advice") or {}
        if isinstance(advice.get("timeout"), int):
            self.timeout_ms = advice["timeout"]
        if reply.get("successful"):
            return
        error = str(reply.get("error", ""))
        self.client_id = None  # every failed connect ends this session; the next poll handshakes
        if DAILY_LIMIT in error:
            raise StreamingLimitError(
                "Salesforce's daily change-event delivery allocation is used up; changes arrive by the "
                "regular sync until it renews",
                code="DailyDeliveredPlatformEvents",
            )
        if error.startswith("401"):
            self.token = None  # revoked while connected: log in again before the next handshake
        log.info("streaming session ended (%s); a new one follows", error or "no reason given")

    def close(self) -> None:
        """Leave politely: the server releases the session at once instead of after 40 seconds."""
        if self.client_id is not None:
            with contextlib.suppress(SalesforceError):
                self._post([{"channel": "/meta/disconnect"}], read_timeout=5.0)
            self.client_id = None
        self.http.close()
