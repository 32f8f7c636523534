"""A record's sync errors are resolved once the record syncs again, from either side."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import Person, SyncError

pytestmark = pytest.mark.django_db

ACTOR = "admin: marketer"


def a_rejected_lead(sync) -> Person:
    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    services.person_update(person=lead, changes={"phone": "call me maybe"}, actor=ACTOR)
    sync()
    lead.refresh_from_db()
    assert lead.sync_error
    assert SyncError.objects.get(person=lead).resolved_at is None
    return lead


def test_a_rejected_edit_fixed_and_pushed_resolves_its_sync_error(sync, emulator):
    lead = a_rejected_lead(sync)

    services.person_update(person=lead, changes={"phone": "+1 555 0100"}, actor=ACTOR)
    sync()

    error = SyncError.objects.get(person=lead)
    assert error.resolved_at is not None
    lead.refresh_from_db()
    assert lead.sync_error == ""


def test_a_newer_version_from_salesforce_resolves_a_rejected_push(sync, emulator):
    lead = a_rejected_lead(sync)

    emulator.update("Lead", lead.sf_lead_id, {"Phone": "+1 555 0199"}, as_user="rep")
    sync()

    assert SyncError.objects.get(person=lead).resolved_at is not None
    lead.refresh_from_db()
    assert lead.sync_error == ""


def test_an_error_of_another_record_stays_open(sync, emulator):
    lead = a_rejected_lead(sync)
    other = Person.objects.filter(sfdc_type="lead", sf_deleted=False).exclude(pk=lead.pk).first()

    emulator.update("Lead", other.sf_lead_id, {"Title": "Unrelated"}, as_user="rep")
    sync()

    assert SyncError.objects.get(person=lead).resolved_at is None
