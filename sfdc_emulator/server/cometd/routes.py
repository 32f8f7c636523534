"""The Streaming API endpoint `POST /cometd/<version>`: Bayeux 1.0 long-polling with Salesforce's replay ext.

Wire rules (spec streaming §1, §8): bodies are JSON arrays both ways (a bare object is HTTP 400), one POST may
carry several messages (a connect with the re-subscribes), every reply echoes `id` and says `successful`,
`advice.interval` is 0, the replay-id error keeps Salesforce's exact text. Auth is `Authorization: Bearer`
(or `OAuth`) on every POST; Bayeux failures are HTTP 200 with `error`. Not counted as API requests.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from sfdc_emulator.org import event_payload
from sfdc_emulator.org.events import NOT_CDC
from sfdc_emulator.server.cometd.sessions import (
    CONNECT_TIMEOUT_MS,
    Client,
    Clients,
    Subscription,
    clients_of,
)
from sfdc_emulator.server.http import Ctx, Response, bearer_token, json_response, route

MAX_REQUEST_BYTES = 32_768
OLDEST_VERSION = 37.0
INVALID_REPLAY = (
    "400::The replayId {{{0}}} you provided was invalid.  Please provide a valid ID, -2 to replay all "
    "events, or -1 to replay only new events."
)


def _reply(message: dict, **fields: object) -> dict:
    out: dict[str, object] = {"channel": message.get("channel")}
    if "id" in message:
        out["id"] = message["id"]
    out.update(fields)
    return out


def _messages(ctx: Ctx) -> list[dict] | Response:
    raw = ctx.request.body
    if "x-www-form-urlencoded" in (ctx.request.header("content-type") or ""):
        raw = (parse_qs(raw.decode(errors="replace")).get("message") or [""])[0].encode()
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return Response(400, [{"successful": False, "error": "400::Invalid JSON"}])
    if not isinstance(data, list) or not all(isinstance(m, dict) for m in data):
        return Response(400, [{"successful": False, "error": "400::Message must be a JSON array"}])
    return data


@route("POST", r"/cometd/(?P<version>[^/]*)", auth="none", counts=False)
def cometd(ctx: Ctx, version: str) -> Response:
    try:
        number = float(version)
    except ValueError:
        return Response(400, [{"error": "API version in the URI is mandatory. URI format: '/cometd/62.0'"}])
    if number < OLDEST_VERSION:
        message = "Unsupported API version. Only API versions '37.0' and later are supported."
        return Response(400, [{"error": message}])
    if len(ctx.request.body) > MAX_REQUEST_BYTES:
        return Response(413, [{"error": "413::Maximum Request Size Exceeded"}])
    messages = _messages(ctx)
    if isinstance(messages, Response):
        return messages
    clients = clients_of(ctx.org)
    replies: list[dict] = []
    events: list[dict] = []
    headers: dict[str, str] = {}
    connect: tuple[int, dict] | None = None
    for message in messages:
        channel = message.get("channel")
        if channel == "/meta/connect" and connect is None:
            connect = (len(replies), message)  # after the others: the re-subscribes ride with it
            replies.append({})
        elif channel == "/meta/handshake":
            replies.append(_handshake(ctx, clients, message, headers))
        elif channel in ("/meta/subscribe", "/meta/unsubscribe", "/meta/disconnect"):
            replies.append(_session_message(ctx, clients, message))
        else:
            replies.append(_reply(message, successful=False, error="403::Publish denied"))
    if connect is not None:
        index, message = connect
        events, replies[index] = _connect(ctx, clients, message)
    return json_response(events + replies, headers=headers)


def _handshake(ctx: Ctx, clients: Clients, message: dict, headers: dict[str, str]) -> dict:
    token = bearer_token(ctx.request)
    if not token:
        return _denied(message, "401::Request requires authentication")
    session = ctx.org.auth.validate(token)
    if session is None:
        return _denied(message, "401::Authentication invalid")
    client = clients.create(session.user_id, token)
    headers["Set-Cookie"] = f"BAYEUX_BROWSER={client.id[:12]}; Path=/cometd; Secure; HttpOnly"
    return _reply(
        message,
        successful=True,
        version="1.0",
        minimumVersion="1.0",
        clientId=client.id,
        supportedConnectionTypes=["long-polling"],
        ext={"replay": True, "payload.format": True},
    )


def _denied(message: dict, reason: str) -> dict:
    return _reply(
        message,
        successful=False,
        error="403::Handshake denied",
        advice={"reconnect": "none"},
        ext={"sfdc": {"failureReason": reason}},
    )


def _unknown(message: dict) -> dict:
    advice = {"reconnect": "handshake", "interval": 0}
    return _reply(
        message,
        clientId=message.get("clientId"),
        successful=False,
        error="403::Unknown client",
        advice=advice,
    )


def _session_message(ctx: Ctx, clients: Clients, message: dict) -> dict:
    client = clients.get(message.get("clientId"))
    if client is None:
        return _unknown(message)
    channel = message["channel"]
    if channel == "/meta/disconnect":
        clients.remove(client.id)
        return _reply(message, successful=True)
    subscription = message.get("subscription")
    base = {"clientId": client.id, "subscription": subscription}
    if channel == "/meta/unsubscribe":
        client.subscriptions.pop(str(subscription), None)
        return _reply(message, **base, successful=True)
    error = _subscribe(ctx, client, subscription, message.get("ext"))
    if error:
        return _reply(message, **base, successful=False, error=error)
    return _reply(message, **base, successful=True)


def _subscribe(ctx: Ctx, client: Client, subscription: object, ext: object) -> str | None:
    if not subscription:
        return "400::Channel name not specified"
    channel = str(subscription)
    if not channel.startswith("/"):
        return "400::Channel subscriptions must start with a leading '/'"
    events = ctx.org.events
    if channel == "/data/ChangeEvents":
        entities = None
    else:
        entity = event_payload.entity_of(channel)
        obj = ctx.org.schema.get_object(entity) if entity else None
        if obj is None or obj.name in NOT_CDC or event_payload.channel_of(obj.name) != channel:
            return f"400::The channel you requested to subscribe to doesn't exist {channel}"
        entities = frozenset({obj.name})
    replay = ext.get("replay", {}) if isinstance(ext, dict) else {}
    try:
        replay_id = int(replay.get(channel, -1)) if isinstance(replay, dict) else -1
    except (TypeError, ValueError):
        replay_id = 0
    if not events.replay_valid(replay_id):
        return INVALID_REPLAY.format(replay_id)
    client.subscriptions[channel] = Subscription(channel, entities, events.start_of(replay_id))
    return None


def _connect(ctx: Ctx, clients: Clients, message: dict) -> tuple[list[dict], dict]:
    client = clients.get(message.get("clientId"))
    if client is None:
        return [], _unknown(message)
    if ctx.org.auth.validate(client.token) is None:  # revoked while connected (spec §1.6)
        clients.remove(client.id)
        advice = {"reconnect": "none", "interval": 0}
        return [], _reply(
            message, clientId=client.id, successful=False, error="401::Authentication invalid", advice=advice
        )
    timeout = clients.setting("cometd_connect_timeout_ms", CONNECT_TIMEOUT_MS)
    advice = {"reconnect": "retry", "interval": 0, "timeout": timeout}
    ok = _reply(message, clientId=client.id, successful=True, advice=advice)
    asked = message.get("advice") if isinstance(message.get("advice"), dict) else {}
    if not client.connected or asked.get("timeout") == 0:
        client.connected = True
        return [], ok
    used, limit = ctx.org.events.delivery()
    if used >= limit:
        error = "403::Organization total events daily limit exceeded"
        return [], _reply(
            message, clientId=client.id, successful=False, error=error, advice={"reconnect": "none"}
        )
    found = clients.wait(client, timeout)
    if found:
        client.delivered += len(found)
        ctx.org.events.count_delivered(len(found))
    return [{"channel": channel, "data": event.data} for channel, event in found], ok
