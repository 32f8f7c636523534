"""Running flow actions: claim the FlowRuns, the implied sync, the action, the pull-back, one log row each.

Every run ends succeeded, skipped or failed with a sentence and exactly one activity log row, whatever
Salesforce answers or raises. Claims are one conditional UPDATE (queued → running), so a task delivered twice
runs once. A worker killed mid-run leaves a "running" row: `recover` re-queues it once (every action is safe
to retry: see each module's docstring), then fails it with the reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from syncapp.flows.base import FlowContext, Job, Outcome, failed, in_salesforce, skipped
from syncapp.flows.engine import Engine, finish_runs, log_rows
from syncapp.flows.registry import FlowAction, action_for
from syncapp.flows.sync_person import create_leads
from syncapp.models import ActivityLog, FlowRun, Person, SyncSettings
from syncapp.salesforce.auth import Credentials
from syncapp.salesforce.client import SalesforceClient, connect
from syncapp.salesforce.errors import SalesforceError

log = logging.getLogger(__name__)
Status = FlowRun.Status
MAX_ATTEMPTS = 2
OUTCOMES = {
    Status.SUCCEEDED: ActivityLog.Outcome.SUCCESS,
    Status.SKIPPED: ActivityLog.Outcome.SKIPPED,
    Status.FAILED: ActivityLog.Outcome.FAILED,
}


_CLIENTS: dict[Credentials, SalesforceClient] = {}


def shared_client() -> SalesforceClient:
    """One logged-in client per worker process: a click then costs no OAuth round trip (an expired session
    is renewed by the client itself)."""
    credentials = Credentials.from_settings()
    client = _CLIENTS.get(credentials)
    if client is None:
        _CLIENTS.clear()
        client = _CLIENTS[credentials] = connect(credentials)
    return client


def claim(flow_run_ids: list[int]) -> list[FlowRun]:
    now = timezone.now()
    FlowRun.objects.filter(pk__in=flow_run_ids, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1, result=""
    )
    return list(
        FlowRun.objects.filter(pk__in=flow_run_ids, status=Status.RUNNING, started_at=now)
        .select_related("person", "requested_by")
        .order_by("pk")
    )


def execute(flow_run_ids: list[int], *, client: SalesforceClient | None = None) -> list[FlowRun]:
    """Run the queued FlowRuns among `flow_run_ids` now (those claimed elsewhere are left alone)."""
    runs = claim(flow_run_ids)
    by_action: dict[str, list[FlowRun]] = {}
    for run in runs:
        by_action.setdefault(run.action, []).append(run)
    for key, group in by_action.items():
        # Options can differ between requests delivered together: one batch per distinct set.
        batches: dict[str, list[FlowRun]] = {}
        for run in group:
            batches.setdefault(repr(sorted(run.options.items())), []).append(run)
        for batch in batches.values():
            client = _execute_batch(key, batch, client)
    return list(FlowRun.objects.filter(pk__in=[r.pk for r in runs]).order_by("pk"))


def _execute_batch(key: str, runs: list[FlowRun], client: SalesforceClient | None) -> SalesforceClient | None:
    jobs = [Job(run=run, person=run.person, options=dict(run.options)) for run in runs]
    try:
        action = action_for(key)
    except KeyError as exc:
        for job in jobs:
            job.finish(failed(str(exc)))
        _finish(None, jobs)
        return client
    for job in jobs:
        if job.person is None:
            job.finish(failed("The person no longer exists here."))
        elif job.person.merged_into_id:
            job.finish(
                skipped(f"This person was merged into person #{job.person.merged_into_id}: run it there.")
            )
    engine = None
    try:
        client = client or shared_client()
        engine = Engine(client, source=f"flow: {action.label}")
        ctx = FlowContext(client=client, engine=engine, settings=SyncSettings.load())
        _run(action, ctx, [j for j in jobs if not j.done])
    except SalesforceError as exc:
        for job in jobs:
            job.finish(failed(f"Salesforce: {exc.message}", exc.code))
    except Exception as exc:  # a bug must not leave runs "running" forever; the traceback goes to the log
        log.exception("Flow action %s failed", key)
        for job in jobs:
            job.finish(failed(f"The action stopped on an unexpected error ({type(exc).__name__}): {exc}"))
    if engine is not None:
        _pull_back(engine, jobs)
    _finish(action, jobs)
    return client


def _run(action: FlowAction, ctx: FlowContext, jobs: list[Job]) -> None:
    if action.implied_sync:
        local = [j for j in jobs if not in_salesforce(j.person)]
        create_leads(ctx, local, owner=None)
        for job in local:
            outcome, job.outcome = job.outcome, None
            if outcome is None or outcome.status == Status.FAILED:
                job.finish(
                    failed(
                        f"Sync Person to SFDC (implied: not in Salesforce yet) failed: "
                        f"{outcome.message if outcome else 'no answer'}",
                        outcome.code if outcome else "",
                    )
                )
            else:
                job.implied = outcome.message
        synced = [j for j in local if not j.done]
        if synced:
            # The action needs the new lead as Salesforce made it (its owner from the assignment rules).
            ctx.engine.pull_back(item for job in synced for item in job.pull)
            fresh = Person.objects.in_bulk([j.person.pk for j in synced])
            for job in synced:
                job.person = fresh[job.person.pk]
    pending = [j for j in jobs if not j.done]
    if pending:
        action.run(ctx, pending)
    for job in jobs:
        job.finish(
            failed("The action ended without saying what it did (a bug): nothing is known to have changed.")
        )


def _pull_back(engine: Engine, jobs: list[Job]) -> None:
    wanted = {item for job in jobs for item in job.pull}
    if not wanted:
        return
    try:
        engine.pull_back(wanted)
    except SalesforceError as exc:
        for job in jobs:
            if job.pull and job.outcome is not None:
                job.outcome.message += f" Reading it back failed ({exc.message}); the next sync cycle will."
    except Exception:
        log.exception("Reading back after a flow action failed")


def _finish(action: FlowAction | None, jobs: list[Job]) -> None:
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    described: dict[str, dict[str, Any]] = {}  # one description per distinct options (a bulk run shares one)
    with transaction.atomic():
        for job in jobs:
            outcome: Outcome = job.outcome
            run = job.run
            run.status, run.result, run.error_code = outcome.status, outcome.message, outcome.code
            run.sf_ids, run.finished_at = outcome.sf_ids, now
            if action is not None and job.person is not None:
                key = repr(sorted(job.run.options.items()))
                if key not in described:
                    described[key] = action.form.describe(job.run.options)
                rows.append(_log_row(action, job, outcome, described[key]))
        finish_runs([job.run for job in jobs])
        if rows:
            log_rows(rows, source=f"flow: {action.label}")
    if action is not None and action.key == "delete_person_from_sfdc":
        gone = [
            j.person.pk
            for j in jobs
            if j.person and j.options.get("delete_here") == "yes" and j.outcome.status == Status.SUCCEEDED
        ]
        if gone:
            Person.objects.filter(pk__in=gone).delete()


def _log_row(action: FlowAction, job: Job, outcome: Outcome, described: dict[str, Any]) -> dict[str, Any]:
    primary = described.get("campaign_name") or described.get("assign_to") or described.get("subject") or ""
    # The panel shows "message" next to Salesforce's code, "reason" for skips, "result" for successes.
    text_key = {Status.SKIPPED: "reason", Status.FAILED: "message"}.get(outcome.status, "result")
    user = job.run.requested_by
    return {
        "person_id": job.person.pk,
        "type_": action.activity_type,
        "primary": str(primary),
        "outcome": OUTCOMES[outcome.status],
        "flow_run_id": job.run.pk,
        "actor_id": job.run.requested_by_id,
        "source": f"flow: {action.label}" + (f" ({user.get_username()})" if user else ""),
        **{k: v for k, v in described.items() if k != "campaign"},
        text_key: outcome.message,
        "error_code": outcome.code,
        "salesforce_ids": outcome.sf_ids,
        "implied_sync": job.implied,
        **{k: v for k, v in outcome.attributes.items() if v not in (None, "", [], {})},
    }


# --- recovery -----------------------------------------------------------------------------------------------
def recover(*, stale_after: timedelta) -> tuple[list[int], list[int]]:
    """Runs left "running" by a dead worker (or queued and lost) for longer than `stale_after`: re-queue
    those with an attempt left, fail the others with the reason. Returns (re-queued ids, failed ids)."""
    cutoff = timezone.now() - stale_after
    stale = FlowRun.objects.filter(status=Status.RUNNING, started_at__lt=cutoff)
    retry = list(stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    give_up = list(stale.filter(attempts__gte=MAX_ATTEMPTS).select_related("person", "requested_by"))
    FlowRun.objects.filter(pk__in=retry, status=Status.RUNNING).update(
        status=Status.QUEUED, result="The worker stopped during this run; it is being tried again."
    )
    lost = list(
        FlowRun.objects.filter(status=Status.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    by_action: dict[str, list[Job]] = {}
    for run in give_up:
        job = Job(run=run, person=run.person, options=dict(run.options))
        job.finish(
            failed(
                f"The worker stopped during this run {run.attempts} times; it was not tried again. Check the "
                "person in Salesforce before running it once more."
            )
        )
        by_action.setdefault(run.action, []).append(job)
    for key, jobs in by_action.items():
        try:
            action = action_for(key)
        except KeyError:
            action = None
        _finish(action, jobs)
    return sorted(set(retry) | set(lost)), [r.pk for r in give_up]
