"""Change Owner, Create Task and Delete Person from SFDC, end to end through the emulator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from syncapp.flows import runner
from syncapp.flows.create_task import CreateTaskForm
from syncapp.models import ActivityLog, FlowRun, Person, SalesforceActivity
from tests.flows.people import a_contact, a_lead, a_queue, a_user, flow_log, local_person

pytestmark = pytest.mark.django_db
Type = ActivityLog.Type


# --- Change Owner -------------------------------------------------------------------------------------------
def test_change_owner_gives_a_lead_to_a_queue(run_flow, synced):
    lead = a_lead()
    queue = a_queue()

    [run] = run_flow("change_owner", [lead], assign_to="queue", owner=queue.sf_id)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("Lead", lead.sf_lead_id)["OwnerId"] == queue.sf_id
    assert lead.owner_id == queue.sf_id
    [entry] = flow_log(lead, Type.CHANGE_OWNER)
    assert entry.primary_attribute == f"queue {queue.name}"


def test_change_owner_gives_a_contact_to_a_user(run_flow, synced):
    contact = a_contact()
    user = a_user(exclude=contact.owner_id)

    [run] = run_flow("change_owner", [contact], assign_to="user", owner=user.sf_id)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("Contact", contact.sf_contact_id)["OwnerId"] == user.sf_id


def test_change_owner_refuses_a_queue_for_a_contact_and_logs_why(run_flow, synced):
    contact = a_contact()
    before = synced.record("Contact", contact.sf_contact_id)["OwnerId"]

    [run] = run_flow("change_owner", [contact], assign_to="queue", owner=a_queue().sf_id)

    assert run.status == FlowRun.Status.SKIPPED
    assert synced.record("Contact", contact.sf_contact_id)["OwnerId"] == before
    assert "queue cannot own a contact" in flow_log(contact, Type.CHANGE_OWNER)[0].attributes["reason"]


def test_change_owner_to_the_current_owner_is_skipped(run_flow, synced):
    lead = a_lead()

    [run] = run_flow("change_owner", [lead], assign_to="user", owner=lead.owner_id)

    assert run.status == FlowRun.Status.SKIPPED


# --- Create Task --------------------------------------------------------------------------------------------
def test_create_task_for_the_owner_due_in_five_days_by_default(run_flow, synced):
    lead = a_lead()

    [run] = run_flow(
        "create_task", [lead], subject="Call about the webinar", description="Asked for pricing",
        due_in_days=5, priority="High", status="Not Started", assigned_to="owner",
    )  # fmt: skip

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    task = synced.record("Task", run.sf_ids["task"])
    assert task["WhoId"] == lead.sf_lead_id
    assert task["OwnerId"] == lead.owner_id
    assert (task["Subject"], task["Priority"]) == ("Call about the webinar", "High")
    assert task["ActivityDate"] == (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert SalesforceActivity.objects.get(sf_id=run.sf_ids["task"]).person == lead
    assert len(flow_log(lead, Type.CREATE_TASK)) == 1


def test_create_task_for_a_chosen_user(run_flow, synced):
    lead = a_lead()
    user = a_user(exclude=lead.owner_id)

    [run] = run_flow(
        "create_task", [lead], subject="Demo", assigned_to="user", user=user.sf_id, due_in_days=1
    )

    assert synced.record("Task", run.sf_ids["task"])["OwnerId"] == user.sf_id


def test_create_task_on_a_queue_owned_lead_is_skipped_with_the_reason(run_flow, synced):
    lead = a_lead()
    run_flow("change_owner", [lead], assign_to="queue", owner=a_queue().sf_id)

    [run] = run_flow("create_task", [lead], subject="Follow up", assigned_to="owner", due_in_days=5)

    assert run.status == FlowRun.Status.SKIPPED
    assert "queue" in run.result


def test_a_retried_create_task_finds_the_task_its_killed_attempt_created(run_flow, synced):
    lead = a_lead()
    [run] = run_flow("create_task", [lead], subject="Only once", assigned_to="owner", due_in_days=5)
    FlowRun.objects.filter(pk=run.pk).update(status=FlowRun.Status.QUEUED)

    [again] = runner.execute([run.pk])

    assert again.status == FlowRun.Status.SUCCEEDED, again.result
    assert (
        len(synced.query(f"SELECT Id FROM Task WHERE WhoId = '{lead.sf_lead_id}' AND Subject = 'Only once'"))
        == 1
    )


def test_create_task_defaults_due_in_to_five_days_when_left_empty(synced):
    form = CreateTaskForm(
        data={"subject": "x", "priority": "Normal", "status": "Not Started", "assigned_to": "owner"}
    )

    assert form.is_valid(), form.errors
    assert form.options()["due_in_days"] == 5


# --- Delete Person from SFDC -------------------------------------------------------------------------------
def test_delete_person_from_sfdc_keeps_the_person_marked_deleted(run_flow, synced):
    lead = a_lead()

    [run] = run_flow("delete_person_from_sfdc", [lead], delete_here="no")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert not synced.query(f"SELECT Id FROM Lead WHERE Id = '{lead.sf_lead_id}'")
    assert lead.sf_deleted
    assert len(flow_log(lead, Type.DELETE_FROM_SFDC)) == 1


def test_delete_person_from_sfdc_and_here_keeps_the_run_as_the_record(synced):
    from syncapp import services

    lead = a_lead()
    lead_id = lead.sf_lead_id

    [run] = services.flow_run_request(
        action="delete_person_from_sfdc", persons=[lead], options={"delete_here": "yes"}, foreground=True
    )

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert not Person.objects.filter(pk=lead.pk).exists()
    assert lead_id in run.result


def test_deleting_a_person_who_is_not_in_salesforce_is_skipped(run_flow, synced):
    person = local_person()

    [run] = run_flow("delete_person_from_sfdc", [person], delete_here="no")

    assert run.status == FlowRun.Status.SKIPPED
    assert not person.sfdc_type  # no implied sync before a delete


def test_a_retried_delete_counts_a_record_already_deleted_as_done(run_flow, synced):
    lead = a_lead()
    [run] = run_flow("delete_person_from_sfdc", [lead], delete_here="no")
    Person.objects.filter(pk=lead.pk).update(sf_deleted=False)
    FlowRun.objects.filter(pk=run.pk).update(status=FlowRun.Status.QUEUED)

    [again] = runner.execute([run.pk])

    assert again.status == FlowRun.Status.SUCCEEDED, again.result
    assert "already was" in again.result


def test_create_task_on_a_person_only_here_syncs_it_then_gives_the_task_to_the_new_leads_owner(
    run_flow, synced
):
    person = local_person()

    [run] = run_flow("create_task", [person], subject="Welcome call", assigned_to="owner", due_in_days=2)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    lead = synced.record("Lead", person.sf_lead_id)
    task = synced.record("Task", run.sf_ids["task"])
    assert task["WhoId"] == person.sf_lead_id
    assert task["OwnerId"] == lead["OwnerId"]
    assert "Created lead" in flow_log(person, Type.CREATE_TASK)[0].attributes["implied_sync"]
