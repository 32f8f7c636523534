"""SOAP partner endpoint: login() with simple-salesforce and raw XML, sessions, faults."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import requests
from simple_salesforce import Salesforce, SalesforceLogin  # noqa: TID251
from simple_salesforce.exceptions import SalesforceAuthenticationFailed  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session, login_session

PARTNER = "urn:partner.soap.sforce.com"
LOGIN = """<?xml version="1.0" encoding="utf-8" ?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Body><urn:login><urn:username>{username}</urn:username><urn:password>{password}</urn:password>
  </urn:login></soapenv:Body></soapenv:Envelope>"""


def soap_post(url: str, body: str, verify: str | bool = True) -> requests.Response:
    headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}
    return requests.post(url, data=body.encode(), headers=headers, verify=verify, timeout=10)


def test_simple_salesforce_logs_in_with_password_and_security_token(emulator: RunningEmulator) -> None:
    sf = Salesforce(
        username="sync@emulator.local",
        password="emulator",
        security_token="token",
        session=login_session(emulator),
    )
    assert sf.sf_instance == emulator.instance
    assert sf.query("SELECT Id FROM User WHERE Username = 'sync@emulator.local'")["totalSize"] == 1


def test_salesforce_login_function_returns_a_session_usable_for_rest(emulator: RunningEmulator) -> None:
    session_id, instance = SalesforceLogin(
        username="sync@emulator.local",
        password="emulator",
        security_token="token",
        session=login_session(emulator),
    )
    sf = Salesforce(session_id=session_id, instance=instance, session=https_session(emulator))
    assert sf.query("SELECT COUNT() FROM LeadStatus")["totalSize"] == 4


def test_a_wrong_security_token_is_refused_with_invalid_login(emulator: RunningEmulator) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(
            username="sync@emulator.local",
            password="emulator",
            security_token="nope",
            session=login_session(emulator),
        )
    assert info.value.code == "INVALID_LOGIN"


def test_raw_login_answers_unprefixed_session_id_and_the_listener_url(emulator: RunningEmulator) -> None:
    response = soap_post(
        f"{emulator.http_url}/services/Soap/u/59.0",
        LOGIN.format(username="SYNC@emulator.local", password="emulatortoken"),
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    server_url = re.search(r"<serverUrl>(.*?)</serverUrl>", response.text).group(1)  # type: ignore[union-attr]
    assert server_url.startswith(f"{emulator.http_url}/services/Soap/u/59.0/00D")
    token = re.search(r"<sessionId>(.*?)</sessionId>", response.text).group(1)  # type: ignore[union-attr]
    rest = requests.get(
        f"{emulator.http_url}/services/data/v59.0/limits",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert rest.status_code == 200


def test_a_failed_raw_login_is_a_soap_fault_with_http_500(emulator: RunningEmulator) -> None:
    response = soap_post(
        f"{emulator.http_url}/services/Soap/u/59.0", LOGIN.format(username="nobody@x.com", password="x")
    )
    assert response.status_code == 500
    root = ET.fromstring(response.content)
    assert "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in response.text
    assert root.find(".//faultcode").text == "sf:INVALID_LOGIN"  # type: ignore[union-attr]


def test_an_expired_session_makes_convert_lead_fail_with_invalid_session_id(
    emulator: RunningEmulator,
) -> None:
    token = emulator.token()
    emulator.expire_sessions()
    body = f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
      <soapenv:Header><SessionHeader xmlns="{PARTNER}"><sessionId>{token}</sessionId></SessionHeader>
      </soapenv:Header>
      <soapenv:Body><convertLead xmlns="{PARTNER}"><leadConverts><leadId>00Q5g0000000001EAA</leadId>
      <convertedStatus>Closed - Converted</convertedStatus></leadConverts></convertLead></soapenv:Body>
    </soapenv:Envelope>"""
    response = soap_post(f"{emulator.base_url}/services/Soap/u/59.0", body, verify=emulator.ca_file)
    assert response.status_code == 500
    assert "<faultcode>sf:INVALID_SESSION_ID</faultcode>" in response.text


def test_a_body_that_is_not_xml_is_a_client_fault(emulator: RunningEmulator) -> None:
    response = soap_post(f"{emulator.http_url}/services/Soap/u/59.0", "not xml")
    assert response.status_code == 500
    assert "<faultcode>soapenv:Client</faultcode>" in response.text


def test_organization_id_login_from_a_trusted_range_needs_no_security_token(
    emulator: RunningEmulator,
) -> None:
    sf = Salesforce(
        username="sync@emulator.local", password="emulator", organizationId="00D5g000004EmUL",
        session=login_session(emulator),
    )  # fmt: skip
    assert sf.query("SELECT Name FROM Organization")["records"][0]["Name"] == "Emulated Org"
