"""SOAP convertLead over HTTPS with raw XML, the way the app's small SOAP client calls it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
import requests
from simple_salesforce import Salesforce  # noqa: TID251
from simple_salesforce.exceptions import SalesforceMalformedRequest  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator

PARTNER = "urn:partner.soap.sforce.com"
NS = {"p": PARTNER}


def convert(emulator: RunningEmulator, *items: dict[str, object], token: str | None = None) -> list[dict]:
    """POST convertLead with one <leadConverts> per item; the results as dicts (errors as a list)."""
    parts = []
    for item in items:
        fields = "".join(
            f"<{k}>{escape(str(v).lower() if isinstance(v, bool) else str(v))}</{k}>" for k, v in item.items()
        )
        parts.append(f"<leadConverts>{fields}</leadConverts>")
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
     <soapenv:Header xmlns="{PARTNER}"><SessionHeader><sessionId>{token or emulator.token()}</sessionId>
     </SessionHeader></soapenv:Header>
     <soapenv:Body xmlns="{PARTNER}"><convertLead>{"".join(parts)}</convertLead></soapenv:Body>
    </soapenv:Envelope>"""
    response = requests.post(
        f"{emulator.base_url}/services/Soap/u/59.0",
        data=body.encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        verify=emulator.ca_file,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    results = []
    for result in ET.fromstring(response.content).iterfind(".//p:convertLeadResponse/p:result", NS):
        out: dict[str, object] = {
            name: result.findtext(f"p:{name}", namespaces=NS) or None
            for name in ("accountId", "contactId", "leadId", "opportunityId")
        }
        out["success"] = result.findtext("p:success", namespaces=NS) == "true"
        out["errors"] = [
            {
                "statusCode": e.findtext("p:statusCode", namespaces=NS),
                "message": e.findtext("p:message", namespaces=NS),
            }
            for e in result.iterfind("p:errors", NS)
        ]
        results.append(out)
    return results


def new_lead(sf: Salesforce, **values: object) -> str:
    body = {"FirstName": "Ann", "LastName": "Lee", "Company": "Acme GmbH", "Email": "ann@acme.example",
            "Phone": "+49 30 1234567", "City": "Berlin", "PostalCode": "10115", "Country": "Germany",
            "LeadSource": "Web", **values}  # fmt: skip
    # FALSE: the org's assignment rule would give a German lead to the lead queue (see test_assignment.py).
    return sf.Lead.create(body, headers={"Sforce-Auto-Assign": "FALSE"})["id"]


def test_convert_creates_account_contact_and_opportunity_from_the_lead(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead_id = new_lead(sf)
    before = sf.Lead.get(lead_id)["SystemModstamp"]
    emulator.set_clock(advance_seconds=5)
    [result] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})
    assert result["success"] is True
    assert str(result["accountId"]).startswith("001")
    assert str(result["contactId"]).startswith("003")
    assert str(result["opportunityId"]).startswith("006")
    account = sf.Account.get(result["accountId"])
    assert (account["Name"], account["BillingCity"], account["BillingCountry"]) == (
        "Acme GmbH",
        "Berlin",
        "Germany",
    )
    contact = sf.Contact.get(result["contactId"])
    assert (contact["FirstName"], contact["LastName"], contact["Email"]) == ("Ann", "Lee", "ann@acme.example")
    assert (contact["AccountId"], contact["MailingPostalCode"], contact["LeadSource"]) == (
        result["accountId"], "10115", "Web",
    )  # fmt: skip
    opportunity = sf.Opportunity.get(result["opportunityId"])
    assert (opportunity["Name"], opportunity["AccountId"]) == ("Acme GmbH-", result["accountId"])
    lead = sf.Lead.get(lead_id)
    assert lead["IsConverted"] is True
    assert lead["Status"] == "Closed - Converted"
    assert (lead["ConvertedAccountId"], lead["ConvertedContactId"], lead["ConvertedOpportunityId"]) == (
        result["accountId"], result["contactId"], result["opportunityId"],
    )  # fmt: skip
    assert lead["ConvertedDate"] == lead["SystemModstamp"][:10]
    assert lead["SystemModstamp"] > before
    updated = sf.query(f"SELECT Id FROM Lead WHERE SystemModstamp > {before.replace('+0000', 'Z')}")
    assert [r["Id"] for r in updated["records"]] == [lead_id]


