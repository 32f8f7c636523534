"""SOAP envelope parsing and rendering for the partner endpoint (login, convertLead, merge)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
SOBJECT = "urn:sobject.partner.soap.sforce.com"
FAULT = "urn:fault.partner.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

CONTENT_TYPE = "text/xml; charset=utf-8"


class SoapParseError(ValueError):
    """The request body is not a SOAP envelope we can read."""


@dataclass(frozen=True)
class SoapRequest:
    """A parsed envelope: the operation (Body's first child, local name), its element, the session header."""

    operation: str
    body: ET.Element
    session_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def local(tag: str) -> str:
    """Local name of a `{ns}name` tag: clients use any prefix (env:, soapenv:, n1:, urn:)."""
    return tag.rsplit("}", 1)[-1]


def child(elem: ET.Element, name: str) -> ET.Element | None:
    for sub in elem:
        if local(sub.tag) == name:
            return sub
    return None


def children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [sub for sub in elem if local(sub.tag) == name]


def text(elem: ET.Element, name: str) -> str | None:
    """Text of the first child called `name`; None when absent or xsi:nil, '' kept as ''."""
    sub = child(elem, name)
    if sub is None or sub.get(f"{{{XSI}}}nil") == "true":
        return None
    return (sub.text or "").strip()


def flag(elem: ET.Element, name: str, default: bool = False) -> bool:
    value = text(elem, name)
    if value is None or value == "":
        return default
    return value.lower() in ("true", "1")


def parse_envelope(raw: bytes) -> SoapRequest:
    """Parse a SOAP 1.1 envelope namespace-aware; the expat parser does not resolve external entities."""
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise SoapParseError(f"Unable to parse the request: {exc}") from exc
    if local(root.tag) != "Envelope":
        raise SoapParseError("Request is not a SOAP envelope")
    body = child(root, "Body")
    if body is None or len(body) == 0:
        raise SoapParseError("SOAP Body is missing or empty")
    operation = body[0]
    session_id = None
    headers: dict[str, str] = {}
    header = child(root, "Header")
    if header is not None:
        for part in header:
            headers[local(part.tag)] = ET.tostring(part, encoding="unicode")
            if local(part.tag) == "SessionHeader":
                session_id = text(part, "sessionId")
    return SoapRequest(operation=local(operation.tag), body=operation, session_id=session_id, headers=headers)


def el(name: str, value: object = None, *, nil: bool = False) -> str:
    """One unprefixed element: simple-salesforce reads `sessionId`/`serverUrl` by literal tag name."""
    if nil or value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def els(name: str, values: Iterable[object]) -> str:
    return "".join(el(name, v) for v in values)


def envelope(body_xml: str) -> bytes:
    """Success envelope with the partner namespace as the default namespace, as a real org answers."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns="{PARTNER}" xmlns:xsi="{XSI}">'
        f"<soapenv:Body>{body_xml}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def fault(
    code: str, message: str, *, fault_type: str = "UnexpectedErrorFault", client: bool = False
) -> bytes:
    """A SOAP fault (sent with HTTP 500): `sf:`-prefixed detail elements are what simple-salesforce reads."""
    faultcode = f"soapenv:{'Client' if client else 'Server'}" if not code else f"sf:{escape(code)}"
    detail = (
        f'<detail><sf:{fault_type} xsi:type="sf:{fault_type}">'
        f"<sf:exceptionCode>{escape(code)}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        f"</sf:{fault_type}></detail>"
        if code
        else ""
    )
    faultstring = f"{code}: {message}" if code else message
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:sf="{FAULT}" xmlns:xsi="{XSI}">'
        f"<soapenv:Body><soapenv:Fault><faultcode>{faultcode}</faultcode>"
        f"<faultstring>{escape(faultstring)}</faultstring>{detail}"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()


def errors_xml(errors: Iterable[tuple[str, str, Iterable[str]]]) -> str:
    """`<errors>` blocks of a per-record result: (statusCode, message, fields)."""
    out = []
    for status_code, message, fields in errors:
        out.append(
            "<errors>"
            + els("fields", fields)
            + el("message", message)
            + el("statusCode", status_code)
            + "</errors>"
        )
    return "".join(out)
