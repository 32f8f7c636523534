"""The life of a FlowRun: queued → running → done, through the worker task, the command, and recovery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.signals import post_spawn

from syncapp import services, tasks
from syncapp.models import ActivityLog, FlowRun, SyncSettings
from tests.flows.people import a_lead, flow_log, local_person

pytestmark = pytest.mark.django_db
SYNC = ActivityLog.Type.SYNC_PERSON


def stuck_run(person, *, attempts: int) -> FlowRun:
    """A run a worker claimed and then died on, longer ago than the task timeout."""
    return FlowRun.objects.create(
        action="sync_person_to_sfdc",
        options={"assign_to": "rules"},
        person=person,
        status=FlowRun.Status.RUNNING,
        attempts=attempts,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_a_request_is_written_first_then_run_by_the_worker_task_once_committed(
    synced, django_capture_on_commit_callbacks
):
    person = local_person()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [run] = services.flow_run_request(
            action="sync_person_to_sfdc", persons=[person], options={"assign_to": "rules"}
        )
        assert FlowRun.objects.get(pk=run.pk).status == FlowRun.Status.QUEUED
    for callback in callbacks:
        callback()  # the commit: django-q2 runs the task inline in tests

    run.refresh_from_db()
    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert run.task_id
    assert run.started_at <= run.finished_at


def test_a_run_delivered_twice_runs_once(synced):
    person = local_person()
    [run] = services.flow_run_request(
        action="sync_person_to_sfdc", persons=[person], options={"assign_to": "rules"}
    )

    tasks.run_flow(run.pk)
    tasks.run_flow(run.pk)

    run.refresh_from_db()
    assert run.attempts == 1
    assert len(flow_log(person, SYNC)) == 1


def test_a_run_a_dead_worker_left_is_retried_once_when_a_worker_starts(
    synced, django_capture_on_commit_callbacks
):
    person = local_person()
    run = stuck_run(person, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        post_spawn.send(sender="django_q", proc_name="Process-1")

    run.refresh_from_db()
    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert run.attempts == 2
    assert len(flow_log(person, SYNC)) == 1


def test_a_run_that_stopped_its_worker_twice_is_failed_with_the_reason_not_lost(synced):
    person = local_person()
    run = stuck_run(person, attempts=2)

    tasks.recover_flow_runs()

    run.refresh_from_db()
    assert run.status == FlowRun.Status.FAILED
    assert "stopped during this run 2 times" in run.result
    [entry] = flow_log(person, SYNC)
    assert entry.outcome == ActivityLog.Outcome.FAILED


def test_a_recent_running_run_is_left_alone(synced):
    run = FlowRun.objects.create(
        action="sync_person_to_sfdc", person=local_person(), status=FlowRun.Status.RUNNING,
        attempts=1, started_at=timezone.now(),
    )  # fmt: skip

    tasks.recover_flow_runs()

    run.refresh_from_db()
    assert run.status == FlowRun.Status.RUNNING


def test_salesforce_being_down_fails_the_run_with_the_reason_never_leaving_it_running(run_flow, synced):
    person = local_person()
    synced.inject_fault("server_unavailable", count=50, path="composite/sobjects")

    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")

    synced.clear_faults()
    assert run.status == FlowRun.Status.FAILED
    assert "Salesforce is busy (SERVER_UNAVAILABLE)" in run.result
    assert flow_log(person, SYNC)[0].outcome == ActivityLog.Outcome.FAILED


def test_flow_actions_work_while_the_sync_is_off_and_a_cycle_holds_the_lease(run_flow, synced):
    settings = SyncSettings.load()
    settings.enabled = False
    settings.lease_owner, settings.lease_until = "another-worker", timezone.now() + dt.timedelta(minutes=10)
    settings.save()
    person = local_person()

    [run] = run_flow("sync_person_to_sfdc", [person], assign_to="rules")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result


def test_the_flow_command_runs_in_the_foreground_and_prints_each_outcome(synced, capsys):
    first, second = local_person(email="one@example.com"), local_person(email="two@example.com")

    call_command("flow", "sync_person_to_sfdc", "--person", str(first.pk), "--person", str(second.pk))

    out = capsys.readouterr().out
    assert f"person {first.pk}: Succeeded: Created lead" in out
    assert f"person {second.pk}: Succeeded" in out


def test_the_flow_command_exits_non_zero_when_a_run_fails(synced):
    lead = a_lead()
    services.person_update(person=lead, changes={"phone": "call me maybe"}, actor="admin: m")

    with pytest.raises(CommandError, match="1 of 1 failed"):
        call_command("flow", "sync_person_to_sfdc", "--person", str(lead.pk), "--option", "assign_to=rules")


def test_the_flow_command_refuses_bad_options_before_running_anything(synced):
    lead = a_lead()

    with pytest.raises(CommandError, match="Invalid options"):
        call_command("flow", "change_owner", "--person", str(lead.pk), "--option", "assign_to=user")
    with pytest.raises(CommandError, match="expected NAME=VALUE"):
        call_command("flow", "convert_person", "--person", str(lead.pk), "--option", "colour=blue")
    with pytest.raises(CommandError, match="No flow action"):
        call_command("flow", "launch_rockets", "--person", str(lead.pk))
    assert not FlowRun.objects.exists()


def test_the_flow_command_commits_its_runs_before_calling_salesforce(synced, monkeypatch):
    """A worker killed mid-run must leave a "running" row for the recovery, not roll its request back."""
    from django.db import connection

    from syncapp.flows import runner

    person, outer = local_person(), len(connection.atomic_blocks)
    depths, execute = [], runner.execute
    monkeypatch.setattr(
        runner, "execute", lambda ids: depths.append(len(connection.atomic_blocks)) or execute(ids)
    )

    call_command("flow", "sync_person_to_sfdc", "--person", str(person.pk))

    assert depths == [outer]
    assert FlowRun.objects.get(person=person).status == FlowRun.Status.SUCCEEDED


def test_the_flow_command_says_when_a_person_already_has_the_action_under_way(synced, capsys):
    person = local_person()
    running = FlowRun.objects.create(
        action="sync_person_to_sfdc", person=person, status=FlowRun.Status.RUNNING,
        attempts=1, started_at=timezone.now(),
    )  # fmt: skip

    call_command("flow", "sync_person_to_sfdc", "--person", str(person.pk))

    out = capsys.readouterr().out
    assert f"person {person.pk}: not started again: flow run {running.pk} is running since" in out
    assert FlowRun.objects.filter(person=person).count() == 1
