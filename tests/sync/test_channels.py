"""Which synced objects stream: custom objects too, as far as the org's change-event selection allows."""

from __future__ import annotations

import pytest

from syncapp.models import CustomObjectType, StreamChannel
from syncapp.salesforce.client import connect, sobject_of_event
from syncapp.sync.channels import channels_ensure, selection_refresh, streamed_objects, subscribed

pytestmark = pytest.mark.django_db

SELECTION = ["Account", "CampaignMember", "Contact", "Lead", "Subscription__c"]


def published() -> dict[str, bool | None]:
    return dict(StreamChannel.objects.values_list("sobject", "published"))


def test_an_enabled_custom_object_streams_on_its_channel_and_a_disabled_one_does_not():
    CustomObjectType.objects.create(api_name="Subscription__c")
    CustomObjectType.objects.create(api_name="Invoice__c", enabled=False)

    channels = {c.sobject: c.channel for c in channels_ensure()}

    assert channels["Subscription__c"] == "/data/Subscription__ChangeEvent"
    assert "Invoice__c" not in channels
    assert "Group" not in streamed_objects()  # queues have no change events


@pytest.mark.parametrize(
    ("selected", "sobject"),
    [("LeadChangeEvent", "Lead"), ("Subscription__ChangeEvent", "Subscription__c")],
)
def test_a_selected_entity_names_its_sobject(selected, sobject):
    assert sobject_of_event(selected) == sobject


def test_the_orgs_selection_decides_which_channels_are_subscribed(emulator):
    CustomObjectType.objects.create(api_name="Subscription__c")
    channels_ensure()

    selection_refresh(connect())  # the default five: Lead, Contact, Account, Opportunity, CampaignMember
    assert published()["Opportunity"] is True
    assert published()["Subscription__c"] is False
    assert published()["Task"] is False

    emulator.select_change_events(SELECTION)
    selection_refresh(connect())
    assert published()["Subscription__c"] is True
    assert published()["Opportunity"] is False
    assert {c.sobject for c in subscribed(StreamChannel.objects.all())} == set(SELECTION)


def test_a_selection_that_cannot_be_read_subscribes_every_channel(emulator):
    channels_ensure()
    emulator.inject_fault("request_limit", count=10, path="/tooling/query")

    assert selection_refresh(connect()) is None

    assert set(published().values()) == {None}
    assert len(subscribed(StreamChannel.objects.all())) == len(streamed_objects())
