"""Edits made in the admin go through the services: saved locally, queued in the outbox for Salesforce."""

from __future__ import annotations

from django.urls import reverse

from syncapp import models
from tests import factories as f

PERSON_FORM_FIELDS = ("first_name", "last_name", "email", "company", "title", "phone", "city", "country")


def person_form(person: models.Person, **changes: object) -> dict[str, object]:
    data = {name: getattr(person, name) for name in (*PERSON_FORM_FIELDS, "status", "lead_source")}
    data.update(changes)
    data["_save"] = "Save"
    return data


def change_url(obj) -> str:
    return reverse(f"admin:syncapp_{obj._meta.model_name}_change", args=[obj.pk])


def test_editing_a_leads_phone_saves_it_and_queues_it_for_salesforce(admin_client, mirror):
    lead = mirror.lead

    response = admin_client.post(change_url(lead), person_form(lead, phone="+44 20 7946 0018"))
    lead.refresh_from_db()
    queued = models.OutboundChange.objects.get(local_id=lead.pk, sobject="Lead")
    logged = models.ActivityLog.objects.filter(person=lead).first()
    listing = admin_client.get(reverse("admin:syncapp_lead_changelist"), {"sync": "pending"}).content.decode()

    assert response.status_code == 302
    assert lead.phone == "+44 20 7946 0018"
    assert (queued.field, queued.new_value, queued.state) == ("Phone", "+44 20 7946 0018", "pending")
    assert queued.actor == "admin: admin"
    assert logged.type == models.ActivityLog.Type.CHANGE_DATA_VALUE
    assert logged.source == "admin: admin"
    assert lead.email in listing, "the lead now shows as pending sync"


def test_ids_owner_and_type_cannot_be_changed_from_the_person_form(admin_client, mirror):
    lead = mirror.lead
    before = (lead.sf_id, lead.owner_id, lead.sfdc_type)

    admin_client.post(
        change_url(lead),
        person_form(lead, sf_id="00Q000000000666AAA", owner="005000000000666AAA", sfdc_type="contact"),
    )
    lead.refresh_from_db()

    assert (lead.sf_id, lead.owner_id, lead.sfdc_type) == before
    assert not models.OutboundChange.objects.filter(local_id=lead.pk).exists()


def test_a_field_salesforce_made_read_only_is_shown_but_not_editable(admin_client, mirror):
    f.FieldSettingFactory(sobject="Lead", api_name="Phone", updateable=False)
    lead = mirror.lead

    page = admin_client.get(change_url(lead)).content.decode()
    response = admin_client.post(change_url(lead), person_form(lead, phone="+1 555 0100"))
    lead.refresh_from_db()

    assert 'name="phone"' not in page
    assert 'name="email"' in page
    assert response.status_code == 302
    assert lead.phone == ""
    assert not models.OutboundChange.objects.filter(local_id=lead.pk, field="Phone").exists()


def test_a_contacts_company_and_lead_status_are_not_editable(admin_client, mirror):
    page = admin_client.get(change_url(mirror.contact)).content.decode()

    assert 'name="email"' in page
    assert 'name="company"' not in page
    assert 'name="status"' not in page


def test_editing_a_campaign_queues_the_change_for_salesforce(admin_client, mirror):
    campaign = models.Campaign.objects.get()
    data = {
        "name": "Spring webinar",
        "type": campaign.type,
        "status": campaign.status,
        "is_active": "on",
        "start_date": "",
        "end_date": "",
        "_save": "Save",
    }

    response = admin_client.post(change_url(campaign), data)
    campaign.refresh_from_db()

    assert response.status_code == 302
    assert campaign.name == "Spring webinar"
    assert models.OutboundChange.objects.filter(
        sobject="Campaign", field="Name", new_value="Spring webinar"
    ).exists()


def test_a_members_status_is_chosen_from_the_campaigns_statuses_and_queued(admin_client, mirror):
    member = models.CampaignMember.objects.get()

    page = admin_client.get(change_url(member)).content.decode()
    response = admin_client.post(change_url(member), {"status": "Responded", "_save": "Save"})
    member.refresh_from_db()

    assert '<option value="Responded">Responded</option>' in page
    assert response.status_code == 302
    assert member.status == "Responded"
    assert models.OutboundChange.objects.filter(
        sobject="CampaignMember", field="Status", state="pending"
    ).exists()


def test_people_campaigns_and_members_cannot_be_added_or_deleted(admin_client, mirror):
    for obj in (mirror.lead, models.Campaign.objects.get(), models.CampaignMember.objects.get()):
        name = obj._meta.model_name
        assert admin_client.get(reverse(f"admin:syncapp_{name}_add")).status_code == 403
        assert (
            admin_client.post(
                reverse(f"admin:syncapp_{name}_delete", args=[obj.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    assert models.Person.objects.filter(pk=mirror.lead.pk).exists()
