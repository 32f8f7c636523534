"""The person form refuses what Salesforce would refuse, from the describe the schema step stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncapp import models, services
from syncapp.models import OutboundChange, Person
from tests import factories as f

FORM_FIELDS = ("first_name", "last_name", "email", "company", "title", "phone", "city", "country")


@pytest.fixture
def lead(emulator, db) -> Person:
    """A lead pulled from the org, with the org's describe stored by the cycle's schema step."""
    result = services.sync_cycle_run(trigger="test")
    assert result.run is not None
    return (
        Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False)
        .exclude(email="")
        .first()
    )


def person_form(person: Person, **changes: object) -> dict[str, object]:
    data = {name: getattr(person, name) for name in (*FORM_FIELDS, "status", "lead_source")}
    if person.unsubscribed:
        data["unsubscribed"] = "on"
    data.update(changes)
    data["_save"] = "Save"
    return data


def change_url(person: Person) -> str:
    return reverse("admin:syncapp_lead_change", args=[person.pk])


def test_the_lead_form_offers_salesforces_values_and_lengths(admin_client, lead):
    page = admin_client.get(change_url(lead)).content.decode()
    status = page[page.index('<select name="status"') :]
    status = status[: status.index("</select>")]

    assert '<option value="Working - Contacted"' in status, "a restricted picklist is a select"
    assert '<option value="Closed - Not Converted"' in status
    assert 'list="id_lead_source_values"' in page, "an open picklist suggests its values"
    assert '<datalist id="id_lead_source_values"><option value="Web">' in page
    assert 'name="first_name"' in page
    assert (
        'maxlength="40"'
        in page[page.index('name="first_name"') - 200 : page.index('name="first_name"') + 200]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "ada at example dot com"}, "Enter a valid email address."),
        ({"first_name": "A" * 41}, "Ensure this value has at most 40 characters (it has 41)."),
        ({"status": "Hot!!"}, "Select a valid choice. Hot!! is not one of the available choices."),
        ({"last_name": ""}, "This field is required."),
    ],
    ids=[
        "invalid email",
        "longer than FirstName's 40",
        "not in the restricted Lead Status",
        "required LastName",
    ],
)
def test_a_value_salesforce_would_refuse_is_a_form_error_and_queues_nothing(
    admin_client, lead, change, message
):
    response = admin_client.post(change_url(lead), person_form(lead, **change))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OutboundChange.objects.filter(local_id=lead.pk).exists()


def test_a_value_outside_an_open_picklist_is_accepted_and_reaches_salesforce(admin_client, lead, emulator):
    response = admin_client.post(change_url(lead), person_form(lead, lead_source="Hot!!"))
    services.sync_cycle_run(trigger="test")

    assert response.status_code == 302
    assert emulator.record("Lead", lead.sf_lead_id)["LeadSource"] == "Hot!!"


def test_the_schema_step_keeps_lengths_picklist_labels_and_restrictions(lead):
    status = models.FieldSetting.objects.get(sobject="Lead", api_name="Status")
    source = models.FieldSetting.objects.get(sobject="Lead", api_name="LeadSource")
    last_name = models.FieldSetting.objects.get(sobject="Lead", api_name="LastName")

    assert status.restricted_picklist
    assert not source.restricted_picklist
    assert ("Working - Contacted", "Working - Contacted") in status.picklist()
    assert status.picklist_values[0] == {
        "value": "Open - Not Contacted",
        "label": "Open - Not Contacted",
        "active": True,
        "default": True,
    }
    assert (last_name.length, last_name.nillable) == (80, False)


def test_a_restricted_picklist_shows_labels_hides_inactive_values_and_keeps_the_current_one(
    admin_client, mirror
):
    f.FieldSettingFactory(
        sobject="Lead",
        api_name="Status",
        type="picklist",
        restricted_picklist=True,
        nillable=False,
        picklist_values=[
            {
                "value": "Working - Contacted",
                "label": "Working (contacted)",
                "active": True,
                "default": False,
            },
            {"value": "Open - Not Contacted", "label": "Open", "active": False, "default": True},
            {"value": "Retired", "label": "Retired", "active": False, "default": False},
        ],
    )
    url = reverse("admin:syncapp_lead_change", args=[mirror.lead.pk])

    page = admin_client.get(url).content.decode()
    select = page[page.index('<select name="status"') :]
    select = select[: select.index("</select>")]
    saved = admin_client.post(url, person_form(mirror.lead, title="CTO"))

    assert '<option value="Working - Contacted">Working (contacted)</option>' in select
    assert "Retired" not in select, "inactive values are not offered"
    assert '<option value="Open - Not Contacted" selected>Open (no longer active' in select
    assert saved.status_code == 302, "an unrelated edit saves with the inactive value untouched"
    assert list(OutboundChange.objects.filter(local_id=mirror.lead.pk).values_list("field", flat=True)) == [
        "Title"
    ]


def test_a_campaign_name_longer_than_salesforces_80_characters_is_a_form_error(admin_client, lead):
    campaign = models.Campaign.objects.exclude(sf_id=None).first()
    url = reverse("admin:syncapp_campaign_change", args=[campaign.pk])
    data = {
        "name": "N" * 81,
        "type": campaign.type,
        "status": campaign.status,
        "start_date": campaign.start_date or "",
        "end_date": campaign.end_date or "",
        "_save": "Save",
    }
    if campaign.is_active:
        data["is_active"] = "on"

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, data)

    assert 'list="id_status_values"' in page, "Campaign Status suggests Salesforce's values"
    assert "Ensure this value has at most 80 characters (it has 81)." in response.content.decode()
    assert not OutboundChange.objects.filter(sobject="Campaign").exists()
