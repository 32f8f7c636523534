"""Control API for Change Data Capture and CometD (not Salesforce): selection, faults, replay window, clients.

GET    /_emulator/streaming                selection, limits, last replay id, retained, dropped, clients
PUT    /_emulator/streaming/selection      {"entities": ["Lead", …], "limit": 5}  (the add-on raises limit)
POST   /_emulator/streaming/settings       {"connect_timeout_ms", "reconnect_window_ms", "overflow_limit",
                                            "delivery_limit", "delivered"}
POST   /_emulator/streaming/faults         {"kind": "drop" | "delay", "count": n, "entity": "Lead",
                                            "delay_ms": n}   DELETE clears them
POST   /_emulator/streaming/expire         the replay window passes: retained events are gone
POST   /_emulator/streaming/clients/forget every Bayeux client is forgotten (403::Unknown client)
GET    /_emulator/streaming/events?after=N&entity=Lead   the retained events (as delivered)
"""

from __future__ import annotations

from sfdc_emulator.org.events import StreamFault
from sfdc_emulator.server.cometd.sessions import clients_of
from sfdc_emulator.server.control import bad_request, body_of
from sfdc_emulator.server.http import Ctx, Response, json_response, route

S = r"/_emulator/streaming"
SETTINGS = {
    "connect_timeout_ms": "cometd_connect_timeout_ms",
    "reconnect_window_ms": "cometd_reconnect_window_ms",
    "overflow_limit": "cdc_overflow_limit",
    "delivery_limit": "cdc_delivery_limit",
}


@route("GET", S)
def streaming_info(ctx: Ctx) -> Response:
    events = ctx.org.events
    events.purge_expired()
    row = ctx.org.store.fetchone("SELECT count(*) FROM _emu_change_events")
    delivered, limit = events.delivery()
    return json_response(
        {
            "selection": sorted(events.selection),
            "entity_limit": events.entity_limit,
            "last_replay_id": events.last_replay_id,
            "purged_through": events.purged_through,
            "retained": row[0] if row else 0,
            "dropped": events.dropped,
            "faults": [f.as_json() for f in events.faults],
            "delivered_today": delivered,
            "delivery_limit": limit,
            "clients": clients_of(ctx.org).describe(),
        }
    )


@route("PUT", S + r"/selection")
def selection(ctx: Ctx) -> Response:
    body = body_of(ctx)
    entities = body.get("entities")
    if not isinstance(entities, list):
        raise bad_request("entities must be a list of sObject names")
    ctx.org.events.select([str(e) for e in entities], limit=body.get("limit"))
    return streaming_info(ctx)


@route("POST", S + r"/settings")
def streaming_settings(ctx: Ctx) -> Response:
    body = body_of(ctx)
    store = ctx.org.store
    for name, key in SETTINGS.items():
        if name in body:
            value = int(body[name])
            if value < 0:
                raise bad_request(f"{name} must not be negative")
            store.set_setting(key, value)
    if "delivered" in body:
        store.set_setting("cdc_delivered", {"day": store.clock.today(), "used": int(body["delivered"])})
    return streaming_info(ctx)


@route("POST", S + r"/faults")
def streaming_fault(ctx: Ctx) -> Response:
    body = body_of(ctx)
    kind = str(body.get("kind", ""))
    if kind not in ("drop", "delay"):
        raise bad_request("kind must be drop or delay")
    fault = StreamFault(kind, int(body.get("count", 1)), body.get("entity"), int(body.get("delay_ms", 0)))
    ctx.org.events.faults.append(fault)
    return json_response(fault.as_json(), 201)


@route("DELETE", S + r"/faults")
def streaming_faults_clear(ctx: Ctx) -> Response:
    ctx.org.events.faults.clear()
    return json_response({"cleared": True})


@route("POST", S + r"/expire")
def expire(ctx: Ctx) -> Response:
    return json_response(
        {"expired": ctx.org.events.expire_all(), "purged_through": ctx.org.events.purged_through}
    )


@route("POST", S + r"/clients/forget")
def forget_clients(ctx: Ctx) -> Response:
    return json_response({"forgotten": clients_of(ctx.org).forget_all()})


@route("GET", S + r"/events")
def events_list(ctx: Ctx) -> Response:
    after = int(ctx.request.param("after", "0") or 0)
    entity = ctx.request.param("entity")
    found, _ = ctx.org.events.read(frozenset({entity}) if entity else None, after, 10_000)
    return json_response([{"entity": e.entity, "replayId": e.replay_id, **e.data} for e in found])
