"""The SOAP partner endpoint `/services/Soap/u/{ver}[/{orgId}]`: login, convertLead, merge, create, update.

Every answer is `text/xml`; failures of the whole call are SOAP faults with HTTP 500 (spec §2.1, §8.3), with
`sf:`-prefixed detail elements (simple-salesforce reads `sf:exceptionCode` literally) and faultcodes such as
`sf:INVALID_SESSION_ID` (jsforce refreshes its session on that). Per-record failures are `<errors>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sfdc_emulator.org import ids
from sfdc_emulator.org.auth import Auth
from sfdc_emulator.org.convert import ConvertResult, LeadConvert, convert_lead
from sfdc_emulator.org.merge import MergeRequest, MergeResult, master_values_from_xml, merge
from sfdc_emulator.org.store import Store
from sfdc_emulator.server.http import Ctx, Response, route
from sfdc_emulator.server.soap_dml import soap_create, soap_update
from sfdc_emulator.server.soap_xml import (
    CONTENT_TYPE,
    SoapParseError,
    SoapRequest,
    child,
    children,
    el,
    els,
    envelope,
    errors_xml,
    fault,
    flag,
    local,
    parse_envelope,
    text,
)

PATH_RE = re.compile(r"^/services/Soap/u/(?P<version>\d+\.\d+)(?:/(?P<org>[0-9A-Za-z]{15,18}))?/?$")
INVALID_SESSION_MESSAGE = "Invalid Session ID found in SessionHeader: Illegal Session"
INVALID_LOGIN_MESSAGE = "Invalid username, password, security token; or user locked out."


@dataclass(frozen=True)
class SoapReply:
    status: int
    body: bytes
    content_type: str = CONTENT_TYPE


@route(
    "POST",
    r"/services/Soap/u/(?P<version>\d+\.\d+)(?:/(?P<org_id>[0-9A-Za-z]{15,18}))?",
    auth="none",
    counts=False,
)
def soap_endpoint(ctx: Ctx, version: str, org_id: str | None = None) -> Response:
    reply = handle(
        ctx.org.store, ctx.org.auth, ctx.request.body, base_url=ctx.base_url, version=version,
        consume=ctx.org.usage.try_consume,
    )  # fmt: skip
    return Response(status=reply.status, body=reply.body, content_type=reply.content_type)


def handle(
    store: Store,
    auth: Auth,
    raw: bytes,
    *,
    base_url: str,
    version: str,
    consume: Callable[[], bool] | None = None,
) -> SoapReply:
    """Answer one SOAP call; `base_url` is scheme://host:port of the listener the request came in on.

    `consume` counts the call against the daily API limit (login() is not counted, as in a real org).
    """
    try:
        request = parse_envelope(raw)
    except SoapParseError as exc:
        return SoapReply(500, fault("", str(exc), client=True))
    if request.operation == "login":
        return _login(store, auth, request, base_url, version)
    handler = _OPERATIONS.get(request.operation)
    if handler is None:
        message = f"No operation available for request {{urn:partner.soap.sforce.com}}{request.operation}"
        return SoapReply(500, fault("INVALID_OPERATION", message, fault_type="InvalidOperationFault"))
    session = auth.validate(request.session_id)
    if session is None:
        return SoapReply(500, fault("INVALID_SESSION_ID", INVALID_SESSION_MESSAGE))
    if consume is not None and not consume():
        return SoapReply(500, fault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
    return SoapReply(200, envelope(handler(store, request, session.user_id)))


# --- login --------------------------------------------------------------------------------------------------


def _login(store: Store, auth: Auth, request: SoapRequest, base_url: str, version: str) -> SoapReply:
    username = text(request.body, "username") or ""
    password = text(request.body, "password") or ""
    scope_org = None
    scope = request.headers.get("LoginScopeHeader")
    if scope is not None:
        found = re.search(r"organizationId>([0-9A-Za-z]{15,18})<", scope)
        scope_org = found.group(1) if found else None
    # Why: the LoginScopeHeader (ipfilter) variant sends the bare password, as from a trusted IP range.
    trusted = scope_org is not None and ids.normalize(scope_org) == ids.ORG_ID
    user_id = auth.check_password(username, password, token_optional=trusted)
    if user_id is None:
        return SoapReply(500, fault("INVALID_LOGIN", INVALID_LOGIN_MESSAGE, fault_type="LoginFault"))
    session = auth.issue(user_id)
    user = store.get_row("User", user_id) or {}
    org = store.fetchone('SELECT Name FROM "Organization" LIMIT 1')
    sandbox = store.fetchone('SELECT IsSandbox FROM "Organization" LIMIT 1')
    org15 = ids.ORG_ID_15
    result = (
        el("metadataServerUrl", f"{base_url}/services/Soap/m/{version}/{org15}")
        + el("passwordExpired", False)
        + el("sandbox", bool(sandbox and sandbox[0]))
        + el("serverUrl", f"{base_url}/services/Soap/u/{version}/{org15}")
        + el("sessionId", session.token)
        + el("userId", user_id)
        + "<userInfo>"
        + el("accessibilityMode", False)
        + el("currencySymbol", "$")
        + el("orgDefaultCurrencyIsoCode", "USD")
        + el("orgHasPersonAccounts", False)
        + el("organizationId", ids.ORG_ID)
        + el("organizationMultiCurrency", False)
        + el("organizationName", org[0] if org else "Emulated Org")
        + el("profileId", user.get("ProfileId"))
        + el("roleId", None)
        + el("sessionSecondsValid", int(session.expires_at - session.issued_at))
        + el("userDefaultCurrencyIsoCode", None)
        + el("userEmail", user.get("Email"))
        + el("userFullName", user.get("Name") or user.get("LastName"))
        + el("userId", user_id)
        + el("userLanguage", user.get("LanguageLocaleKey") or "en_US")
        + el("userLocale", user.get("LocaleSidKey") or "en_US")
        + el("userName", user.get("Username"))
        + el("userTimeZone", user.get("TimeZoneSidKey") or "America/Los_Angeles")
        + el("userType", user.get("UserType") or "Standard")
        + el("userUiSkin", "Theme3")
        + "</userInfo>"
    )
    return SoapReply(200, envelope(f"<loginResponse><result>{result}</result></loginResponse>"))


# --- convertLead --------------------------------------------------------------------------------------------


def _convert_lead(store: Store, request: SoapRequest, user_id: str) -> str:
    results = []
    for item in children(request.body, "leadConverts"):
        spec = LeadConvert(
            lead_id=text(item, "leadId"),
            converted_status=text(item, "convertedStatus"),
            account_id=text(item, "accountId") or None,
            contact_id=text(item, "contactId") or None,
            opportunity_name=text(item, "opportunityName") or None,
            do_not_create_opportunity=flag(item, "doNotCreateOpportunity"),
            owner_id=text(item, "ownerId") or None,
            overwrite_lead_source=flag(item, "overwriteLeadSource"),
            send_notification_email=flag(item, "sendNotificationEmail"),
        )
        results.append(_convert_result_xml(convert_lead(store, spec, user_id=user_id)))
    return f"<convertLeadResponse>{''.join(results)}</convertLeadResponse>"


def _convert_result_xml(result: ConvertResult) -> str:
    errors = errors_xml((e.status_code, e.message, e.fields) for e in result.errors)
    return (
        "<result>"
        + el("accountId", result.account_id)
        + el("contactId", result.contact_id)
        + errors
        + el("leadId", result.lead_id)
        + el("opportunityId", result.opportunity_id)
        + el("success", result.success)
        + "</result>"
    )


# --- merge --------------------------------------------------------------------------------------------------


def _merge(store: Store, request: SoapRequest, user_id: str) -> str:
    results = []
    for item in children(request.body, "request"):
        master = child(item, "masterRecord")
        sobject = master_id = None
        fields: dict[str, str | None] = {}
        to_null: list[str] = []
        if master is not None:
            for part in master:
                name = local(part.tag)
                value = (part.text or "").strip()
                if name == "type":
                    sobject = value
                elif name == "Id":
                    master_id = value
                elif name == "fieldsToNull":
                    to_null.append(value)
                else:
                    fields[name] = value
        values = master_values_from_xml(fields, sobject or "", store)
        merge_ids = tuple((e.text or "").strip() for e in children(item, "recordToMergeIds"))
        outcome = merge(
            store, MergeRequest(sobject, master_id, values, tuple(to_null), merge_ids), user_id=user_id
        )
        results.append(_merge_result_xml(outcome))
    return f"<mergeResponse>{''.join(results)}</mergeResponse>"


def _merge_result_xml(result: MergeResult) -> str:
    errors = errors_xml((e.status_code, e.message, e.fields) for e in result.errors)
    return (
        "<result>"
        + errors
        + el("id", result.master_id)
        + els("mergedRecordIds", result.merged_ids)
        + el("success", result.success)
        + els("updatedRelatedIds", result.updated_related_ids)
        + "</result>"
    )


_OPERATIONS: dict[str, Callable[[Store, SoapRequest, str], str]] = {
    "convertLead": _convert_lead,
    "merge": _merge,
    "create": soap_create,
    "update": soap_update,
}
