"""SOAP partner `create` and `update` with AssignmentRuleHeader and EmailHeader (spec streaming §6.2, §6.5).

Unlike REST, a SOAP write without AssignmentRuleHeader runs no assignment rule. `useDefaultRule` runs the
object's active rule, `assignmentRuleId` that rule (active or not). The new owner is emailed only when
EmailHeader.triggerUserEmail is true (and, for a rule, when its entry has a template).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sfdc_emulator.org import dml
from sfdc_emulator.org.assignment import Assign
from sfdc_emulator.org.errors import SaveResult
from sfdc_emulator.org.merge import master_values_from_xml
from sfdc_emulator.org.store import Store
from sfdc_emulator.server.soap_xml import SoapRequest, children, el, errors_xml, flag, local, text

MAX_RECORDS = 200


def assign_of(request: SoapRequest) -> Assign | None:
    raw = request.headers.get("AssignmentRuleHeader")
    if raw is None:
        return None
    header = ET.fromstring(raw)
    rule_id = text(header, "assignmentRuleId")
    if rule_id:
        return Assign(rule_id=rule_id)
    return Assign() if flag(header, "useDefaultRule") else None


def trigger_user_email(request: SoapRequest) -> bool:
    raw = request.headers.get("EmailHeader")
    return raw is not None and flag(ET.fromstring(raw), "triggerUserEmail")


def _fields(store: Store, sobject: ET.Element) -> tuple[str, str | None, dict[str, object]]:
    """(type, Id, values) of one `<sObjects>`: field elements are text, `fieldsToNull` names set null."""
    kind, record_id, raw = "", None, {}
    for part in sobject:
        name, value = local(part.tag), (part.text or "").strip()
        if name == "type":
            kind = value
        elif name == "Id":
            record_id = value or None
        elif name == "fieldsToNull":
            raw[value] = None
        else:
            raw[name] = value
    return kind, record_id, master_values_from_xml(raw, kind, store)


def soap_create(store: Store, request: SoapRequest, user_id: str) -> str:
    assign, email = assign_of(request), trigger_user_email(request)
    results = []
    for sobject in children(request.body, "sObjects")[:MAX_RECORDS]:
        kind, _, values = _fields(store, sobject)
        result = dml.create(store, kind, values, user_id=user_id, assign=assign, trigger_user_email=email)
        results.append(_result_xml(result))
    return f"<createResponse>{''.join(results)}</createResponse>"


def soap_update(store: Store, request: SoapRequest, user_id: str) -> str:
    assign, email = assign_of(request), trigger_user_email(request)
    results = []
    for sobject in children(request.body, "sObjects")[:MAX_RECORDS]:
        kind, record_id, values = _fields(store, sobject)
        result = dml.update(
            store,
            kind or None,
            record_id or "",
            values,
            user_id=user_id,
            assign=assign,
            trigger_user_email=email,
        )
        results.append(_result_xml(result))
    return f"<updateResponse>{''.join(results)}</updateResponse>"


def _result_xml(result: SaveResult) -> str:
    errors = errors_xml((e.status_code, e.message, e.fields) for e in result.errors)
    return "<result>" + errors + el("id", result.id) + el("success", result.success) + "</result>"
