"""The one door for the admin, tasks and commands: every action the product offers is a function here."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction

from syncapp.flows import runner
from syncapp.flows.registry import ACTIONS, FlowAction, action_for
from syncapp.models import Campaign, CampaignMember, FlowRun, ListenerState, Person, SyncSettings
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync import cycle, listener
from syncapp.sync.edits import record_update

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def salesforce_connection_check() -> ConnectionCheck:
    """Log in with the configured credentials and read the org's API usage; say in one line what happened."""
    try:
        client = connect()
        info = client.userinfo()
        client.limits()
    except SalesforceError as exc:
        return ConnectionCheck(ok=False, message=exc.message)
    usage = client.api_usage
    usage_text = f", {usage.used:,} of {usage.limit:,} daily API calls used" if usage else ""
    who = info.get("preferred_username") or info.get("email") or "the sync user"
    return ConnectionCheck(
        ok=True,
        message=(
            f"Salesforce is reachable: logged in as {who} at {client.token.instance_url} "
            f"(API v{client.credentials.api_version}{usage_text})."
        ),
    )


# --- the sync cycle -----------------------------------------------------------------------------------------
def sync_cycle_run(*, trigger: str = "manual") -> cycle.CycleResult:
    """Run one full cycle now, in this process (the lease still keeps it the only one running)."""
    return cycle.run_cycle(trigger=trigger)


def sync_cycle_run_if_due() -> cycle.CycleResult:
    """What the schedule calls every minute: a cycle starts once the pause since the last one has passed.
    With the change-event listener live, what this safety-net cycle still finds is counted: lost events."""
    if not cycle.cycle_is_due():
        return cycle.CycleResult(run=None, skipped_reason="Not due yet (or sync is switched off).")
    live = ListenerState.load().is_live()
    result = cycle.run_cycle(trigger="schedule")
    if live and result.run is not None:
        listener.safety_net_count(result.run.pk)
    return result


def stream_listen(*, stop: threading.Event) -> None:
    """Hold the change-event listener until `stop` is set (manage.py listen); idle while streaming is off."""
    while not stop.is_set():
        if SyncSettings.load().streaming:
            listener.Listener(stop=stop).run()
        else:
            stop.wait(30)  # switched off in the sync settings: look again now and then


def sync_cycle_request() -> None:
    """Queue a cycle on the workers now (the admin's "Sync now"), once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("syncapp.tasks.run_sync_cycle", "manual"))


def sync_switch(*, enabled: bool, actor: str) -> SyncSettings:
    """Switch the background sync on or off. A cycle already running finishes; none starts while off."""
    sync_settings = SyncSettings.ensure()
    if sync_settings.enabled != enabled:
        sync_settings.enabled = enabled
        sync_settings.save(update_fields=["enabled"])
        log.info("The sync was switched %s by %s.", "on" if enabled else "off", actor)
    return sync_settings


# --- local edits --------------------------------------------------------------------------------------------
def person_update(
    *, person: Person, changes: dict[str, Any], actor: str, actor_id: int | None = None
) -> Person:
    """Edit a person's synced fields; the change reaches Salesforce through the outbox at the next push."""
    return record_update(obj=person, changes=changes, actor=actor, actor_id=actor_id)


def campaign_update(*, campaign: Campaign, changes: dict[str, Any], actor: str) -> Campaign:
    return record_update(obj=campaign, changes=changes, actor=actor)


def campaign_member_update(*, member: CampaignMember, changes: dict[str, Any], actor: str) -> CampaignMember:
    return record_update(obj=member, changes=changes, actor=actor)


# --- flow actions -------------------------------------------------------------------------------------------
FLOW_BATCH = 1000  # people per task: written 200 per sObject Collections call, read back 5,000 per call


def flow_actions() -> dict[str, FlowAction]:
    return ACTIONS


def flow_action(key: str) -> FlowAction:
    return action_for(key)


def flow_run_request(
    *,
    action: str,
    persons: list[Person],
    options: dict[str, Any],
    actor: Any = None,
    foreground: bool = False,
) -> list[FlowRun]:
    """Write one FlowRun per person (before anything reaches Salesforce) and run them: on the workers once
    this transaction commits, or here and now when `foreground` (the `flow` command). People with this
    action already queued or running get no second run; the runs returned are the new ones."""
    flow = action_for(action)
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        flow_runs_recover()  # a run a dead worker left must not block this request as "already running"
        # A double click (or a second bulk request) must not run the same action twice for one person at once.
        busy = set(flow_runs_busy(action=flow.key, persons=persons))
        runs = FlowRun.objects.bulk_create(
            [
                FlowRun(action=flow.key, options=options, person=p, requested_by=user)
                for p in persons
                if p.pk not in busy
            ]
        )
        ids = [run.pk for run in runs]
        if not foreground:
            transaction.on_commit(lambda: _enqueue_flow_runs(ids))
            return runs
    # Committed before the first Salesforce call: a worker killed mid-run leaves its runs "running" for the
    # recovery to retry, not a rolled-back request with no trace of what Salesforce may already hold (and
    # no write lock held on the database while Salesforce answers).
    return runner.execute(ids)


def flow_runs_busy(*, action: str, persons: list[Person]) -> dict[int, FlowRun]:
    """person id → that person's run of `action` still queued or running."""
    busy = FlowRun.objects.filter(
        action=action,
        person__in=[p.pk for p in persons],
        status__in=[FlowRun.Status.QUEUED, FlowRun.Status.RUNNING],
    ).order_by("pk")
    return {run.person_id: run for run in busy}


def _enqueue_flow_runs(ids: list[int]) -> None:
    from django.conf import settings
    from django_q.tasks import async_task

    timeout = settings.FLOW_TASK_TIMEOUT
    for start in range(0, len(ids), FLOW_BATCH):
        chunk = ids[start : start + FLOW_BATCH]
        if len(chunk) == 1:
            task_id = async_task(
                "syncapp.tasks.run_flow", chunk[0], task_name=f"flow run {chunk[0]}", timeout=timeout
            )
        else:
            task_id = async_task(
                "syncapp.tasks.run_flows", chunk, task_name=f"flow runs {chunk[0]}…", timeout=timeout
            )
        FlowRun.objects.filter(pk__in=chunk).update(task_id=task_id or "")


def flow_runs_execute(*, flow_run_ids: list[int]) -> list[FlowRun]:
    """Run queued FlowRuns now, in this process (what the worker's task calls); runs a dead worker left
    behind are picked up first, so none waits for the next worker start."""
    flow_runs_recover()
    return runner.execute(flow_run_ids)


def flow_runs_recover() -> str:
    """Runs a dead worker left behind: re-queued once (the actions are safe to retry), else failed."""
    from django.conf import settings

    retried, failed = runner.recover(stale_after=timedelta(seconds=settings.FLOW_TASK_TIMEOUT + 60))
    if retried:
        transaction.on_commit(lambda: _enqueue_flow_runs(retried))
    return f"{len(retried)} flow run(s) re-queued, {len(failed)} failed after a stopped worker."
