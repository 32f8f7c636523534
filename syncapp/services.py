"""The one door for the admin, tasks and commands: every action the product offers is a function here."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from syncapp.flows import runner
from syncapp.flows.registry import ACTIONS, FlowAction, action_for
from syncapp.models import Campaign, CampaignMember, FlowRun, ListenerState, Person, SyncSettings
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync import cycle, lease, listener, pacing
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
SCHEDULE_NAME = "syncapp: sync cycle"
SCHEDULE_FUNC = "syncapp.tasks.run_scheduled_sync"
# The schedule's next run is set by whoever changes when the next cycle is due (a cycle ending, the settings,
# the switch); a wake-up that found the lease taken looks again this much later.
BUSY_RETRY = timedelta(seconds=60)


def _backstop() -> timedelta:
    """How long after its last wake-up django-q2 runs the schedule again on its own: only if nothing set the
    next run since (a worker killed mid-cycle, a task lost by Redis). The dead cycle's lease, which would
    keep a new one from starting, has expired by then."""
    return timedelta(minutes=max(1, -(-lease.lease_seconds() // 60)))


def sync_schedule_ensure() -> bool:
    """Create or update the django-q2 schedule that starts regular cycles (idempotent); True if created."""
    from django_q.models import Schedule

    defaults = {
        "func": SCHEDULE_FUNC,
        "schedule_type": Schedule.MINUTES,
        "minutes": int(_backstop().total_seconds() // 60),
        "repeats": -1,
    }
    _, created = Schedule.objects.update_or_create(
        name=SCHEDULE_NAME, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
    )
    sync_schedule_refresh()
    return created


def sync_schedule_refresh(*, busy: bool = False) -> datetime:
    """Point the schedule at the moment the next regular cycle may fall due, so it starts when the pause
    ends rather than at the next tick of a clock (django-q2 looks at its schedules every 30 seconds)."""
    from django_q.models import Schedule

    now = timezone.now()
    at = pacing.next_check_at(now) or now + _backstop()  # switched off: switching on sets it again
    if busy:
        at = max(at, now + BUSY_RETRY)
    Schedule.objects.filter(name=SCHEDULE_NAME).update(next_run=at)
    return at


def sync_cycle_run(*, trigger: str = "manual") -> cycle.CycleResult:
    """Run one full cycle now, in this process (the lease still keeps it the only one running)."""
    try:
        return cycle.run_cycle(trigger=trigger)
    finally:
        sync_schedule_refresh()  # the pause now counts from this cycle's end


def sync_cycle_run_if_due() -> cycle.CycleResult:
    """What the schedule runs when it wakes: a cycle once the pause since the last one has passed, then the
    schedule's next wake-up. With the change-event listener live, what this safety-net cycle still finds
    is counted: lost events."""
    busy = False
    try:
        if not pacing.cycle_is_due():
            return cycle.CycleResult(run=None, skipped_reason="Not due yet (or sync is switched off).")
        live = ListenerState.load().is_live()
        result = cycle.run_cycle(trigger="schedule")
        busy = result.run is None
        if live and result.run is not None:
            listener.safety_net_count(result.run.pk)
        return result
    finally:
        sync_schedule_refresh(busy=busy)


IDLE_LOOK_AGAIN = 30.0  # seconds: streaming switched back on, or the pause changed, is noticed this soon
CYCLE_END_LOOK = (
    5.0  # seconds between looks for the end of a queued cycle (then the next pause is timed exactly)
)
_NONE_QUEUED = object()


def stream_listen(*, stop: threading.Event) -> None:
    """Hold the change-event listener until `stop` is set (manage.py listen). While streaming is off, keep
    time for the regular cycle instead: django-q2's scheduler looks at its schedules only every 30 seconds,
    so on its own it would start a cycle due after a 30-second pause up to a minute after the last one."""
    queued_after: object = _NONE_QUEUED  # the end of the cycle the last queued one follows
    while not stop.is_set():
        if SyncSettings.load().streaming:
            listener.Listener(stop=stop).run()
            continue
        now = timezone.now()
        due = pacing.next_check_at(now)
        if due is None or due > now:
            stop.wait(min(IDLE_LOOK_AGAIN, (due - now).total_seconds()) if due else IDLE_LOOK_AGAIN)
            continue
        last = pacing.last_regular_end()
        if last != queued_after:
            # Once per cycle it follows: a task lost or a worker down is the schedule's to retry, so tasks
            # never pile up in the queue while no worker runs.
            _queue_scheduled_cycle()
            queued_after = last
        stop.wait(CYCLE_END_LOOK)


def _queue_scheduled_cycle() -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(SCHEDULE_FUNC, task_name="regular cycle, pause ended"))


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
        sync_schedule_refresh()
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
            if _queue_is_this_database():
                # The task row commits with the runs: a click whose writes cannot get SQLite's lock leaves
                # nothing behind (the page says it was not recorded), never a run with no task for it.
                _enqueue_flow_runs(ids)
            else:
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


def _queue_is_this_database() -> bool:
    """The ORM broker on our own database, run by a cluster: a queued task is a row written in our
    transaction, which no worker sees before it commits. Redis could hand the task out before the commit, and
    inline mode (tests) would call Salesforce with the transaction still open: both wait for the commit."""
    from django_q.conf import Conf

    return Conf.ORM == DEFAULT_DB_ALIAS and not Conf.SYNC


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
