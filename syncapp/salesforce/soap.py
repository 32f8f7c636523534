"""SOAP partner API calls REST has no equivalent for: `convertLead` (with EmailHeader), as XML in and out."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
CONVERT_BATCH = 100  # Salesforce converts at most 100 leads per convertLead call


@dataclass(frozen=True)
class LeadConvertRequest:
    """One `LeadConvert`: Salesforce's own names, `None` leaves the element out (Salesforce's default)."""

    lead_id: str
    converted_status: str
    owner_id: str | None = None
    account_id: str | None = None
    do_not_create_opportunity: bool = False
    opportunity_name: str | None = None
    send_notification_email: bool = False

    def xml(self) -> str:
        parts = [
            _element("accountId", self.account_id),
            _element("convertedStatus", self.converted_status),
            _element("doNotCreateOpportunity", self.do_not_create_opportunity),
            _element("leadId", self.lead_id),
            _element("opportunityName", None if self.do_not_create_opportunity else self.opportunity_name),
            _element("ownerId", self.owner_id),
            _element("sendNotificationEmail", self.send_notification_email),
        ]
        return "<leadConverts>" + "".join(parts) + "</leadConverts>"


@dataclass(frozen=True)
class LeadConvertResult:
    lead_id: str
    success: bool
    account_id: str = ""
    contact_id: str = ""
    opportunity_id: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (statusCode, message)


@dataclass(frozen=True)
class SoapFault:
    code: str
    message: str


def _element(name: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def envelope(
    session_id: str, body: str, *, email_header: bool | None = None, use_default_rule: bool = False
) -> bytes:
    """A partner-API envelope; `email_header` adds EmailHeader.triggerUserEmail (owner notifications),
    `use_default_rule` the AssignmentRuleHeader that runs the object's active assignment rule."""
    headers = f"<SessionHeader><sessionId>{escape(session_id)}</sessionId></SessionHeader>"
    if use_default_rule:
        headers += "<AssignmentRuleHeader><useDefaultRule>true</useDefaultRule></AssignmentRuleHeader>"
    if email_header is not None:
        flag = "true" if email_header else "false"
        headers += (
            "<EmailHeader><triggerAutoResponseEmail>false</triggerAutoResponseEmail>"
            f"<triggerOtherEmail>false</triggerOtherEmail><triggerUserEmail>{flag}</triggerUserEmail>"
            "</EmailHeader>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
        f'xmlns="{PARTNER}"><soapenv:Header>{headers}</soapenv:Header>'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def convert_lead_body(converts: list[LeadConvertRequest]) -> str:
    return "<convertLead>" + "".join(c.xml() for c in converts) + "</convertLead>"


def create_body(sobject: str, records: list[dict[str, object]]) -> str:
    """`create` of records of one type (a null value is left out: Salesforce's default applies)."""
    parts = []
    for record in records:
        fields = "".join(_element(name, value) for name, value in record.items() if name != "attributes")
        parts.append(f"<sObjects>{_element('type', sobject)}{fields}</sObjects>")
    return "<create>" + "".join(parts) + "</create>"


def parse_save_results(raw: bytes) -> list[dict[str, object]]:
    """`create`/`update` results shaped like sObject Collections': id, success, errors."""
    results = []
    for node in ET.fromstring(raw).iter():
        if _local(node.tag) != "result":
            continue
        errors = [
            {"statusCode": _text(err, "statusCode"), "message": _text(err, "message")}
            for err in node
            if _local(err.tag) == "errors"
        ]
        results.append(
            {"id": _text(node, "id") or None, "success": _text(node, "success") == "true", "errors": errors}
        )
    return results


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(node: ET.Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def parse_fault(raw: bytes) -> SoapFault | None:
    """The fault of a failed call (HTTP 500), or None when the body is not a SOAP fault."""
    try:
        root = ET.fromstring(raw)
    except ET.ParseError:
        return None
    for node in root.iter():
        if _local(node.tag) == "Fault":
            code = ""
            for inner in node.iter():
                if _local(inner.tag) == "exceptionCode":
                    code = (inner.text or "").strip()
            if not code:
                code = _text(node, "faultcode").split(":")[-1]
            return SoapFault(code=code, message=_text(node, "faultstring"))
    return None


def parse_convert_response(raw: bytes) -> list[LeadConvertResult]:
    root = ET.fromstring(raw)
    results = []
    for node in root.iter():
        if _local(node.tag) != "result":
            continue
        errors = [
            (_text(err, "statusCode"), _text(err, "message")) for err in node if _local(err.tag) == "errors"
        ]
        results.append(
            LeadConvertResult(
                lead_id=_text(node, "leadId"),
                success=_text(node, "success") == "true",
                account_id=_text(node, "accountId"),
                contact_id=_text(node, "contactId"),
                opportunity_id=_text(node, "opportunityId"),
                errors=errors,
            )
        )
    return results
