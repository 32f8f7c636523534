"""Tooling API queries: only `PlatformEventChannelMember`, the org's Change Data Capture selection.

Salesforce's Tooling API has hundreds of objects; an integration asks this one which entities publish change
events on the standard `ChangeEvents` channel (Setup → Change Data Capture), since the selection is capped
(5 entities without the add-on). Rows: `Id`, `DeveloperName` (`ChangeEvents_LeadChangeEvent`),
`EventChannel` (`ChangeEvents` [unverified: the standard channel's name, not an id]), `SelectedEntity`
(`LeadChangeEvent`, `Invoice__ChangeEvent`). Any other Tooling query answers INVALID_TYPE.
"""

from __future__ import annotations

import re

from sfdc_emulator.org import event_payload, ids
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import V, check_version

MEMBER_PREFIX = "0v8"
CHANNEL = "ChangeEvents"
FIELDS = ("Id", "DeveloperName", "EventChannel", "SelectedEntity")
SOQL = re.compile(
    r"\s*SELECT\s+(?P<fields>[\w\s,]+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+EventChannel\s*=\s*'(?P<channel>\w+)')?\s*",
    re.IGNORECASE,
)


@route("GET", V + r"/tooling/query/?")
def tooling_query(ctx: Ctx, version: str) -> Response:
    check_version(version)
    soql = ctx.request.param("q") or ""
    match = SOQL.fullmatch(soql)
    if match is None:
        raise SfError(400, "MALFORMED_QUERY", f"The emulator's Tooling API cannot read this query: {soql}")
    if match["object"].lower() != "platformeventchannelmember":
        raise SfError(400, "INVALID_TYPE", f"sObject type '{match['object']}' is not supported.")
    by_lower = {name.lower(): name for name in FIELDS}
    wanted = []
    for name in (part.strip() for part in match["fields"].split(",")):
        if name.lower() not in by_lower:
            raise SfError(
                400, "INVALID_FIELD", f"No such column '{name}' on entity 'PlatformEventChannelMember'."
            )
        wanted.append(by_lower[name.lower()])
    channel = match["channel"]
    rows = []
    if channel is None or channel == CHANNEL:
        for n, entity in enumerate(sorted(ctx.org.events.selection), start=1):
            selected = event_payload.channel_of(entity).removeprefix("/data/")
            member_id = ids.make_id(MEMBER_PREFIX, n)
            full = {"Id": member_id, "DeveloperName": f"{CHANNEL}_{selected}", "EventChannel": CHANNEL,
                    "SelectedEntity": selected}  # fmt: skip
            url = f"/services/data/v{version}/tooling/sobjects/PlatformEventChannelMember/{member_id}"
            rows.append({"attributes": {"type": "PlatformEventChannelMember", "url": url}}
                        | {name: full[name] for name in wanted})  # fmt: skip
    return json_response(
        {
            "size": len(rows),
            "totalSize": len(rows),
            "done": True,
            "queryLocator": None,
            "entityTypeName": "PlatformEventChannelMember",
            "records": rows,
        }
    )
