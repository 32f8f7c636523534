"""Campaign members and tasks as Salesforce keeps them: default statuses, one membership, Task defaults."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce, SalesforceMalformedRequest  # noqa: TID251

NO_ASSIGN = {"Sforce-Auto-Assign": "FALSE"}


@pytest.fixture
def campaign(sf: Salesforce) -> str:
    return sf.Campaign.create({"Name": "Autumn Webinar", "IsActive": True})["id"]


@pytest.fixture
def lead(sf: Salesforce) -> str:
    return sf.Lead.create({"LastName": "Ng", "Company": "Acme"}, headers=NO_ASSIGN)["id"]


def test_a_new_campaign_starts_with_sent_as_default_and_responded(sf, campaign):
    statuses = sf.query(
        f"SELECT Label, IsDefault, HasResponded FROM CampaignMemberStatus WHERE CampaignId = '{campaign}' "
        "ORDER BY SortOrder"
    )["records"]
    assert [(s["Label"], s["IsDefault"], s["HasResponded"]) for s in statuses] == [
        ("Sent", True, False),
        ("Responded", False, True),
    ]


def test_a_member_gets_the_default_status_and_responded_sets_the_flag(sf, campaign, lead):
    member = sf.CampaignMember.create({"CampaignId": campaign, "LeadId": lead})["id"]
    assert sf.CampaignMember.get(member)["Status"] == "Sent"
    sf.CampaignMember.update(member, {"Status": "responded"})
    row = sf.CampaignMember.get(member)
    assert (row["Status"], row["HasResponded"]) == ("Responded", True)


def test_the_same_person_cannot_join_a_campaign_twice(sf, campaign, lead):
    sf.CampaignMember.create({"CampaignId": campaign, "LeadId": lead})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.CampaignMember.create({"CampaignId": campaign, "LeadId": lead})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_a_status_the_campaign_does_not_have_is_refused(sf, campaign, lead):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.CampaignMember.create({"CampaignId": campaign, "LeadId": lead, "Status": "Attended"})
    assert caught.value.content[0]["fields"] == ["Status"]


def test_a_members_lead_and_contact_cannot_change_after_create(sf, campaign, lead):
    member = sf.CampaignMember.create({"CampaignId": campaign, "LeadId": lead})["id"]
    other = sf.Lead.create({"LastName": "Kim", "Company": "Beta"}, headers=NO_ASSIGN)["id"]
    contact = sf.Contact.create({"LastName": "Kim"})["id"]
    for field, value in (("LeadId", other), ("ContactId", contact)):
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.CampaignMember.update(member, {field: value})
        assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert sf.CampaignMember.get(member)["LeadId"] == lead


def test_a_task_takes_salesforces_defaults_and_any_subject(emulator, sf, lead):
    task_id = sf.Task.create(
        {
            "Subject": "Follow up on the webinar",
            "WhoId": lead,
            "ActivityDate": "2026-12-04",
            "Description": "x",
        }
    )["id"]
    task = sf.Task.get(task_id)
    assert (task["Status"], task["Priority"], task["OwnerId"]) == (
        "Not Started",
        "Normal",
        emulator.org.sync_user_id,
    )
    assert (task["WhoId"], task["ActivityDate"], task["IsClosed"]) == (lead, "2026-12-04", False)
    subject = next(f for f in sf.Task.describe()["fields"] if f["name"] == "Subject")
    assert subject["type"] == "combobox"
    assert [v["value"] for v in subject["picklistValues"]] == ["Call", "Send Letter", "Send Quote", "Other"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "Call", "Priority": "Urgent"})
    assert caught.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
