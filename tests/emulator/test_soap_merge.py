"""SOAP merge for leads, contacts and accounts: losers deleted with MasterRecordId, children re-parented."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import requests
from simple_salesforce import Salesforce  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator

PARTNER = "urn:partner.soap.sforce.com"
NS = {"p": PARTNER}


def merge(
    emulator: RunningEmulator,
    sobject: str,
    master: str,
    losers: list[str],
    token: str | None = None,
    **fields: str,
) -> dict[str, object]:
    values = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    ids = "".join(f"<recordToMergeIds>{x}</recordToMergeIds>" for x in losers)
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ens="urn:sobject.partner.soap.sforce.com">
     <soapenv:Header><SessionHeader xmlns="{PARTNER}"><sessionId>{token or emulator.token()}</sessionId>
     </SessionHeader></soapenv:Header>
     <soapenv:Body><merge xmlns="{PARTNER}"><request>
       <masterRecord xsi:type="ens:sObject"><ens:type>{sobject}</ens:type><ens:Id>{master}</ens:Id>{values}
       </masterRecord>{ids}</request></merge></soapenv:Body>
    </soapenv:Envelope>"""
    response = requests.post(
        f"{emulator.base_url}/services/Soap/u/59.0",
        data=body.encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        verify=emulator.ca_file,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    result = ET.fromstring(response.content).find(".//p:mergeResponse/p:result", NS)
    assert result is not None
    return {
        "id": result.findtext("p:id", namespaces=NS),
        "success": result.findtext("p:success", namespaces=NS) == "true",
        "merged": [e.text for e in result.iterfind("p:mergedRecordIds", NS)],
        "related": [e.text for e in result.iterfind("p:updatedRelatedIds", NS)],
        "errors": [e.findtext("p:statusCode", namespaces=NS) for e in result.iterfind("p:errors", NS)],
    }


def test_merging_leads_deletes_the_losers_with_master_record_id_and_moves_their_children(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    master, loser1, loser2 = (
        sf.Lead.create({"LastName": name, "Company": "Acme"})["id"] for name in ("Lee", "Lee2", "Lee3")
    )
    campaign = sf.Campaign.create({"Name": "Webinar"})["id"]
    member = sf.CampaignMember.create({"CampaignId": campaign, "LeadId": loser1, "Status": "Sent"})["id"]
    task = sf.Task.create({"WhoId": loser2, "Subject": "Call"})["id"]
    before = sf.Task.get(task)["SystemModstamp"]
    emulator.set_clock(advance_seconds=3)

    result = merge(emulator, "Lead", master, [loser1, loser2], Title="CEO")

    assert result["success"] is True
    assert result["merged"] == [loser1, loser2]
    assert set(result["related"]) == {member, task}  # type: ignore[arg-type]
    assert sf.Lead.get(master)["Title"] == "CEO"
    assert [r["Id"] for r in sf.query("SELECT Id FROM Lead")["records"]] == [master]
    soql = f"SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id IN ('{loser1}', '{loser2}')"
    gone = sf.query_all(soql, include_deleted=True)["records"]
    assert {(r["Id"], r["IsDeleted"], r["MasterRecordId"]) for r in gone} == {
        (loser1, True, master), (loser2, True, master),
    }  # fmt: skip
    assert sf.CampaignMember.get(member)["LeadId"] == master
    moved = sf.Task.get(task)
    assert moved["WhoId"] == master
    assert moved["SystemModstamp"] > before


def test_merging_contacts_moves_opportunity_roles_and_drops_a_duplicate_campaign_membership(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    master = sf.Contact.create({"LastName": "Lee", "AccountId": account})["id"]
    loser = sf.Contact.create({"LastName": "Lee", "AccountId": account})["id"]
    opportunity = sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2030-01-31", "AccountId": account}
    )["id"]
    role = sf.OpportunityContactRole.create({"OpportunityId": opportunity, "ContactId": loser})["id"]
    campaign = sf.Campaign.create({"Name": "Webinar"})["id"]
    sf.CampaignMember.create({"CampaignId": campaign, "ContactId": master, "Status": "Sent"})
    duplicate = sf.CampaignMember.create({"CampaignId": campaign, "ContactId": loser, "Status": "Sent"})["id"]

    result = merge(emulator, "Contact", master, [loser])

    assert result["success"] is True
    assert sf.OpportunityContactRole.get(role)["ContactId"] == master
    members = sf.query(f"SELECT ContactId FROM CampaignMember WHERE CampaignId = '{campaign}'")["records"]
    assert [m["ContactId"] for m in members] == [master]
    assert duplicate not in [m["Id"] for m in sf.query("SELECT Id FROM CampaignMember")["records"]]
    now = emulator.org.clock.now()
    deleted = sf.Contact.deleted(now - timedelta(days=1), now + timedelta(minutes=1))
    assert [r["id"] for r in deleted["deletedRecords"]] == [loser]


def test_merging_accounts_moves_their_contacts(emulator: RunningEmulator, sf: Salesforce) -> None:
    master = sf.Account.create({"Name": "Acme"})["id"]
    loser = sf.Account.create({"Name": "ACME Inc"})["id"]
    contact = sf.Contact.create({"LastName": "Lee", "AccountId": loser})["id"]
    assert merge(emulator, "Account", master, [loser])["success"] is True
    assert sf.Contact.get(contact)["AccountId"] == master


def test_merge_refuses_more_than_two_losers_and_unmergeable_types(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    ids = [sf.Lead.create({"LastName": f"L{i}", "Company": "Acme"})["id"] for i in range(4)]
    too_many = merge(emulator, "Lead", ids[0], ids[1:])
    assert (too_many["success"], too_many["errors"]) == (False, ["LIMIT_EXCEEDED"])
    campaign = sf.Campaign.create({"Name": "Webinar"})["id"]
    wrong_type = merge(emulator, "Campaign", campaign, [campaign])
    assert (wrong_type["success"], wrong_type["errors"]) == (False, ["INVALID_TYPE"])
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
