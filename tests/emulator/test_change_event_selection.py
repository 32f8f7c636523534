"""Custom objects' change events, and the org's selection as the Tooling API reports it."""

from __future__ import annotations

from simple_salesforce import Salesforce  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator import test_streaming
from tests.emulator.conftest import https_session
from tests.emulator.test_streaming import Bayeux, header

quick = test_streaming.quick  # the fixture: parked connects give up after one second

SELECTION = ["Account", "CampaignMember", "Contact", "Lead", "Subscription__c"]
MEMBERS = "SELECT Id, DeveloperName, EventChannel, SelectedEntity FROM PlatformEventChannelMember"


def tooling_query(emulator: RunningEmulator, soql: str) -> tuple[int, object]:
    response = https_session(emulator).get(
        f"{emulator.base_url}/services/data/v62.0/tooling/query",
        params={"q": soql},
        headers={"Authorization": f"Bearer {emulator.token()}"},
    )
    return response.status_code, response.json()


def new_subscription(emulator: RunningEmulator) -> str:
    """A Subscription__c record created before anyone listens (its CREATE is not what a test waits for)."""
    return emulator.create("Subscription__c", {"Name": "Pro plan", "Seats__c": 5})["id"]


def test_a_selected_custom_object_publishes_on_its_own_channel_without_the_c(quick: RunningEmulator) -> None:
    record = new_subscription(quick)
    quick.select_change_events(SELECTION)
    client = Bayeux(quick).start("/data/Subscription__ChangeEvent")

    quick.update("Subscription__c", record, {"Name": "Renewed"}, as_user="rep")

    [event] = client.connect()[0]
    assert event["channel"] == "/data/Subscription__ChangeEvent"
    assert header(event)["entityName"] == "Subscription__c"
    assert header(event)["recordIds"] == [record]
    assert header(event)["changeType"] == "UPDATE"
    assert event["data"]["payload"]["Name"] == "Renewed"


def test_a_custom_object_outside_the_selection_publishes_nothing(quick: RunningEmulator) -> None:
    record = new_subscription(quick)
    client = Bayeux(quick).start("/data/Subscription__ChangeEvent")  # the default five: no custom object

    quick.update("Subscription__c", record, {"Name": "Unheard"}, as_user="rep")

    assert client.connect()[0] == []


def test_the_tooling_api_lists_the_selection_as_channel_members(quick: RunningEmulator) -> None:
    quick.select_change_events(SELECTION)

    status, body = tooling_query(quick, MEMBERS + " WHERE EventChannel = 'ChangeEvents'")

    assert status == 200
    assert body["totalSize"] == 5
    assert {r["SelectedEntity"] for r in body["records"]} == {
        "AccountChangeEvent", "CampaignMemberChangeEvent", "ContactChangeEvent", "LeadChangeEvent",
        "Subscription__ChangeEvent",
    }  # fmt: skip
    assert {r["EventChannel"] for r in body["records"]} == {"ChangeEvents"}
    assert "ChangeEvents_Subscription__ChangeEvent" in {r["DeveloperName"] for r in body["records"]}
    assert all(r["attributes"]["type"] == "PlatformEventChannelMember" for r in body["records"])


def test_a_custom_channel_has_no_members_and_other_tooling_objects_are_refused(
    quick: RunningEmulator,
) -> None:
    status, body = tooling_query(quick, MEMBERS + " WHERE EventChannel = 'Orders__chn'")
    assert (status, body["totalSize"]) == (200, 0)

    status, body = tooling_query(quick, "SELECT Id FROM ApexClass")
    assert status == 400
    assert body[0]["errorCode"] == "INVALID_TYPE"

    status, body = tooling_query(quick, "SELECT Nope FROM PlatformEventChannelMember")
    assert status == 400
    assert body[0]["errorCode"] == "INVALID_FIELD"


def test_simple_salesforce_reads_the_selection_through_its_tooling_helper(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    result = sf.toolingexecute(
        "query/", params={"q": "SELECT SelectedEntity FROM PlatformEventChannelMember"}
    )

    assert "LeadChangeEvent" in {r["SelectedEntity"] for r in result["records"]}
