"""The push and the conflict rules end to end: local edits reach Salesforce, rejections reach the person."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import ActivityLog, OutboundChange, Person, SyncError, SyncStep
from syncapp.sync import push
from syncapp.sync.cycle import run_cycle
from syncapp.sync.edits import ReadOnlyFieldError

pytestmark = pytest.mark.django_db

ACTOR = "admin: marketer"


def org_value(emulator, sobject, sf_id, field):
    return emulator.record(sobject, sf_id)[field]


def a_lead():
    return (
        Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False)
        .exclude(phone="")
        .first()
    )


def a_contact():
    return Person.objects.filter(sfdc_type="contact", sf_deleted=False).exclude(sf_fields={}).first()


def test_a_local_edit_reaches_salesforce_in_the_next_cycle(sync, emulator):
    sync()
    lead = a_lead()

    services.person_update(person=lead, changes={"title": "Head of Demand Gen"}, actor=ACTOR)
    assert OutboundChange.objects.get(local_id=lead.pk).state == OutboundChange.State.PENDING
    run = sync()

    assert org_value(emulator, "Lead", lead.sf_lead_id, "Title") == "Head of Demand Gen"
    assert OutboundChange.objects.get(local_id=lead.pk).state == OutboundChange.State.SENT
    assert ActivityLog.objects.filter(person=lead, type=ActivityLog.Type.SYNC_TO_SFDC).exists()
    step = SyncStep.objects.get(run=run, operation=SyncStep.Operation.PUSH_UPDATES, sobject="Lead")
    assert (step.updated, step.failed) == (1, 0)


def test_a_pushed_lead_edit_keeps_its_owner_although_the_active_rule_would_assign_it_elsewhere(
    sync, emulator
):
    emulator.set_assignment_rule("Everything To Admin", {"object": "Lead", "default_owner": "admin"})
    sync()
    lead = a_lead()
    owner = org_value(emulator, "Lead", lead.sf_lead_id, "OwnerId")
    assert owner != emulator.org.admin_id

    services.person_update(person=lead, changes={"title": "Head of Demand Gen"}, actor=ACTOR)
    sync()

    assert org_value(emulator, "Lead", lead.sf_lead_id, "Title") == "Head of Demand Gen"
    assert org_value(emulator, "Lead", lead.sf_lead_id, "OwnerId") == owner
    lead.refresh_from_db()
    assert lead.owner_id == owner
    assert not ActivityLog.objects.filter(person=lead, type=ActivityLog.Type.CHANGE_OWNER).exists()


def test_a_local_edit_and_a_salesforce_edit_of_other_fields_both_survive(sync, emulator):
    sync()
    contact = a_contact()

    services.person_update(person=contact, changes={"title": "VP Marketing"}, actor=ACTOR)
    emulator.update("Contact", contact.sf_contact_id, {"Department": "Revenue"}, as_user="rep")
    sync()

    contact.refresh_from_db()
    assert contact.title == "VP Marketing"
    assert contact.sf_fields["Department"] == "Revenue"
    assert org_value(emulator, "Contact", contact.sf_contact_id, "Title") == "VP Marketing"
    assert org_value(emulator, "Contact", contact.sf_contact_id, "Department") == "Revenue"


def test_salesforce_wins_when_both_sides_change_the_same_contact_field(sync, emulator):
    sync()
    contact = a_contact()

    services.person_update(person=contact, changes={"title": "Local Title"}, actor=ACTOR)
    emulator.update("Contact", contact.sf_contact_id, {"Title": "Salesforce Title"}, as_user="rep")
    sync()

    contact.refresh_from_db()
    assert contact.title == "Salesforce Title"
    assert org_value(emulator, "Contact", contact.sf_contact_id, "Title") == "Salesforce Title"
    assert OutboundChange.objects.get(local_id=contact.pk).state == OutboundChange.State.SUPERSEDED
    conflict = ActivityLog.objects.get(person=contact, attributes__conflict_winner="salesforce")
    assert "kept 'Salesforce Title', dropped local 'Local Title'" in conflict.attributes["reason"]


def test_the_local_change_wins_for_a_lead_under_its_default_policy(sync, emulator):
    sync()
    lead = a_lead()

    services.person_update(person=lead, changes={"title": "Local Title"}, actor=ACTOR)
    emulator.update("Lead", lead.sf_lead_id, {"Title": "Salesforce Title"}, as_user="rep")
    sync()

    lead.refresh_from_db()
    assert lead.title == "Local Title"
    assert org_value(emulator, "Lead", lead.sf_lead_id, "Title") == "Local Title"
    conflict = ActivityLog.objects.get(person=lead, attributes__conflict_winner="local")
    assert "'Salesforce Title' will be overwritten" in conflict.attributes["reason"]


def test_three_invalid_records_in_a_batch_of_200_are_logged_and_the_rest_lands(sync, emulator):
    for number in range(160):
        emulator.create(
            "Lead", {"LastName": f"Batch {number}", "Company": "Acme", "Phone": "555"}, as_user="rep"
        )
    sync()
    leads = list(Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False)[:200])
    assert len(leads) == 200
    bad = leads[:3]
    for number, lead in enumerate(leads):
        phone = "call me maybe" if lead in bad else f"+1 555 {number:04d}"
        services.person_update(person=lead, changes={"phone": phone}, actor=ACTOR)

    run = sync()

    step = SyncStep.objects.get(run=run, operation=SyncStep.Operation.PUSH_UPDATES, sobject="Lead")
    assert (step.updated, step.failed) == (197, 3)
    assert step.api_calls == 2  # one to re-read the 200 records (moved since the pull?), one to send them
    for lead in bad:
        lead.refresh_from_db()
        assert "Phone may only contain digits" in lead.sync_error
        log = ActivityLog.objects.get(person=lead, type=ActivityLog.Type.SALESFORCE_REJECTED)
        assert log.attributes["error_code"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
        assert log.attributes["fields"] == ["Phone"]
        assert SyncError.objects.filter(person=lead, code="FIELD_CUSTOM_VALIDATION_EXCEPTION").exists()
    assert org_value(emulator, "Lead", leads[3].sf_lead_id, "Phone") == "+1 555 0003"

    again = sync()
    assert not SyncStep.objects.filter(run=again, operation=SyncStep.Operation.PUSH_UPDATES).exists()

    services.person_update(person=bad[0], changes={"phone": "+1 555 9999"}, actor=ACTOR)
    sync()
    bad[0].refresh_from_db()
    assert bad[0].sync_error == ""
    assert org_value(emulator, "Lead", bad[0].sf_lead_id, "Phone") == "+1 555 9999"


class WorkerKilled(Exception):
    pass


def test_a_worker_killed_after_salesforce_answered_loses_and_duplicates_nothing(sync, emulator, monkeypatch):
    sync()
    lead = a_lead()
    services.person_update(person=lead, changes={"title": "Survives Crashes"}, actor=ACTOR)
    leads_before = len(emulator.query("SELECT Id FROM Lead"))

    def die(self, chunk, result):
        raise WorkerKilled

    monkeypatch.setattr(push.Pusher, "_record_results", die)
    with pytest.raises(WorkerKilled):
        run_cycle(trigger="test")
    assert org_value(emulator, "Lead", lead.sf_lead_id, "Title") == "Survives Crashes"
    assert OutboundChange.objects.get(local_id=lead.pk).state == OutboundChange.State.PENDING

    monkeypatch.undo()
    sync()

    # The next pull finds Salesforce already holding the value: the change was delivered, not dropped.
    change = OutboundChange.objects.get(local_id=lead.pk)
    assert change.state == OutboundChange.State.SENT
    assert change.sent_at is not None
    assert org_value(emulator, "Lead", lead.sf_lead_id, "Title") == "Survives Crashes"
    assert len(emulator.query("SELECT Id FROM Lead")) == leads_before
    lead.refresh_from_db()
    assert lead.title == "Survives Crashes"


def test_a_locked_row_is_retried_later_and_does_not_fail_the_batch(sync, emulator):
    sync()
    first, second = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False)[:2]
    services.person_update(person=first, changes={"title": "Locked"}, actor=ACTOR)
    services.person_update(person=second, changes={"title": "Free"}, actor=ACTOR)
    emulator.inject_fault("unable_to_lock_row", count=1)

    sync()

    states = dict(OutboundChange.objects.values_list("local_id", "state"))
    assert sorted(states.values()) == [OutboundChange.State.PENDING, OutboundChange.State.SENT]
    retry = OutboundChange.objects.get(state=OutboundChange.State.PENDING)
    assert retry.attempts == 1
    assert retry.next_attempt_at is not None
    assert "UNABLE_TO_LOCK_ROW" in retry.error


def test_fields_salesforce_makes_read_only_cannot_be_edited(sync, emulator):
    sync()
    lead = a_lead()

    with pytest.raises(ReadOnlyFieldError, match="read-only for the sync user"):
        services.person_update(person=lead, changes={"is_converted": True}, actor=ACTOR)
    assert not OutboundChange.objects.exists()


def test_people_who_are_not_in_salesforce_are_not_pushed_by_the_cycle(sync, emulator):
    person = Person.objects.create(email="local@example.com", last_name="Local")

    services.person_update(person=person, changes={"title": "Only Here"}, actor=ACTOR)

    person.refresh_from_db()
    assert person.title == "Only Here"
    assert not OutboundChange.objects.exists()


def test_a_campaign_and_a_member_status_edited_locally_reach_salesforce(sync, emulator):
    from syncapp.models import Campaign, CampaignMember

    sync()
    campaign = Campaign.objects.filter(sf_deleted=False).first()
    member = CampaignMember.objects.filter(campaign=campaign, sf_deleted=False).first()
    other_status = (
        campaign.member_statuses.exclude(label=member.status).values_list("label", flat=True).first()
    )

    services.campaign_update(campaign=campaign, changes={"name": "Autumn Webinar 2026"}, actor=ACTOR)
    services.campaign_member_update(member=member, changes={"status": other_status}, actor=ACTOR)
    sync()

    assert org_value(emulator, "Campaign", campaign.sf_id, "Name") == "Autumn Webinar 2026"
    assert org_value(emulator, "CampaignMember", member.sf_id, "Status") == other_status
    assert ActivityLog.objects.filter(person=member.person, type=ActivityLog.Type.SYNC_TO_SFDC).exists()
