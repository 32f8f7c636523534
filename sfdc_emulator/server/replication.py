"""Replication: the ids updated or deleted in a window (`…/sobjects/{Obj}/updated|deleted?start=…&end=…`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from sfdc_emulator.org.errors import SfError
from sfdc_emulator.org.values import format_datetime, parse_datetime
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import SOBJ, get_object


def _replication_range(ctx: Ctx) -> tuple[dt.datetime, dt.datetime]:
    out = []
    for name in ("start", "end"):
        raw = ctx.request.param(name)
        if not raw:
            raise SfError(400, "MISSING_ARGUMENT", f"{name} parameter not specified")
        text = unquote(raw).strip()
        # Why: simple-salesforce sends naive datetimes with a dangling ':' (spec §3.12); read them as UTC.
        parsed = parse_datetime(text.rstrip(":"))
        if parsed is None:
            raise SfError(400, "INVALID_REPLICATION_DATE", f"Unable to parse {name} date: {text}")
        out.append(parsed)
    start, end = out
    if end < start:
        raise SfError(400, "INVALID_REPLICATION_DATE", "EndDate can not be before StartDate")
    return start, end


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


@route("GET", SOBJ + r"/updated")
def updated(ctx: Ctx, version: str, obj: str) -> Response:
    o = get_object(ctx, obj)
    start, end = _replication_range(ctx)
    now = ctx.org.clock.now()
    if start < now - dt.timedelta(days=30):
        raise SfError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
    latest = _minute(min(end, now))
    rows = ctx.org.store.fetchall(
        f'SELECT Id FROM "{o.name}" WHERE IsDeleted = 0 AND SystemModstamp >= ? AND SystemModstamp <= ? '
        "ORDER BY SystemModstamp, Id",
        (format_datetime(start), format_datetime(end)),
    )
    if len(rows) > 600_000:
        raise SfError(400, "EXCEEDED_ID_LIMIT", "too many ids in the requested range")
    return json_response({"ids": [r[0] for r in rows], "latestDateCovered": format_datetime(latest)})


@route("GET", SOBJ + r"/deleted")
def deleted(ctx: Ctx, version: str, obj: str) -> Response:
    o = get_object(ctx, obj)
    start, end = _replication_range(ctx)
    now = ctx.org.clock.now()
    earliest = _minute(now - dt.timedelta(days=15))
    if start < now - dt.timedelta(days=30):
        raise SfError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
    rows = ctx.org.store.fetchall(
        f'SELECT Id, SystemModstamp FROM "{o.name}" WHERE IsDeleted = 1 AND SystemModstamp >= ? '
        "AND SystemModstamp <= ? ORDER BY SystemModstamp, Id",
        (format_datetime(start), format_datetime(end)),
    )
    return json_response(
        {
            "deletedRecords": [{"id": r[0], "deletedDate": r[1]} for r in rows],
            "earliestDateAvailable": format_datetime(earliest),
            "latestDateCovered": format_datetime(_minute(min(end, now))),
        }
    )
