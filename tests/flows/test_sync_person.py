"""Sync Person to SFDC: new leads (idempotently), pushes of leads and contacts, Marketo's owner cases."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.flows import runner
from syncapp.models import ActivityLog, FlowRun, OutboundChange, Person, SyncSettings
from tests.flows.people import a_contact, a_lead, a_queue, a_user, flow_log, local_person

pytestmark = pytest.mark.django_db
SYNC = ActivityLog.Type.SYNC_PERSON


def test_a_person_only_here_becomes_a_lead_in_salesforce_and_is_pulled_back(run_flow, synced):
    person = local_person()

    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert person.sfdc_type == Person.SfdcType.LEAD
    record = synced.record("Lead", person.sf_lead_id)
    assert (record["LastName"], record["Company"], record["Email"]) == (
        "Okafor",
        "Okafor Ltd",
        "nia@okafor.example",
    )
    assert person.sf_modstamp is not None  # pulled back at once, not at the next cycle
    assert person.sf_fields["Sync_Key__c"] == f"syncapp-{person.pk}"
    [entry] = flow_log(person, SYNC)
    assert entry.outcome == ActivityLog.Outcome.SUCCESS
    assert entry.attributes["salesforce_ids"] == {"lead": person.sf_lead_id}
    assert entry.flow_run_id == run.pk


def test_blank_last_name_and_company_take_the_sync_settings_defaults_and_the_log_says_so(run_flow, synced):
    settings = SyncSettings.load()
    settings.default_last_name, settings.default_company = "Unknown", "Unknown Co"
    settings.save()
    person = local_person(last_name="", company="")

    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")

    record = synced.record("Lead", person.sf_lead_id)
    assert (record["LastName"], record["Company"]) == ("Unknown", "Unknown Co")
    [entry] = flow_log(person, SYNC)
    assert entry.attributes["defaults_used"] == ["LastName", "Company"]
    assert "took the defaults" in run.result


def test_a_new_lead_is_assigned_by_the_orgs_active_assignment_rule(run_flow, synced):
    german, other = (
        local_person(email="de@example.com", country="Germany"),
        local_person(email="ca@example.com"),
    )
    queue = a_queue()

    run_flow("sync_person_to_sfdc", [german, other], assign_to="rules")

    assert synced.record("Lead", german.sf_lead_id)["OwnerId"] == queue.sf_id
    assert german.owner_id == queue.sf_id  # read back at once
    assert synced.record("Lead", other.sf_lead_id)["OwnerId"] != queue.sf_id


def test_a_new_lead_can_go_straight_to_a_user_or_a_queue(run_flow, synced):
    user, queue = a_user(), a_queue()
    first, second = local_person(email="a@example.com"), local_person(email="b@example.com")

    run_flow("sync_person_to_sfdc", [first], assign_to="user", owner=user.sf_id)
    run_flow("sync_person_to_sfdc", [second], assign_to="queue", owner=queue.sf_id)

    assert synced.record("Lead", first.sf_lead_id)["OwnerId"] == user.sf_id
    assert synced.record("Lead", second.sf_lead_id)["OwnerId"] == queue.sf_id
    assert second.owner_id == queue.sf_id


def test_a_retry_after_salesforce_created_the_lead_never_creates_a_second_one(run_flow, synced):
    person = local_person(email="once@example.com")
    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")
    lead_id = person.sf_lead_id
    # The worker died after Salesforce answered but before anything was committed here.
    Person.objects.filter(pk=person.pk).update(sfdc_type="", sf_id=None, sf_lead_id=None)
    FlowRun.objects.filter(pk=run.pk).update(status=FlowRun.Status.QUEUED)

    [again] = runner.execute([run.pk])

    person.refresh_from_db()
    assert again.status == FlowRun.Status.SUCCEEDED
    assert person.sf_lead_id == lead_id
    assert len(synced.query("SELECT Id FROM Lead WHERE Email = 'once@example.com'")) == 1


def test_an_existing_lead_sends_its_pending_edit_now_and_not_at_the_next_cycle(run_flow, synced):
    lead = a_lead()
    owner = lead.owner_id
    services.person_update(person=lead, changes={"title": "Head of Growth"}, actor="admin: m")

    [run] = run_flow("sync_person_to_sfdc", [lead], assign_to="rules")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("Lead", lead.sf_lead_id)["Title"] == "Head of Growth"
    # Sent with Sforce-Auto-Assign: FALSE: an update must not let the assignment rules move the lead.
    assert synced.record("Lead", lead.sf_lead_id)["OwnerId"] == owner
    assert OutboundChange.objects.get(local_id=lead.pk).state == OutboundChange.State.SENT


def test_an_existing_lead_assigned_to_a_user_changes_owner(run_flow, synced):
    lead = a_lead()
    user = a_user(exclude=lead.owner_id)

    run_flow("sync_person_to_sfdc", [lead], assign_to="user", owner=user.sf_id)

    assert synced.record("Lead", lead.sf_lead_id)["OwnerId"] == user.sf_id
    assert lead.owner_id == user.sf_id
    assert len(flow_log(lead, SYNC)) == 1
    assert not ActivityLog.objects.filter(
        person=lead, type=ActivityLog.Type.CHANGE_OWNER, source__startswith="flow"
    )  # the flow's own row says it


def test_a_contact_assigned_to_a_queue_is_skipped_with_the_reason(run_flow, synced):
    contact = a_contact()
    owner_before = synced.record("Contact", contact.sf_contact_id)["OwnerId"]

    [run] = run_flow("sync_person_to_sfdc", [contact], assign_to="queue", owner=a_queue().sf_id)

    assert run.status == FlowRun.Status.SKIPPED
    assert synced.record("Contact", contact.sf_contact_id)["OwnerId"] == owner_before
    [entry] = flow_log(contact, SYNC)
    assert entry.outcome == ActivityLog.Outcome.SKIPPED
    assert "queue cannot own a contact" in entry.attributes["reason"]


def test_a_salesforce_rejection_is_logged_on_the_person_with_its_code(run_flow, synced):
    lead = a_lead()
    services.person_update(person=lead, changes={"phone": "call me maybe"}, actor="admin: m")

    [run] = run_flow("sync_person_to_sfdc", [lead], assign_to="rules")

    assert run.status == FlowRun.Status.FAILED
    [entry] = flow_log(lead, SYNC)
    assert entry.outcome == ActivityLog.Outcome.FAILED
    assert entry.attributes["error_code"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    lead.refresh_from_db()
    assert lead.sync_error


def test_a_person_deleted_in_salesforce_becomes_a_new_lead(run_flow, synced):
    lead = a_lead()
    old_id = lead.sf_lead_id
    synced.delete("Lead", old_id)
    Person.objects.filter(pk=lead.pk).update(sf_deleted=True)
    lead.refresh_from_db()

    [run] = run_flow("sync_person_to_sfdc", [lead], assign_to="rules")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert lead.sf_lead_id != old_id
    assert not lead.sf_deleted
    assert old_id in run.result


def test_a_bulk_sync_of_new_people_costs_one_upsert_and_one_read_back_per_200(run_flow, synced):
    run_flow("sync_person_to_sfdc", [local_person(email="warm@example.com")], assign_to="rules")
    people = [local_person(email=f"many{n}@example.com") for n in range(250)]
    before = synced.usage()["used"]

    runs = run_flow("sync_person_to_sfdc", people, assign_to="rules")

    assert {r.status for r in runs} == {FlowRun.Status.SUCCEEDED}
    assert synced.usage()["used"] - before == 3  # 2 collections (200 + 50), 1 composite batch of read-backs
    assert Person.objects.filter(pk__in=[p.pk for p in people], sfdc_type="lead").count() == 250


def test_an_inactive_user_is_a_form_error(synced):
    from syncapp.flows.sync_person import SyncPersonForm
    from syncapp.models import SalesforceUser

    user = a_user()
    SalesforceUser.objects.filter(pk=user.pk).update(is_active=False)

    form = SyncPersonForm(data={"assign_to": "user", "user": user.sf_id})

    assert not form.is_valid()
    assert "active Salesforce user" in form.errors["user"][0]


def notify_on_assignment() -> None:
    settings = SyncSettings.load()
    settings.notify_owner_on_assignment = True
    settings.save()


def test_with_notify_on_assignment_the_owner_the_rule_chose_gets_salesforces_email(run_flow, synced):
    notify_on_assignment()
    person = local_person(country="France")

    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    [email] = synced.emails()
    assert (email["reason"], email["record_id"]) == ("lead_assignment", person.sf_lead_id)
    assert email["to_id"] == synced.record("Lead", person.sf_lead_id)["OwnerId"] == person.owner_id


def test_with_notify_on_a_retry_after_salesforce_created_the_lead_finds_it_by_its_key(run_flow, synced):
    notify_on_assignment()
    person = local_person(email="notified-once@example.com")
    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")
    lead_id = person.sf_lead_id
    Person.objects.filter(pk=person.pk).update(sfdc_type="", sf_id=None, sf_lead_id=None)
    FlowRun.objects.filter(pk=run.pk).update(status=FlowRun.Status.QUEUED)

    [again] = runner.execute([run.pk])

    person.refresh_from_db()
    assert again.status == FlowRun.Status.SUCCEEDED, again.result
    assert person.sf_lead_id == lead_id
    assert len(synced.query("SELECT Id FROM Lead WHERE Email = 'notified-once@example.com'")) == 1
