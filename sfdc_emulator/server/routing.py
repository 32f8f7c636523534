"""Dispatch: the one list of route modules, then faults, authentication, API accounting, the request log."""

from __future__ import annotations

import re
import time

from sfdc_emulator.org.errors import SfError
from sfdc_emulator.org.org import Org
from sfdc_emulator.server import (
    collections,
    composite,
    control,
    control_rules,
    control_streaming,
    oauth,
    query,
    replication,
    resources,
    rest,
    soap,
    tooling,
)
from sfdc_emulator.server.bulk2 import routes as bulk2_routes
from sfdc_emulator.server.cometd import routes as cometd_routes
from sfdc_emulator.server.http import (
    INVALID_SESSION,
    Ctx,
    Request,
    Response,
    bearer_token,
    error_response,
    find_route,
    run_handler,
)

ORIGIN_API = re.compile(r"/services/(?:data/v(?P<v1>[\d.]+)|Soap/[a-z]/(?P<v2>[\d.]+))")
# Every module that registers routes, in the order their routes are matched. Importing one registers it.
ROUTE_MODULES = (
    oauth,
    resources,
    rest,
    replication,
    query,
    collections,
    composite,
    control,
    control_rules,
    control_streaming,
    soap,
    tooling,
    bulk2_routes,
    cometd_routes,
)


def dispatch(org: Org, request: Request) -> Response:
    started = time.perf_counter()
    ctx = Ctx(org=org, request=request)
    response = _dispatch(ctx)
    if request.path.startswith("/services/data/v"):
        used, limit = org.usage.snapshot()
        response.headers.setdefault("Sforce-Limit-Info", f"api-usage={used}/{limit}")
    if not request.path.startswith("/_emulator"):
        org.request_log.append(
            {
                "time": org.clock.stamp(),
                "method": request.method,
                "path": request.path,
                "query": {k: v[0] if len(v) == 1 else v for k, v in request.query.items()},
                "status": response.status,
                "user_id": ctx.user_id,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
        )
    return response


def change_origin(request: Request) -> str:
    """ChangeEventHeader.changeOrigin of writes made by this request (spec streaming §2.3)."""
    match = ORIGIN_API.match(request.path)
    if match is None:  # the control API stands for a user in the UI
        return "com/salesforce/api/soap/59.0;client=SfdcInternalAPI/"
    api = "bulkapi" if "/jobs/ingest" in request.path else ("rest" if match["v1"] else "soap")
    options = request.header("sforce-call-options") or ""
    client = next((p.split("=", 1)[1] for p in options.split(",") if p.strip().startswith("client=")), None)
    origin = f"com/salesforce/api/{api}/{match['v1'] or match['v2']}"
    return origin + (f";client={client.strip()}" if client else "")


def _dispatch(ctx: Ctx) -> Response:
    request, org = ctx.request, ctx.org
    if org.store.capture is not None:
        org.store.capture.origin = change_origin(request)
    route_, groups, allowed = find_route(request.method, request.path)
    if route_ is None:
        if allowed:
            return error_response(
                SfError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"HTTP Method '{request.method}' not allowed. "
                    f"Allowed are {','.join(sorted(set(allowed)))}",
                )
            )
        return error_response(SfError(404, "NOT_FOUND", "The requested resource does not exist"))
    if request.path.startswith("/_emulator"):
        return run_handler(route_, ctx, groups)
    for fault in org.faults.take_request_faults(request.method, request.path):
        if fault.kind == "delay":
            time.sleep(fault.delay_ms / 1000)
        elif fault.kind == "server_unavailable":
            return Response(
                503,
                [{"message": "Server Unavailable", "errorCode": "SERVER_UNAVAILABLE"}],
                headers={"Retry-After": "1"},
            )
        elif fault.kind == "bad_gateway":
            return Response(
                502, body=b"<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
            )
        elif fault.kind == "request_limit":
            return error_response(SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
        elif fault.kind == "invalid_session":
            token = bearer_token(request)
            if token:
                org.auth.revoke(token)
            return error_response(INVALID_SESSION)
    if route_.auth == "session":
        session = org.auth.validate(bearer_token(request))
        if session is None:
            return error_response(INVALID_SESSION)
        ctx.user_id, ctx.token = session.user_id, session.token
    if route_.counts and not org.usage.try_consume():
        return error_response(SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
    return run_handler(route_, ctx, groups)
