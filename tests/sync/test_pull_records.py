"""`pull_records`: given records pulled now through the cycle's apply path (for the push and the flows)."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import ActivityLog, Campaign, OutboundChange, Person, SyncCursor, SyncRun, SyncStep
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import TransientError
from syncapp.sync import push
from syncapp.sync.pull.object import pull_records
from syncapp.sync.steps import StepRecorder

pytestmark = pytest.mark.django_db


def test_a_lead_created_in_salesforce_is_pulled_by_id_at_once_and_logged_as_a_new_person(sync, emulator):
    sync()
    created = emulator.create("Lead", {"LastName": "Flow", "Company": "Acme", "Email": "flow@acme.example"})
    cursor_before = SyncCursor.objects.get(sobject="Lead").high_water
    recorder = StepRecorder(client=connect())  # as a flow run has it: no sync run, no steps stored

    result = pull_records(client=recorder.client, sobject="Lead", ids=[created["id"]], recorder=recorder)

    assert result.fetched == 1
    assert result.counts.created == 1
    person = Person.objects.get(sf_lead_id=created["id"])
    assert person.email == "flow@acme.example"
    assert ActivityLog.objects.filter(person=person, type=ActivityLog.Type.NEW_PERSON).count() == 1
    assert SyncCursor.objects.get(sobject="Lead").high_water == cursor_before
    assert recorder.client.calls == 1


def test_pulling_records_already_mirrored_changes_nothing(sync, emulator):
    sync()
    ids = list(Person.objects.filter(sfdc_type="lead").values_list("sf_lead_id", flat=True)[:5])
    logs = ActivityLog.objects.count()
    recorder = StepRecorder(client=connect())

    result = pull_records(client=recorder.client, sobject="Lead", ids=ids, recorder=recorder)

    assert result.fetched == 5
    assert (result.counts.created, result.counts.updated) == (0, 0)
    assert ActivityLog.objects.count() == logs


def test_a_failed_re_pull_fails_that_objects_push_step_and_the_others_are_pushed(sync, emulator, monkeypatch):
    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    campaign = Campaign.objects.filter(sf_deleted=False).first()
    services.person_update(person=lead, changes={"title": "Waits a cycle"}, actor="admin: marketer")
    services.campaign_update(campaign=campaign, changes={"name": "Pushed anyway"}, actor="admin: marketer")
    real = push.pull_records

    def busy_for_leads(**kwargs):
        if kwargs["sobject"] == "Lead":
            raise TransientError("Salesforce is busy (503): try later", code="SERVER_UNAVAILABLE")
        return real(**kwargs)

    monkeypatch.setattr(push, "pull_records", busy_for_leads)
    run = sync(expect_ok=False)

    assert run.status == SyncRun.Status.INCOMPLETE
    step = SyncStep.objects.get(run=run, sobject="Lead", operation=SyncStep.Operation.PUSH_UPDATES)
    assert step.status == SyncStep.Status.FAILED
    assert "Salesforce is busy" in step.message
    assert OutboundChange.objects.get(sobject="Lead").state == OutboundChange.State.PENDING
    assert emulator.record("Campaign", campaign.sf_id)["Name"] == "Pushed anyway"
