"""The control API under /_emulator/ (not Salesforce; loopback only, no auth): reset, data, rules, FLS,
faults.

Endpoints (JSON in, JSON out):
  GET    /_emulator                      what the org is: users, profiles, urls, settings
  POST   /_emulator/reset                {"mode": "baseline" | "empty"}
  POST   /_emulator/seed                 {"kind": "demo", "persons": N, "seed": 42, "as_baseline": false}
  POST   /_emulator/records/{Obj}        {"as": "rep", "values": {...}, "assign": false} → SaveResult
  PATCH  /_emulator/records/{Obj}/{id}   {"as": "rep", "values": {...}}        → SaveResult
  DELETE /_emulator/records/{Obj}/{id}?as=rep                                → SaveResult
  GET    /_emulator/records/{Obj}/{id}   the stored row (every field, deleted rows too)
  POST   /_emulator/query                {"q": "SELECT …", "all": false, "as": "admin"} → every record
  rules, assignment rules, field access and emails: see control_rules.py
  GET    /_emulator/faults · POST /_emulator/faults {"kind", "count", "delay_ms", "path", "method"} · DELETE
  POST   /_emulator/sessions/expire      expire every session (clients must log in again)
  GET    /_emulator/usage · POST /_emulator/usage {"used": n, "limit": n}
  GET    /_emulator/requests?limit=N · DELETE /_emulator/requests
  GET    /_emulator/clock · POST /_emulator/clock {"now": ISO} | {"advance_seconds": n} | {"reset": true}
  POST   /_emulator/connected-apps       {"client_id", "client_secret", "run_as", "certificate"}
  POST   /_emulator/settings             {"query_page_size": n, "is_sandbox": bool}
`as` accepts a default user key (admin, sync, rep, rep2), a username or a user id; default admin.
"""

from __future__ import annotations

from sfdc_emulator.org import dml, ids
from sfdc_emulator.org.assignment import Assign
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.org.security import PROFILES
from sfdc_emulator.org.users import DEFAULT_USERS
from sfdc_emulator.org.values import parse_datetime
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.query import compile_for
from sfdc_emulator.server.rest import get_object

C = r"/_emulator"
OBJ = r"(?P<obj>[A-Za-z][A-Za-z0-9_]*)"


def body_of(ctx: Ctx) -> dict:
    if not ctx.request.body.strip():
        return {}
    data = ctx.request.json()
    if not isinstance(data, dict):
        raise SfError(400, "JSON_PARSER_ERROR", "expected a JSON object")
    return data


def bad_request(message: str) -> SfError:
    return SfError(400, "BAD_REQUEST", message)


def resolve_user(ctx: Ctx, who: object) -> str:
    who = str(who or "admin")
    norm = ids.normalize(who)
    if norm and ids.prefix_of(norm) == "005":
        return norm
    try:
        return ctx.org.user_id(who)
    except KeyError:
        raise bad_request(f"unknown user {who!r}") from None


@route("GET", C)
def info(ctx: Ctx) -> Response:
    org = ctx.org
    users = org.store.fetchall('SELECT Id, Username, Name, ProfileId FROM "User" ORDER BY Id')
    return json_response(
        {
            "org_id": ids.ORG_ID,
            "users": [{"id": u[0], "username": u[1], "name": u[2], "profile_id": u[3]} for u in users],
            "default_users": {u.key: u.username for u in DEFAULT_USERS},
            "profiles": {p.key: {"id": org.profile_id(p.key), "name": p.name} for p in PROFILES},
            "base_url": ctx.base_url,
            "query_page_size": org.store.get_setting("query_page_size", 2000),
        }
    )


@route("POST", C + r"/reset")
def reset(ctx: Ctx) -> Response:
    mode = str(body_of(ctx).get("mode", "baseline"))
    if mode not in ("baseline", "empty"):
        raise bad_request("mode must be baseline or empty")
    ctx.org.reset(mode)
    return json_response({"reset": mode})


@route("POST", C + r"/seed")
def seed(ctx: Ctx) -> Response:
    body = body_of(ctx)
    if body.get("kind", "demo") != "demo":
        raise bad_request("kind must be demo")
    summary = ctx.org.seed_demo(int(body.get("persons", 100)), int(body.get("seed", 42)))
    if body.get("as_baseline"):
        ctx.org.snapshot_baseline()
    return json_response(summary)


@route("POST", C + r"/records/" + OBJ)
def record_create(ctx: Ctx, obj: str) -> Response:
    body = body_of(ctx)
    o = get_object(ctx, obj)
    result = dml.create(
        ctx.org.store,
        o.name,
        body.get("values") or {},
        user_id=resolve_user(ctx, body.get("as")),
        assign=Assign() if body.get("assign") else None,  # the UI's "Assign using active assignment rule"
    )
    return json_response(result.as_json(), 201 if result.success else 400)


@route("PATCH", C + r"/records/" + OBJ + r"/(?P<rid>[^/]+)")
def record_update(ctx: Ctx, obj: str, rid: str) -> Response:
    body = body_of(ctx)
    o = get_object(ctx, obj)
    result = dml.update(
        ctx.org.store,
        o.name,
        rid,
        body.get("values") or {},
        user_id=resolve_user(ctx, body.get("as")),
        assign=Assign() if body.get("assign") else None,
    )
    return json_response(result.as_json(), 200 if result.success else 400)


