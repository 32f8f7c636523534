"""StepRecorder: the bookkeeping of every step (pull, push, schema, index rebuild, flows) in one place.

A step is opened with `with recorder.step(sobject, operation) as step:`. However the block ends, the step
is closed: succeeded, failed with the reason the code gave (`step.fail(…)`), or failed with the exception's
message, which is also recorded as a job-level SyncError before the exception goes on. No step is ever left
"running" by an error. Counts are one frozen `Counts`; errors are SyncError rows built by `record_error`
and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from syncapp.models import Person, SyncError, SyncRun, SyncStep
from syncapp.sync.activity_log import ActivityWriter

if TYPE_CHECKING:
    from syncapp.salesforce.client import SalesforceClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counts:
    """What a step did to records: the five numbers of Marketo's Sync Status."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    failed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.skipped + other.skipped,
            self.failed + other.failed,
        )

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted + self.skipped + self.failed

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "failed": self.failed,
        }


class Step:
    """One open step: add counts, report progress, or say why it failed without raising."""

    def __init__(self, recorder: StepRecorder, sobject: str, operation: str, row: SyncStep | None) -> None:
        self.recorder = recorder
        self.sobject = sobject
        self.operation = operation
        self.row = row
        self.counts = Counts()
        self.message = ""
        self.failure = ""
        self.progress_done = 0
        self.progress_total: int | None = None
        self.calls_at_start = recorder.calls()

    def add(self, counts: Counts) -> None:
        self.counts = self.counts + counts

    def fail(self, message: str) -> None:
        """The step goes on, but ends failed (e.g. one request of a push failed and is retried later)."""
        self.failure = message

    def total(self, total: int | None) -> None:
        self.progress_total = total
        if self.row is not None:
            SyncStep.objects.filter(pk=self.row.pk).update(progress_total=total)

    def progress(self, done: int | None = None) -> None:
        """Show the counts so far (and how far a load is) while the step runs; keeps the cycle's lease."""
        if done is not None:
            self.progress_done = done
        if self.row is not None:
            SyncStep.objects.filter(pk=self.row.pk).update(
                progress_done=self.progress_done, **self.counts.as_dict()
            )
        self.recorder.heartbeat()

    def record_error(
        self, code: str, message: str, *, level: str = SyncError.Level.RECORD, **record: Any
    ) -> None:
        self.recorder.record_error(
            level=level, sobject=self.sobject, operation=self.operation, code=code, message=message, **record
        )

    def _close(self, status: str) -> None:
        if self.row is None:
            return
        row = self.row
        for name, value in self.counts.as_dict().items():
            setattr(row, name, value)
        row.progress_done, row.progress_total = self.progress_done, self.progress_total
        row.api_calls = self.recorder.calls() - self.calls_at_start
        row.status = status
        row.message = self.failure or self.message
        row.finished_at = timezone.now()
        row.save()


class StepRecorder:
    """Opens and closes the steps of one sync run (of a flow run: `run=None`, only errors are stored)."""

    def __init__(
        self,
        *,
        run: SyncRun | None = None,
        client: SalesforceClient | None = None,
        flow_run_id: int | None = None,
        heartbeat: Callable[[], None] = lambda: None,
    ) -> None:
        self.run = run
        self.client = client
        self.flow_run_id = flow_run_id
        self.heartbeat = heartbeat
        self.failed_steps = 0
        self.errors: list[SyncError] = []
        self._recorded: set[int] = set()  # exceptions already stored as a SyncError

    def calls(self) -> int:
        return self.client.calls if self.client is not None else 0

    def activity_writer(self, source: str = "Salesforce") -> ActivityWriter:
        return ActivityWriter(
            sync_run_id=self.run.pk if self.run else None, flow_run_id=self.flow_run_id, source=source
        )

    @contextmanager
    def step(self, sobject: str, operation: str) -> Iterator[Step]:
        row = None
        if self.run is not None:
            row = SyncStep.objects.create(
                run=self.run, sobject=sobject, operation=operation, started_at=timezone.now()
            )
        step = Step(self, sobject, operation, row)
        try:
            yield step
        except BaseException as exc:
            message = getattr(exc, "message", "") or f"Internal error: {exc!r}"
            step.failure = message
            # Record errors queued by a page whose transaction rolled back: its replay queues them again.
            self.errors = []
            self.failed_steps += 1
            self.fail(exc, message, sobject=sobject, operation=operation)
            step._close(SyncStep.Status.FAILED)
            raise
        if step.failure:
            self.failed_steps += 1
            step._close(SyncStep.Status.FAILED)
        else:
            step._close(SyncStep.Status.SUCCEEDED)

    # --- errors -------------------------------------------------------------------------------------------
    def record_error(
        self,
        *,
        level: str,
        code: str,
        message: str,
        sobject: str = "",
        operation: str = "",
        sf_id: str | None = "",
        person_id: int | None = None,
        local_id: str = "",
        fields: list[str] | None = None,
    ) -> None:
        """Queue one SyncError; `flush_errors` writes the queue in one insert (the caller's transaction)."""
        self.errors.append(
            SyncError(
                run=self.run,
                level=level,
                sobject=sobject,
                operation=operation,
                sf_id=sf_id or "",
                person_id=person_id,
                local_id=local_id,
                code=code,
                message=message,
                fields=fields or [],
                occurred_at=timezone.now(),
            )
        )

    def flush_errors(self) -> None:
        if self.errors:
            SyncError.objects.bulk_create(self.errors)
            self.errors = []

    def fail(self, exc: BaseException, message: str, *, sobject: str = "", operation: str = "") -> None:
        """Store a job-level error for `exc`, once, however many steps and levels it passes through."""
        if id(exc) in self._recorded:
            return
        self._recorded.add(id(exc))
        self.record_error(
            level=SyncError.Level.JOB,
            code=getattr(exc, "code", "") or type(exc).__name__,
            message=message,
            sobject=sobject,
            operation=operation,
        )
        try:
            self.flush_errors()
        except Exception:  # a broken database connection must not hide the error being recorded
            log.exception("Could not store the sync error %r", message)


def resolve_errors(*, sf_ids: Iterable[str] = (), person_ids: Iterable[int] = ()) -> int:
    """These records are in sync again (a push landed, or Salesforce sent a newer version): their open
    record-level errors are resolved and their people's "rejected by Salesforce" flag is cleared.

    The one place that does it, whichever side of the sync it happened on."""
    sf_ids = [i for i in sf_ids if i]
    person_ids = [i for i in person_ids if i]
    if not sf_ids and not person_ids:
        return 0
    resolved = 0
    now = timezone.now()
    for start in range(0, max(len(sf_ids), len(person_ids)), 900):
        matching = Q(sf_id__in=sf_ids[start : start + 900]) | Q(person_id__in=person_ids[start : start + 900])
        resolved += SyncError.objects.filter(
            matching, resolved_at__isnull=True, level=SyncError.Level.RECORD
        ).update(resolved_at=now)
    for start in range(0, len(person_ids), 900):
        Person.objects.filter(pk__in=person_ids[start : start + 900]).exclude(sync_error="").update(
            sync_error=""
        )
    return resolved
