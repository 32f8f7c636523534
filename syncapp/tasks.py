"""django-q2 entry points: ids and primitives in, one service call each. Their dotted paths are stored in
queued jobs and schedules: renaming one needs a data migration."""

from __future__ import annotations

from syncapp import services


def run_sync_cycle(trigger: str = "manual") -> str:
    result = services.sync_cycle_run(trigger=trigger)
    return result.skipped_reason or f"run {result.run.pk}: {result.run.status}"


def run_scheduled_sync() -> str:
    result = services.sync_cycle_run_if_due()
    return result.skipped_reason or f"run {result.run.pk}: {result.run.status}"


def run_flow(flow_run_id: int) -> str:
    return run_flows([flow_run_id])


def run_flows(flow_run_ids: list[int]) -> str:
    runs = services.flow_runs_execute(flow_run_ids=list(flow_run_ids))
    return "; ".join(f"flow run {run.pk}: {run.status}" for run in runs) or "nothing left to run"


def recover_flow_runs(*args, **kwargs) -> str:
    """At every worker start (django-q2's post_spawn signal) and on a schedule: see services."""
    return services.flow_runs_recover()
