"""Lead assignment rules: REST runs them unless told FALSE, SOAP only when asked; emails only through SOAP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
import requests
from simple_salesforce import Salesforce, SalesforceMalformedRequest  # noqa: TID251

from sfdc_emulator.testing import ControlError, RunningEmulator
from tests.emulator.conftest import https_session
from tests.emulator.test_bulk2_ingest import rows
from tests.emulator.test_soap_convert import convert

PARTNER = "urn:partner.soap.sforce.com"
NS = {"p": PARTNER}
NO_ASSIGN = {"Sforce-Auto-Assign": "FALSE"}


def owner(sf: Salesforce, lead_id: str) -> str:
    return sf.Lead.get(lead_id)["OwnerId"]


def queue_id(emulator: RunningEmulator) -> str:
    return emulator.query("SELECT Id FROM Group WHERE DeveloperName = 'Lead_Queue'")[0]["Id"]


def soap(emulator: RunningEmulator, operation: str, sobjects: list[dict], headers: str = "") -> list[dict]:
    """A partner `create`/`update` call with extra SOAP headers; the results as dicts."""
    parts = "".join(
        "<sObjects>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in item.items()) + "</sObjects>"
        for item in sobjects
    )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
     <soapenv:Header xmlns="{PARTNER}">
      <SessionHeader><sessionId>{emulator.token()}</sessionId></SessionHeader>{headers}</soapenv:Header>
     <soapenv:Body xmlns="{PARTNER}"><{operation}>{parts}</{operation}></soapenv:Body>
    </soapenv:Envelope>"""
    response = requests.post(
        f"{emulator.base_url}/services/Soap/u/59.0",
        data=body.encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        verify=emulator.ca_file,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [
        {
            "id": r.findtext("p:id", namespaces=NS) or None,
            "success": r.findtext("p:success", namespaces=NS) == "true",
            "errors": [e.findtext("p:statusCode", namespaces=NS) for e in r.iterfind("p:errors", NS)],
        }
        for r in ET.fromstring(response.content).iterfind(f".//p:{operation}Response/p:result", NS)
    ]


USE_DEFAULT_RULE = "<AssignmentRuleHeader><useDefaultRule>true</useDefaultRule></AssignmentRuleHeader>"
USER_EMAIL = "<EmailHeader><triggerUserEmail>true</triggerUserEmail></EmailHeader>"


def test_a_rest_create_without_the_header_runs_the_active_rule_over_an_explicit_owner(emulator, sf):
    german = sf.Lead.create({"LastName": "Koch", "Company": "Acme GmbH", "Country": "Germany"})["id"]
    french = sf.Lead.create({"LastName": "Roux", "Company": "Acme SA", "Country": "France"})["id"]
    other = sf.Lead.create(
        {"LastName": "Ng", "Company": "Acme", "Country": "Canada", "OwnerId": emulator.org.admin_id}
    )["id"]
    assert owner(sf, german) == queue_id(emulator)
    assert owner(sf, french) == emulator.org.user_id("rep2")
    assert owner(sf, other) == emulator.org.user_id("rep")  # the rule's default owner wins over OwnerId


def test_sforce_auto_assign_false_keeps_the_owner_given_or_the_creator(emulator, sf):
    given = sf.Lead.create(
        {"LastName": "Koch", "Company": "Acme", "Country": "Germany", "OwnerId": emulator.org.admin_id},
        headers=NO_ASSIGN,
    )["id"]
    creator = sf.Lead.create({"LastName": "Roux", "Company": "Acme", "Country": "France"}, headers=NO_ASSIGN)[
        "id"
    ]
    assert owner(sf, given) == emulator.org.admin_id
    assert owner(sf, creator) == emulator.org.sync_user_id


def test_every_rest_update_reruns_assignment_unless_it_says_false(emulator, sf):
    lead_id = sf.Lead.create({"LastName": "Ng", "Company": "Acme"}, headers=NO_ASSIGN)["id"]
    sf.Lead.update(lead_id, {"Title": "CTO"}, headers=NO_ASSIGN)
    assert owner(sf, lead_id) == emulator.org.sync_user_id
    sf.Lead.update(lead_id, {"Title": "CEO"})
    assert owner(sf, lead_id) == emulator.org.user_id("rep")


def test_a_rule_id_in_the_header_runs_that_rule_even_when_inactive(emulator, sf):
    rule = emulator.set_assignment_rule(
        "Everything To Admin", {"object": "Lead", "active": False, "entries": [], "default_owner": "admin"}
    )
    lead_id = sf.Lead.create(
        {"LastName": "Ng", "Company": "Acme"}, headers={"Sforce-Auto-Assign": rule["id"]}
    )["id"]
    assert owner(sf, lead_id) == emulator.org.admin_id


def test_assignment_rules_are_queryable_and_only_one_is_active(emulator, sf):
    soql = "SELECT Id, Name FROM AssignmentRule WHERE SobjectType = 'Lead' AND Active = true"
    [active] = sf.query(soql)["records"]
    assert (active["Name"], active["Id"][:3]) == ("Lead Routing", "01Q")
    emulator.set_assignment_rule("Round Robin", {"object": "Lead", "entries": [], "default_owner": "rep2"})
    assert [r["Name"] for r in sf.query(soql)["records"]] == ["Round Robin"]
    assert owner(sf, sf.Lead.create({"LastName": "Ng", "Company": "Acme"})["id"]) == emulator.org.user_id(
        "rep2"
    )
    with pytest.raises(SalesforceMalformedRequest):
        sf.AssignmentRule.create({"Name": "Mine", "SobjectType": "Lead"})


def test_collections_and_composite_pass_the_header_to_their_records(emulator, sf):
    records = [{"attributes": {"type": "Lead"}, "LastName": "Koch", "Company": "Acme", "Country": "Germany"}]
    [kept] = sf.restful("composite/sobjects", method="POST", json={"records": records}, headers=NO_ASSIGN)
    [assigned] = sf.restful("composite/sobjects", method="POST", json={"records": records})
    assert owner(sf, kept["id"]) == emulator.org.sync_user_id
    assert owner(sf, assigned["id"]) == queue_id(emulator)

    def sub(ref: str, headers: dict | None = None) -> dict:
        record = {"attributes": {"type": "Lead"}, "id": kept["id"], "Title": ref}
        out = {"method": "PATCH", "url": "/services/data/v59.0/composite/sobjects", "referenceId": ref,
               "body": {"records": [record]}}  # fmt: skip
        return {**out, "httpHeaders": headers} if headers else out

    sf.restful("composite", method="POST", json={"compositeRequest": [sub("outer")]}, headers=NO_ASSIGN)
    assert owner(sf, kept["id"]) == emulator.org.sync_user_id
    sf.restful("composite", method="POST", json={"compositeRequest": [sub("inner", NO_ASSIGN)]})
    assert owner(sf, kept["id"]) == emulator.org.sync_user_id
    sf.restful("composite", method="POST", json={"compositeRequest": [sub("none")]})
    assert owner(sf, kept["id"]) == queue_id(emulator)


def test_soap_runs_rules_only_with_the_header_and_emails_only_with_trigger_user_email(emulator, sf):
    lead = {"type": "Lead", "LastName": "Roux", "Company": "Acme SA", "Country": "France"}
    [plain] = soap(emulator, "create", [lead])
    [silent] = soap(emulator, "create", [lead], USE_DEFAULT_RULE)
    [told] = soap(emulator, "create", [lead], USE_DEFAULT_RULE + USER_EMAIL)
    assert owner(sf, plain["id"]) == emulator.org.sync_user_id
    assert owner(sf, silent["id"]) == owner(sf, told["id"]) == emulator.org.user_id("rep2")
    [email] = emulator.emails()
    assert (email["to_id"], email["to_address"], email["reason"], email["record_id"]) == (
        emulator.org.user_id("rep2"),
        "rep2@emulator.local",
        "lead_assignment",
        told["id"],
    )


def test_soap_update_with_a_rule_id_reassigns_and_a_transfer_can_notify_the_new_owner(emulator, sf):
    lead_id = sf.Lead.create({"LastName": "Ng", "Company": "Acme"}, headers=NO_ASSIGN)["id"]
    rule = emulator.set_assignment_rule(
        "To The SDR", {"object": "Lead", "active": False, "entries": [], "default_owner": "rep2"}
    )
    header = f"<AssignmentRuleHeader><assignmentRuleId>{rule['id']}</assignmentRuleId></AssignmentRuleHeader>"
    [result] = soap(emulator, "update", [{"type": "Lead", "Id": lead_id, "Title": "CTO"}], header)
    assert result["success"] is True
    assert owner(sf, lead_id) == emulator.org.user_id("rep2")
    assert emulator.emails() == []  # a rule entry without a template, and no EmailHeader
    soap(emulator, "update", [{"type": "Lead", "Id": lead_id, "OwnerId": emulator.org.admin_id}], USER_EMAIL)
    assert [(e["to_id"], e["reason"]) for e in emulator.emails()] == [(emulator.org.admin_id, "owner_change")]


def test_rest_writes_never_send_email(emulator, sf):
    sf.Lead.create({"LastName": "Roux", "Company": "Acme", "Country": "France"})
    assert emulator.emails() == []


def test_convert_lead_emails_the_new_owner_only_when_asked(emulator, sf):
    first = sf.Lead.create({"LastName": "Lee", "Company": "Acme"}, headers=NO_ASSIGN)["id"]
    second = sf.Lead.create({"LastName": "Kim", "Company": "Beta"}, headers=NO_ASSIGN)["id"]
    rep = emulator.org.user_id("rep")
    convert(emulator, {"leadId": first, "convertedStatus": "Closed - Converted", "ownerId": rep})
    assert emulator.emails() == []
    convert(
        emulator,
        {
            "leadId": second,
            "convertedStatus": "Closed - Converted",
            "ownerId": rep,
            "sendNotificationEmail": True,
        },
    )
    [email] = emulator.emails()
    assert (email["to_id"], email["reason"], email["record_id"]) == (rep, "lead_convert", second)
    emulator.reset()
    assert emulator.emails() == []


def test_a_queue_cannot_own_a_contact_or_objects_it_does_not_support(emulator, sf):
    queue = queue_id(emulator)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "Ng", "OwnerId": queue})
    assert caught.value.content == [
        {
            "message": f"Owner ID: id value of incorrect type: {queue}",
            "errorCode": "FIELD_INTEGRITY_EXCEPTION",
            "fields": ["OwnerId"],
        }
    ]
    lead_id = sf.Lead.create({"LastName": "Ng", "Company": "Acme", "OwnerId": queue}, headers=NO_ASSIGN)["id"]
    assert owner(sf, lead_id) == queue
    other = sf.Group.create({"Name": "Case Queue", "DeveloperName": "Case_Queue", "Type": "Queue"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(lead_id, {"OwnerId": other}, headers=NO_ASSIGN)
    assert caught.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_the_control_api_refuses_a_rule_that_names_no_owner_or_a_queue_without_leads(emulator, sf):
    with pytest.raises(ControlError, match="no user or queue"):
        emulator.set_assignment_rule("Bad", {"object": "Lead", "entries": [{"assign_to": "nobody"}]})
    sf.Group.create({"Name": "Case Queue", "DeveloperName": "Case_Queue", "Type": "Queue"})
    with pytest.raises(ControlError, match="does not support Lead"):
        emulator.set_assignment_rule("Bad", {"object": "Lead", "default_owner": "Case Queue"})
    assert [r["name"] for r in emulator.assignment_rules()] == ["Lead Routing"]


def test_bulk_ingest_runs_a_rule_only_when_the_job_names_one(emulator, sf):
    """simple-salesforce has no assignmentRuleId: the job is driven over raw HTTP, as the API guide shows."""
    session = https_session(emulator)
    session.headers["Authorization"] = f"Bearer {emulator.token()}"
    base = f"{emulator.base_url}/services/data/v59.0/jobs/ingest"
    rule_id = sf.query("SELECT Id FROM AssignmentRule WHERE Active = true")["records"][0]["Id"]
    owners = []
    for extra in ({}, {"assignmentRuleId": rule_id}):
        job = session.post(base, json={"object": "Lead", "operation": "insert", **extra}).json()
        session.put(f"{base}/{job['id']}/batches", data=b"LastName,Company,Country\nKoch,Acme,Germany\n",
                    headers={"Content-Type": "text/csv"})  # fmt: skip
        session.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"})
        [row] = rows(session.get(f"{base}/{job['id']}/successfulResults").text)
        owners.append(owner(sf, row["sf__Id"]))
    assert owners == [emulator.org.sync_user_id, queue_id(emulator)]
