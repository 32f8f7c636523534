"""Discovery: the API versions (no auth), the resources of one version, and the org's limits."""

from __future__ import annotations

from sfdc_emulator.org import ids
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import OLDEST_VERSION, V, check_version

NEWEST_VERSION = 66


def version_label(v: int) -> str:
    offset = v - 59  # 59.0 is Winter '24; three releases a year
    return f"{('Winter', 'Spring', 'Summer')[offset % 3]} '{24 + offset // 3}"


@route("GET", r"/services/data", auth="none", counts=False)
def versions(ctx: Ctx) -> Response:
    return json_response(
        [
            {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
            for v in range(OLDEST_VERSION, NEWEST_VERSION + 1)
        ]
    )


@route("GET", V)
def resources(ctx: Ctx, version: str) -> Response:
    check_version(version)
    base = f"/services/data/v{version}"
    names = (
        "sobjects",
        "query",
        "queryAll",
        "search",
        "limits",
        "composite",
        "jobs",
        "tooling",
        "recent",
        "actions",
        "analytics",
        "connect",
        "process",
        "quickActions",
        "tabs",
        "theme",
        "uiapi",
    )
    out: dict[str, str] = {n: f"{base}/{n}" for n in names}
    out["identity"] = f"{ctx.base_url}/id/{ids.ORG_ID}/{ctx.user_id}"
    return json_response(out)


@route("GET", V + r"/limits")
def limits(ctx: Ctx, version: str) -> Response:
    used, limit = ctx.org.usage.snapshot()
    fixed = {
        "DailyBulkApiBatches": 15000,
        "DailyBulkV2QueryFileStorageMB": 976562,
        "DailyBulkV2QueryJobs": 10000,
        "DailyAsyncApexExecutions": 250000,
        "DailyStreamingApiEvents": 1000000,
        "DataStorageMB": 1024,
        "FileStorageMB": 1024,
        "HourlyODataCallout": 20000,
        "MassEmail": 5000,
        "SingleEmail": 5000,
        "ConcurrentAsyncGetReportInstances": 200,
        "DailyApiRequests": limit,
    }
    out = {k: {"Max": v, "Remaining": v} for k, v in fixed.items()}
    out["DailyApiRequests"] = {"Max": limit, "Remaining": max(0, limit - used)}
    delivered, delivery_limit = ctx.org.events.delivery()  # change events delivered to CometD clients
    out["DailyDeliveredPlatformEvents"] = {
        "Max": delivery_limit,
        "Remaining": max(0, delivery_limit - delivered),
    }
    return json_response(out)
