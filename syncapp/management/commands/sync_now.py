"""`manage.py sync_now`: run one full sync cycle in the foreground and print what it did per object."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from syncapp.models import SyncRun
from syncapp.services import sync_cycle_run

COLUMNS = ("object", "operation", "new", "updated", "deleted", "skipped", "failed", "API calls", "seconds")


class Command(BaseCommand):
    help = "Run one sync cycle now and print a per-object summary. Exits non-zero if the cycle failed."

    def handle(self, *args, **options) -> None:
        result = sync_cycle_run(trigger="command")
        if result.run is None:
            raise CommandError(result.skipped_reason)
        run = result.run
        rows = [
            (
                step.sobject,
                step.get_operation_display(),
                step.created,
                step.updated,
                step.deleted,
                step.skipped,
                step.failed,
                step.api_calls,
                f"{(step.finished_at - step.started_at).total_seconds():.2f}" if step.finished_at else "-",
            )
            for step in run.steps.order_by("id")
        ]
        widths = [max(len(str(v)) for v in col) for col in zip(COLUMNS, *rows, strict=False)]
        for row in (COLUMNS, *rows):
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
        seconds = (run.finished_at - run.started_at).total_seconds()
        usage = f", org usage {run.api_used:,}/{run.api_limit:,}" if run.api_limit else ""
        summary = (
            f"Cycle {run.pk}: {run.get_status_display()} in {seconds:.2f} s, {run.api_calls} API calls{usage}"
        )
        summary += "."
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"{summary} {run.message}")
        self.stdout.write(self.style.SUCCESS(summary) if run.status == SyncRun.Status.SUCCEEDED else summary)
