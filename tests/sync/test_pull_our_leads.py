"""A lead Sync Person to SFDC created but never recorded (its worker died after Salesforce answered)."""

from __future__ import annotations

import pytest

from syncapp.models import Person

pytestmark = pytest.mark.django_db


def test_the_pull_links_a_lead_our_flow_created_to_its_person_instead_of_doubling_the_person(sync, emulator):
    sync()
    person = Person.objects.create(first_name="Ada", last_name="Orphan", email="ada@example.com", company="X")
    created = emulator.create(
        "Lead",
        {
            "LastName": "Orphan",
            "Company": "X",
            "Email": "ada@example.com",
            "Sync_Key__c": f"syncapp-{person.pk}",
        },
        as_user="sync",
    )
    people = Person.objects.count()

    sync()

    person.refresh_from_db()
    assert Person.objects.count() == people
    assert (person.sfdc_type, person.sf_lead_id, person.sf_id) == ("lead", created["id"], created["id"])
    assert person.sf_fields["Sync_Key__c"] == f"syncapp-{person.pk}"
