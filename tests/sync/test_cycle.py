"""The cycle as a whole: API cost, resumable loads, faults, the lease, and the commands around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.models import Schedule

from syncapp.models import ActivityLog, Person, SyncCursor, SyncError, SyncRun, SyncSettings, SyncStep
from syncapp.sync import pacing
from syncapp.sync.cycle import run_cycle
from syncapp.sync.lease import acquire_lease, release_lease
from syncapp.sync.pull import apply as pull

pytestmark = pytest.mark.django_db


def leads_in_org(emulator):
    return {r["Id"] for r in emulator.query("SELECT Id FROM Lead WHERE IsConverted = false", as_user="sync")}


def test_an_idle_cycle_costs_one_api_call(sync, emulator):
    sync()
    before = emulator.usage()["used"]

    run = sync()

    assert run.api_calls == 1
    assert emulator.usage()["used"] - before == 1
    assert not SyncStep.objects.filter(run=run).exclude(created=0, updated=0, deleted=0).exists()


def test_an_incremental_cycle_reads_only_what_changed(sync, emulator):
    sync()
    leads = list(leads_in_org(emulator))[:25]
    for number, lead_id in enumerate(leads):
        emulator.update("Lead", lead_id, {"Title": f"Growth Lead {number}"}, as_user="rep")

    run = sync()

    assert SyncStep.objects.get(run=run, sobject="Lead").updated == len(leads)
    assert run.api_calls <= 3


def test_a_large_initial_load_uses_bulk_api_and_records_progress(sync, emulator, small_bulk_threshold):
    run = sync()

    step = SyncStep.objects.get(run=run, sobject="Lead", operation=SyncStep.Operation.INITIAL_LOAD)
    assert step.progress_total == step.progress_done > 10
    assert step.created > 0
    jobs = [r for r in emulator.request_log() if r["path"].endswith("/jobs/query") and r["method"] == "POST"]
    assert jobs, "the Bulk API 2.0 query endpoint was used"
    assert set(Person.objects.filter(sfdc_type="lead").values_list("sf_lead_id", flat=True)) == leads_in_org(
        emulator
    )


class WorkerKilled(Exception):
    pass


def test_a_killed_initial_load_resumes_where_it_stopped(db, emulator, small_bulk_threshold, monkeypatch):
    monkeypatch.setattr("syncapp.sync.pull.read.BULK_PAGE", 15)
    monkeypatch.setattr("syncapp.sync.pull.object.BULK_CHUNK", 15)
    real_apply = pull.PageApplier.apply_csv
    applied = {"Lead": 0}

    def apply_then_die(self, header, rows, cursor=None):
        result = real_apply(self, header, rows, cursor)
        if self.entry.sobject == "Lead":
            applied["Lead"] += 1
            if applied["Lead"] == 2:
                raise WorkerKilled
        return result

    monkeypatch.setattr(pull.PageApplier, "apply_csv", apply_then_die)
    with pytest.raises(WorkerKilled):
        run_cycle(trigger="test")
    cursor = SyncCursor.objects.get(sobject="Lead")
    assert cursor.load_state == SyncCursor.LoadState.IN_PROGRESS
    assert cursor.bulk_locator
    job_id = cursor.bulk_job_id
    reads_before = len([r for r in emulator.request_log() if job_id in r["path"]])

    monkeypatch.setattr(pull.PageApplier, "apply_csv", real_apply)
    run_cycle(trigger="test")

    cursor.refresh_from_db()
    assert cursor.load_state == SyncCursor.LoadState.DONE
    leads = Person.objects.filter(sfdc_type="lead")
    assert set(leads.values_list("sf_lead_id", flat=True)) == leads_in_org(emulator)
    assert (
        ActivityLog.objects.filter(type=ActivityLog.Type.NEW_PERSON, person__in=leads).count()
        == leads.count()
    )
    # The same job was read on from its checkpoint, not started over.
    assert len([r for r in emulator.request_log() if job_id in r["path"]]) > reads_before


def test_an_expired_session_mid_cycle_is_survived(sync, emulator):
    sync()
    emulator.update("Lead", next(iter(leads_in_org(emulator))), {"Title": "Head of Sessions"}, as_user="rep")
    emulator.inject_fault("invalid_session", count=1, path="/composite/batch")

    run = sync()

    assert SyncStep.objects.get(run=run, sobject="Lead").updated == 1


def test_a_burst_of_503s_is_retried(sync, emulator):
    emulator.inject_fault("server_unavailable", count=2, path="/composite/batch")

    run = sync()

    assert Person.objects.exists()
    assert run.status == SyncRun.Status.SUCCEEDED


def org_time_after_every_stamp(emulator) -> datetime:
    """An hour past the org's clock and every seeded stamp: no calendar date that the data can overtake."""
    latest = emulator.query("SELECT SystemModstamp FROM Lead ORDER BY SystemModstamp DESC LIMIT 1")
    stamps = [emulator.clock()["now"], *(r["SystemModstamp"] for r in latest)]
    newest = max(datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z") for s in stamps)
    return newest.replace(microsecond=0) + timedelta(hours=1)


def test_writes_in_the_same_second_and_late_commits_are_not_missed(sync, emulator):
    t0 = org_time_after_every_stamp(emulator)
    emulator.set_clock(now=t0.isoformat())
    first = emulator.create("Lead", {"LastName": "First", "Company": "Acme"}, as_user="rep")
    sync()
    # Same second as the high-water mark, then a transaction that commits late with an older stamp.
    same = emulator.create("Lead", {"LastName": "Same Second", "Company": "Acme"}, as_user="rep")
    emulator.set_clock(now=(t0 - timedelta(seconds=20)).isoformat())
    late = emulator.create("Lead", {"LastName": "Late Commit", "Company": "Acme"}, as_user="rep")

    sync()

    ids = set(Person.objects.values_list("sf_lead_id", flat=True))
    assert {first["id"], same["id"], late["id"]} <= ids


def test_an_exhausted_api_limit_stops_the_cycle_cleanly(sync, emulator):
    emulator.set_usage(used=100_000, limit=100_000)

    run = sync(expect_ok=False)

    assert run.status == SyncRun.Status.FAILED
    assert "daily API limit" in run.message
    assert SyncError.objects.filter(
        run=run, level=SyncError.Level.JOB, code="REQUEST_LIMIT_EXCEEDED"
    ).exists()
    assert SyncSettings.load().lease_owner == ""


def test_two_cycles_never_run_at_once(db):
    assert acquire_lease("worker-a")
    assert not acquire_lease("worker-b")
    assert run_cycle(trigger="test").skipped_reason == "Another sync cycle is running."

    release_lease("worker-a")
    assert acquire_lease("worker-b")


def test_a_crashed_workers_lease_expires(db):
    assert acquire_lease("crashed")
    SyncSettings.objects.filter(pk=1).update(lease_until=timezone.now() - timedelta(seconds=1))

    assert acquire_lease("next")


def test_the_next_cycle_waits_for_the_pause_and_respects_the_switch(db):
    assert pacing.cycle_is_due()
    SyncRun.objects.create(
        started_at=timezone.now(), finished_at=timezone.now(), status=SyncRun.Status.SUCCEEDED
    )
    assert not pacing.cycle_is_due()
    assert pacing.cycle_is_due(now=timezone.now() + timedelta(minutes=5, seconds=1))

    SyncSettings.objects.update_or_create(pk=1, defaults={"enabled": False})
    assert not pacing.cycle_is_due(now=timezone.now() + timedelta(hours=1))


def test_sync_now_prints_a_summary_per_object(db, emulator, capsys):
    call_command("sync_now")

    out = capsys.readouterr().out
    assert "Lead" in out
    assert "Initial load" in out
    assert "API calls" in out
    assert "Succeeded" in out


def test_sync_now_exits_non_zero_when_the_cycle_fails(db, emulator):
    emulator.set_usage(used=100_000, limit=100_000)

    with pytest.raises(CommandError, match="daily API limit"):
        call_command("sync_now")


def test_ensure_schedules_is_idempotent(db):
    call_command("ensure_schedules")
    call_command("ensure_schedules")

    schedule = Schedule.objects.get(name="syncapp: sync cycle")
    assert schedule.func == "syncapp.tasks.run_scheduled_sync"
    assert Schedule.objects.count() == 1


def test_the_delta_starts_at_the_later_of_the_overlap_and_what_was_already_read_through(db, settings):
    from syncapp.sync.pull.read import delta_query
    from syncapp.sync.registry import LEADS

    settings.SYNC_OVERLAP_SECONDS = 60
    stamp = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    cursor = SyncCursor(sobject="Lead", load_state=SyncCursor.LoadState.DONE, high_water=stamp)

    soql, include_deleted = delta_query(LEADS, ["Id", "SystemModstamp"], cursor)
    assert "SystemModstamp >= 2026-11-20T11:59:00Z" in soql
    assert include_deleted  # deletes and merge losers come through queryAll

    cursor.read_through = stamp + timedelta(minutes=4)
    soql, _ = delta_query(LEADS, ["Id", "SystemModstamp"], cursor)
    assert "SystemModstamp >= 2026-11-20T12:04:00Z" in soql


def test_a_complete_delta_read_records_how_far_the_mirror_is_known_complete(sync, emulator):
    sync()
    sync()

    cursor = SyncCursor.objects.get(sobject="Lead")
    assert cursor.read_through is not None
    assert cursor.read_through <= timezone.now()


def test_a_delta_read_records_how_many_records_changed_in_salesforce_for_the_backlog(sync, emulator):
    from syncapp.selectors.dashboard import salesforce_backlog

    sync()
    leads = list(leads_in_org(emulator))[:7]
    for lead_id in leads:
        emulator.update("Lead", lead_id, {"Title": "Backlog check"}, as_user="rep")

    run = sync()

    step = SyncStep.objects.get(run=run, sobject="Lead", operation=SyncStep.Operation.PULL_UPDATES)
    # The delta query's totalSize, from the same composite call: the changed records, plus the few the
    # overlap window reads again (stamped in the last read's final second).
    assert len(leads) <= step.progress_total <= len(leads) + 2
    assert step.api_calls == 0  # counted from the cycle's one composite call: no call of its own
    assert salesforce_backlog()["Lead"][0] == 0  # all of them read by the end of the cycle