@route("DELETE", C + r"/records/" + OBJ + r"/(?P<rid>[^/]+)")
def record_delete(ctx: Ctx, obj: str, rid: str) -> Response:
    o = get_object(ctx, obj)
    result = dml.delete(ctx.org.store, o.name, rid, user_id=resolve_user(ctx, ctx.request.param("as")))
    return json_response(result.as_json(), 200 if result.success else 400)


@route("GET", C + r"/records/" + OBJ + r"/(?P<rid>[^/]+)")
def record_get(ctx: Ctx, obj: str, rid: str) -> Response:
    o = get_object(ctx, obj)
    norm = ids.normalize(rid)
    row = ctx.org.store.get_row(o.name, norm) if norm else None
    if row is None:
        raise SfError(404, "NOT_FOUND", "no such record")
    return json_response({k: bool(v) if o.fields[k].type == "boolean" else v for k, v in row.items()})


@route("POST", C + r"/query")
def control_query(ctx: Ctx) -> Response:
    body = body_of(ctx)
    ctx.user_id = resolve_user(ctx, body.get("as"))
    compiled = compile_for(
        ctx, str(body.get("q") or ""), include_deleted=bool(body.get("all")), version="59.0"
    )
    if compiled.is_count:
        row = ctx.org.store.fetchone(compiled.count_sql, compiled.count_params)
        return json_response({"totalSize": row[0] if row else 0, "records": []})
    rows = ctx.org.store.fetchall(compiled.sql, compiled.params)
    records = [compiled.row_to_record(r) for r in rows]
    return json_response({"totalSize": len(records), "records": records})


@route("GET", C + r"/faults")
def faults_list(ctx: Ctx) -> Response:
    return json_response(ctx.org.faults.pending())


@route("POST", C + r"/faults")
def faults_inject(ctx: Ctx) -> Response:
    body = body_of(ctx)
    try:
        fault = ctx.org.faults.inject(
            str(body.get("kind", "")),
            int(body.get("count", 1)),
            delay_ms=int(body.get("delay_ms", 0)),
            path=body.get("path"),
            method=body.get("method"),
        )
    except (ValueError, TypeError) as exc:
        raise bad_request(str(exc)) from None
    return json_response(fault.as_json(), 201)


@route("DELETE", C + r"/faults")
def faults_clear(ctx: Ctx) -> Response:
    ctx.org.faults.clear()
    return json_response({"cleared": True})


@route("POST", C + r"/sessions/expire")
def sessions_expire(ctx: Ctx) -> Response:
    return json_response({"expired": ctx.org.auth.expire_all()})


@route("GET", C + r"/usage")
def usage(ctx: Ctx) -> Response:
    used, limit = ctx.org.usage.snapshot()
    return json_response({"used": used, "limit": limit, "day": ctx.org.usage.day})


@route("POST", C + r"/usage")
def usage_set(ctx: Ctx) -> Response:
    body = body_of(ctx)
    ctx.org.usage.set(used=body.get("used"), limit=body.get("limit"))
    return usage(ctx)


@route("GET", C + r"/requests")
def requests_log(ctx: Ctx) -> Response:
    entries = list(ctx.org.request_log)
    limit = ctx.request.param("limit")
    if limit and limit.isdigit():
        entries = entries[-int(limit) :]
    return json_response(entries)


@route("DELETE", C + r"/requests")
def requests_clear(ctx: Ctx) -> Response:
    ctx.org.request_log.clear()
    return json_response({"cleared": True})


@route("GET", C + r"/clock")
def clock(ctx: Ctx) -> Response:
    return json_response(
        {"now": ctx.org.clock.stamp(), "offset_seconds": ctx.org.clock.offset.total_seconds()}
    )


@route("POST", C + r"/clock")
def clock_set(ctx: Ctx) -> Response:
    body = body_of(ctx)
    if body.get("reset"):
        ctx.org.clock.reset()
    if body.get("now"):
        when = parse_datetime(str(body["now"]))
        if when is None:
            raise bad_request("now must be an ISO 8601 datetime")
        ctx.org.clock.set(when)
    if body.get("advance_seconds"):
        ctx.org.clock.advance(float(body["advance_seconds"]))
    return clock(ctx)


@route("POST", C + r"/connected-apps")
def connected_app(ctx: Ctx) -> Response:
    body = body_of(ctx)
    if not body.get("client_id") or not body.get("client_secret"):
        raise bad_request("client_id and client_secret are required")
    run_as = resolve_user(ctx, body.get("run_as", "sync"))
    ctx.org.auth.register_app(
        str(body["client_id"]), str(body["client_secret"]), run_as, body.get("certificate")
    )
    return json_response({"client_id": body["client_id"], "run_as": run_as}, 201)


@route("POST", C + r"/settings")
def settings(ctx: Ctx) -> Response:
    body = body_of(ctx)
    store = ctx.org.store
    if "query_page_size" in body:
        size = int(body["query_page_size"])
        if not 1 <= size <= 2000:
            raise bad_request("query_page_size must be between 1 and 2000")
        store.set_setting("query_page_size", size)
    if "is_sandbox" in body:
        store.execute('UPDATE "Organization" SET IsSandbox = ?', (int(bool(body["is_sandbox"])),))
    return info(ctx)
