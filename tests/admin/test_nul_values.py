"""A value Salesforce holds with a NUL character is stored as the symbol for NUL (PostgreSQL cannot hold
a NUL), shown safely, and never blocks another edit."""

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


@pytest.fixture
def lead_with_nul(emulator, db) -> Person:
    created = emulator.create(
        "Lead",
        {"LastName": "Nul", "FirstName": "Ze\x00ro", "Company": "Acme\x00 Ltd", "Email": "zero@nul.example"},
    )
    run_cycle()
    return Person.objects.get(sf_lead_id=created["id"])


def test_a_nul_from_salesforce_is_stored_and_shown_as_its_symbol(admin_client, lead_with_nul):
    page = admin_client.get(reverse("admin:syncapp_lead_change", args=[lead_with_nul.pk])).content
    listing = admin_client.get(reverse("admin:syncapp_lead_changelist"), {"q": "zero@nul.example"}).content

    assert lead_with_nul.first_name == "Ze\u2400ro"
    assert b"\x00" not in page
    assert b"\x00" not in listing
    assert "Ze\u2400ro".encode() in page
    assert "Ze\u2400ro".encode() in listing


def test_editing_another_field_of_a_person_holding_a_nul_saves_and_queues_only_that_field(
    admin_client, lead_with_nul, emulator
):
    url = reverse("admin:syncapp_lead_change", args=[lead_with_nul.pk])
    # What a browser sends back: the form as shown (␀ for the NUL), with one field changed.
    shown = {"first_name": "Ze\u2400ro", "company": "Acme\u2400 Ltd"}

    response = admin_client.post(url, person_form(lead_with_nul, **shown, title="Head of Zero"))
    queued = list(OutboundChange.objects.filter(local_id=lead_with_nul.pk).values_list("field", "new_value"))
    run_cycle()
    lead_with_nul.refresh_from_db()

    assert response.status_code == 302
    assert queued == [("Title", "Head of Zero")]
    assert lead_with_nul.first_name == "Ze\u2400ro"
    assert emulator.record("Lead", lead_with_nul.sf_lead_id)["Title"] == "Head of Zero"


def test_typing_into_a_field_that_holds_a_nul_asks_to_remove_it(admin_client, lead_with_nul):
    url = reverse("admin:syncapp_lead_change", args=[lead_with_nul.pk])

    response = admin_client.post(url, person_form(lead_with_nul, first_name="Zer\u2400o"))

    assert response.status_code == 200
    assert (
        "Salesforce cannot store a NUL character (shown as \u2400): remove it." in response.content.decode()
    )
    assert not OutboundChange.objects.filter(local_id=lead_with_nul.pk).exists()


def test_an_untouched_email_salesforce_accepted_does_not_block_an_edit(admin_client, emulator, db):
    # Salesforce accepts consecutive dots in the local part; Django's email check does not.
    created = emulator.create("Lead", {"LastName": "Dots", "Company": "Acme", "Email": "a..b@dots.example"})
    run_cycle()
    lead = Person.objects.get(sf_lead_id=created["id"])

    response = admin_client.post(
        reverse("admin:syncapp_lead_change", args=[lead.pk]), person_form(lead, title="Chief Dot")
    )

    assert response.status_code == 302
    assert list(OutboundChange.objects.filter(local_id=lead.pk).values_list("field", flat=True)) == ["Title"]
