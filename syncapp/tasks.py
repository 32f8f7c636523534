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