def test_convert_into_an_existing_account_without_an_opportunity(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    account_id = sf.Account.create({"Name": "Existing AG", "Phone": "+49 89 111"})["id"]
    lead_id = new_lead(sf, Phone="+49 30 999", Website="https://acme.example")
    [result] = convert(
        emulator,
        {"leadId": lead_id, "convertedStatus": "Closed - Converted", "accountId": account_id,
         "doNotCreateOpportunity": True},
    )  # fmt: skip
    assert result["success"] is True
    assert result["accountId"] == account_id
    assert result["opportunityId"] is None
    account = sf.Account.get(account_id)
    # Merging into an existing account only fills its empty fields.
    assert (account["Name"], account["Phone"], account["Website"]) == (
        "Existing AG",
        "+49 89 111",
        "https://acme.example",
    )
    assert sf.Contact.get(result["contactId"])["AccountId"] == account_id
    assert sf.Lead.get(lead_id)["ConvertedOpportunityId"] is None
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 0


def test_convert_into_an_existing_contact_with_a_named_opportunity_and_owner(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    account_id = sf.Account.create({"Name": "Existing AG"})["id"]
    contact_id = sf.Contact.create({"LastName": "Lee", "AccountId": account_id, "LeadSource": "Other"})["id"]
    lead_id = new_lead(sf)
    rep = emulator.org.user_id("rep")
    [result] = convert(
        emulator,
        {"leadId": lead_id, "convertedStatus": "Closed - Converted", "accountId": account_id,
         "contactId": contact_id, "opportunityName": "Acme - New Business", "ownerId": rep,
         "overwriteLeadSource": True, "sendNotificationEmail": True},
    )  # fmt: skip
    assert result["success"] is True
    assert result["contactId"] == contact_id
    contact = sf.Contact.get(contact_id)
    assert (contact["FirstName"], contact["LeadSource"]) == ("Ann", "Web")
    opportunity = sf.Opportunity.get(result["opportunityId"])
    assert (opportunity["Name"], opportunity["OwnerId"]) == ("Acme - New Business", rep)


def test_a_status_that_does_not_convert_fails_with_invalid_status(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead_id = new_lead(sf)
    [result] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Working - Contacted"})
    assert result["success"] is False
    assert result["errors"] == [
        {"statusCode": "INVALID_STATUS", "message": "invalid convertedStatus: Working - Contacted"}
    ]
    assert sf.Lead.get(lead_id)["IsConverted"] is False
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0


def test_a_converted_lead_cannot_be_converted_again_nor_updated(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead_id = new_lead(sf)
    assert convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})[0]["success"]
    [again] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})
    assert again["success"] is False
    assert again["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead_id, {"Title": "CEO"})
    assert info.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 1


def test_several_leads_in_one_call_get_one_result_each_in_order(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    first, second, third = new_lead(sf), new_lead(sf, Company="Beta"), new_lead(sf, Company="Gamma")
    results = convert(
        emulator,
        {"leadId": first, "convertedStatus": "Closed - Converted"},
        {"leadId": second, "convertedStatus": "Nope"},
        {"leadId": third, "convertedStatus": "Closed - Converted", "doNotCreateOpportunity": True},
    )
    assert [(r["leadId"], r["success"]) for r in results] == [(first, True), (second, False), (third, True)]
    converted = sf.query("SELECT Id FROM Lead WHERE IsConverted = true ORDER BY Id")["records"]
    assert [r["Id"] for r in converted] == sorted([first, third])


def test_a_validation_rule_on_the_new_contact_rolls_the_conversion_back(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead_id = new_lead(sf, PostalCode=None)
    [result] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})
    assert result["success"] is False
    assert result["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0
    assert sf.Lead.get(lead_id)["IsConverted"] is False


def test_campaign_membership_and_activities_follow_the_lead_to_its_contact(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead_id = new_lead(sf)
    campaign_id = sf.Campaign.create({"Name": "Webinar"})["id"]
    member_id = sf.CampaignMember.create({"CampaignId": campaign_id, "LeadId": lead_id, "Status": "Sent"})[
        "id"
    ]
    task_id = sf.Task.create({"WhoId": lead_id, "Subject": "Call"})["id"]
    [result] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})
    assert sf.CampaignMember.get(member_id)["ContactId"] == result["contactId"]
    task = sf.Task.get(task_id)
    assert (task["WhoId"], task["WhatId"]) == (result["contactId"], result["opportunityId"])


def test_an_unknown_lead_id_is_an_invalid_cross_reference(emulator: RunningEmulator) -> None:
    [result] = convert(emulator, {"leadId": "00Q5g000009ZZZZEAA", "convertedStatus": "Closed - Converted"})
    assert result["success"] is False
    assert result["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_a_queue_owned_lead_converts_only_with_a_user_as_owner(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    lead = {"LastName": "Koch", "Company": "Acme GmbH", "Country": "Germany", "PostalCode": "10115"}
    lead_id = sf.Lead.create(lead)["id"]
    queue = sf.Lead.get(lead_id)["OwnerId"]
    assert queue.startswith("00G")  # the assignment rule's lead queue
    [refused] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted"})
    assert (refused["success"], refused["errors"][0]["statusCode"]) == (False, "FIELD_INTEGRITY_EXCEPTION")
    assert sf.Lead.get(lead_id)["IsConverted"] is False
    rep = emulator.org.user_id("rep")
    [result] = convert(emulator, {"leadId": lead_id, "convertedStatus": "Closed - Converted", "ownerId": rep})
    assert result["success"] is True
    assert sf.Contact.get(result["contactId"])["OwnerId"] == rep
