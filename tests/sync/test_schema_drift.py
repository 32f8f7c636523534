"""A field deleted in Salesforce, or hidden from the sync user, after the schema was read: the cycle reads the
schema again, the field stops syncing, the dashboard says which, and nothing else is lost."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import OutboundChange, Person, SyncError, SyncRun, SyncSettings, SyncStep
from syncapp.sync.schema import load_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema_read_long_ago(sync):
    """A mirror synced once, whose next cycles reuse the stored schema (describe is not due)."""
    sync()
    SyncSettings.objects.filter(pk=1).update(schema_every_cycles=1000)


def test_a_custom_field_deleted_since_the_schema_was_read_stops_syncing_within_the_same_cycle(
    sync, emulator, schema_read_long_ago
):
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    emulator.update("Lead", lead.sf_lead_id, {"Title": "Changed in Salesforce"}, as_user="rep")
    emulator.delete_field("Lead", "Score__c")

    run = sync(expect_ok=False)

    lead.refresh_from_db()
    assert lead.title == "Changed in Salesforce"  # the Lead pull went on without the field, same cycle
    assert "Score__c" not in load_schema().field_names("Lead")
    job = SyncError.objects.get(run=run, level=SyncError.Level.JOB, code="INVALID_FIELD", operation="schema")
    assert "Lead.Score__c" in job.message
    assert "stopped syncing" in job.message
    assert SyncStep.objects.filter(run=run, sobject="Lead", status=SyncStep.Status.SUCCEEDED).exists()
    assert sync().status == SyncRun.Status.SUCCEEDED  # and the next cycle is clean


def test_a_field_hidden_before_the_push_rejects_only_its_own_edit_and_the_rest_of_the_record_is_sent(
    sync, emulator, schema_read_long_ago
):
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    services.person_update(person=lead, changes={"title": "VP Hidden", "phone": "+1 555 0199"}, actor="admin")
    emulator.hide_field("Lead", "Title")

    run = sync(expect_ok=False)

    assert emulator.record("Lead", lead.sf_lead_id)["Phone"] == "+1 555 0199"
    states = dict(OutboundChange.objects.filter(local_id=lead.pk).values_list("field", "state"))
    assert states == {"Phone": OutboundChange.State.SENT, "Title": OutboundChange.State.REJECTED}
    rejected = OutboundChange.objects.get(local_id=lead.pk, field="Title")
    assert "no longer visible to the sync user" in rejected.error
    assert SyncError.objects.filter(
        run=run, level=SyncError.Level.JOB, message__contains="Lead.Title"
    ).exists()


def test_an_edit_of_a_field_switched_off_here_is_still_sent_not_taken_for_a_hidden_one(sync, emulator):
    """Only describe's verdict strands an edit: a field switched off in Field settings still exists there."""
    from syncapp.models import FieldSetting

    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    services.person_update(person=lead, changes={"title": "Still sent"}, actor="admin")
    FieldSetting.objects.filter(sobject="Lead", api_name="Title").update(sync_enabled=False)

    sync(expect_ok=False)

    assert emulator.record("Lead", lead.sf_lead_id)["Title"] == "Still sent"
    assert OutboundChange.objects.get(local_id=lead.pk, field="Title").state == OutboundChange.State.SENT
