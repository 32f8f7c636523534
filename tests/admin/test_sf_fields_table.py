"""The person page's Salesforce fields say what Salesforce holds, with a local edit beside it, labelled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncapp import services
from syncapp.models import OutboundChange, Person

FORM_FIELDS = ("first_name", "last_name", "email", "company", "title", "phone", "city", "country")


def run_cycle() -> None:
    result = services.sync_cycle_run(trigger="test")
    assert result.run is not None, result.skipped_reason


def person_form(person: Person, **changes: object) -> dict[str, object]:
    data = {name: getattr(person, name) for name in (*FORM_FIELDS, "status", "lead_source")}
    data.update(changes)
    data["_save"] = "Save"
    return data


def phone_row(admin_client, person: Person) -> str:
    page = admin_client.get(reverse("admin:syncapp_lead_change", args=[person.pk])).content.decode()
    panel = page[page.index('id="panel-sf-fields"') :]
    row = panel[panel.index("<code>Phone</code>") :]
    return row[: row.index("</tr>")]


@pytest.fixture
def lead(emulator, db) -> Person:
    run_cycle()
    return (
        Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False)
        .exclude(phone="")
        .first()
    )


def test_a_pending_edit_shows_salesforces_value_with_the_local_one_beside_it(admin_client, lead):
    in_salesforce = lead.phone

    admin_client.post(
        reverse("admin:syncapp_lead_change", args=[lead.pk]), person_form(lead, phone="+44 20 7946 0018")
    )
    row = phone_row(admin_client, lead)

    assert row.index(in_salesforce) < row.index("+44 20 7946 0018"), "Salesforce's value first"
    assert 'sync-badge--pending">pending</span>' in row


def test_a_phone_salesforce_rejected_shows_its_value_and_the_rejected_local_one_with_the_reason(
    admin_client, lead, emulator
):
    in_salesforce = lead.phone

    admin_client.post(
        reverse("admin:syncapp_lead_change", args=[lead.pk]), person_form(lead, phone="call me maybe")
    )
    run_cycle()
    row = phone_row(admin_client, lead)

    assert OutboundChange.objects.get(local_id=lead.pk).state == OutboundChange.State.REJECTED
    assert emulator.record("Lead", lead.sf_lead_id)["Phone"] == in_salesforce
    assert row.index(in_salesforce) < row.index("call me maybe")
    assert ">rejected</span>" in row
    assert "sync-badge--error" in row
    assert "Phone may only contain digits" in row


def test_a_field_in_step_with_salesforce_shows_one_value_and_no_label(admin_client, lead):
    row = phone_row(admin_client, lead)

    assert lead.phone in row
    assert "sync-badge" not in row


def test_a_rejection_is_history_once_salesforce_sends_a_new_value_for_the_field(admin_client, lead, emulator):
    admin_client.post(
        reverse("admin:syncapp_lead_change", args=[lead.pk]), person_form(lead, phone="call me maybe")
    )
    run_cycle()
    emulator.update("Lead", lead.sf_lead_id, {"Phone": "+1 555 0199"})
    run_cycle()
    row = phone_row(admin_client, lead)

    assert "+1 555 0199" in row
    assert "call me maybe" not in row
    assert "sync-badge" not in row
