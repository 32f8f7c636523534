"""One sync cycle, under a lease so two never run at once across any number of workers.

Schema (every N cycles) → one composite batch holding every object's delta query (the whole idle cycle
is that one API call) → each object's pages in dependency order, initial loads included → push → finish,
which rebuilds any indexes a large load set aside, however the cycle ended. A failing object fails its
step, not the cycle; an exhausted API limit stops the cycle cleanly.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.utils import timezone

from syncapp.models import (
    ActivityLog,
    DeferredIndex,
    SyncCursor,
    SyncError,
    SyncRun,
    SyncSettings,
    SyncStep,
)
from syncapp.salesforce.client import QueryPage, SalesforceClient, connect
from syncapp.salesforce.errors import ConfigurationError, LimitReachedError, SalesforceError
from syncapp.sync import cursor as cursors
from syncapp.sync.indexes import defer_indexes, rebuild_indexes
from syncapp.sync.lease import acquire_lease, extend_lease, release_lease
from syncapp.sync.pull import read
from syncapp.sync.pull.apply import PageApplier, PullContext
from syncapp.sync.pull.object import ObjectPull
from syncapp.sync.push import push_pending
from syncapp.sync.registry import SyncedObject
from syncapp.sync.schema import (
    SyncSchema,
    has_schema,
    load_schema,
    refresh_schema,
    refresh_schema_saying_what_stopped,
)
from syncapp.sync.steps import Counts, Step, StepRecorder

log = logging.getLogger(__name__)
EVENT_TRIGGER = "event"  # a cycle started by change events: only the objects they named
Objects = frozenset[str] | None  # an event cycle's objects; None: every synced object


@dataclass(frozen=True)
class CycleResult:
    run: SyncRun | None
    skipped_reason: str = ""


def run_cycle(
    *,
    trigger: str = "schedule",
    client: SalesforceClient | None = None,
    objects: frozenset[str] | None = None,
) -> CycleResult:
    """One cycle; `objects` limits the pull to those sObjects (an event cycle), the push still runs."""
    owner = uuid.uuid4().hex
    if not acquire_lease(owner):
        return CycleResult(run=None, skipped_reason="Another sync cycle is running.")
    try:
        # A run left "running" by a worker that died: its lease expired, so say what happened to it.
        SyncRun.objects.filter(status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(), message="The worker stopped mid-cycle."
        )
        run = SyncRun.objects.create(started_at=timezone.now(), trigger=trigger, heartbeat_at=timezone.now())
        Cycle(run=run, owner=owner, client=client, objects=objects).execute()
        return CycleResult(run=run)
    finally:
        release_lease(owner)


def schema_is_due(cycle_number: int, every: int) -> bool:
    """The schema step runs on cycle 1 and then every `every` cycles (1: every cycle)."""
    return (cycle_number - 1) % max(1, every) == 0


class Cycle:
    def __init__(
        self, *, run: SyncRun, owner: str, client: SalesforceClient | None, objects: Objects = None
    ) -> None:
        self.run = run
        self.objects = objects
        self.owner = owner
        self.client = client
        self.settings = SyncSettings.load()
        self.schema: SyncSchema | None = None
        self.schema_refreshed = False  # at most once a cycle after INVALID_FIELD: a field is gone
        self.batch_time = None  # Salesforce's clock when the delta queries were read
        self.recorder = StepRecorder(run=run, client=client, heartbeat=self._heartbeat)

    def _heartbeat(self) -> None:
        extend_lease(self.owner)
        SyncRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now())

    def execute(self) -> None:
        run = self.run
        start_calls = self.client.calls if self.client else 0
        try:
            self.client = self.recorder.client = self.client or connect()
            self.schema = schema = self._schema()
            wanted = [e for e in schema.entries() if self.objects is None or e.sobject in self.objects]
            entries = [e for e in wanted if schema.field_names(e.sobject)]
            first_pages = self._first_pages(schema, entries)
            for entry in entries:
                self._pull(entry, first_pages.get(entry.sobject))
            self._push()
            run.status = SyncRun.Status.INCOMPLETE if self.recorder.failed_steps else SyncRun.Status.SUCCEEDED
        except LimitReachedError as exc:
            self._fail(f"Stopped: {exc.message} The sync resumes when the limit resets.", exc)
        except SalesforceError as exc:
            self._fail(exc.message, exc)
        except Exception as exc:
            log.exception("Sync cycle %s crashed", run.pk)
            self._fail(f"Internal error: {exc!r}", exc)
            raise
        finally:
            try:  # whether the cycle ended well or not: leave the tables fully indexed
                self._rebuild_indexes()
            except Exception:  # never hide the error that stopped the cycle; the next cycle tries again
                log.exception("Rebuilding the indexes set aside for a load failed")
            usage = self.client.api_usage if self.client else None
            if usage:
                run.api_used, run.api_limit = usage.used, usage.limit
            if self.client:
                run.api_calls = self.client.calls - start_calls
            run.finished_at = timezone.now()
            run.save()

    def _fail(self, message: str, exc: Exception) -> None:
        self.run.status = SyncRun.Status.FAILED
        self.run.message = message
        self.recorder.fail(exc, message)

    # --- schema -------------------------------------------------------------------------------------------
    def _schema(self) -> SyncSchema:
        if self.objects is not None and has_schema():  # event cycles never refresh the schema
            return load_schema()
        cycles = SyncRun.objects.exclude(trigger=EVENT_TRIGGER).count()
        if has_schema() and not schema_is_due(cycles, self.settings.schema_every_cycles):
            return load_schema()
        with self.recorder.step("*", SyncStep.Operation.SCHEMA) as step:
            schema = refresh_schema(self.client)
            step.add(Counts(updated=sum(len(v) for v in schema.fields.values())))
        return schema

    # --- pull ---------------------------------------------------------------------------------------------
    def _first_pages(self, schema: SyncSchema, entries: list[SyncedObject]) -> dict[str, QueryPage]:
        """ONE composite batch: each object's delta query, or COUNT() for objects not loaded yet."""
        queries = []
        for entry in entries:
            cursor = cursors.cursor_for(entry.sobject)
            if cursors.needs_count(cursor, entry.bulk_load):
                queries.append((read.count_query(entry), False))
            else:
                queries.append(read.delta_query(entry, schema.field_names(entry.sobject), cursor))
        pages, self.batch_time = read.first_pages(self.client, queries)
        for entry, page in zip(entries, pages, strict=True):
            if page is None:
                log.warning("Delta query for %s failed in the batch; it is read on its own", entry.sobject)
        return {entry.sobject: page for entry, page in zip(entries, pages, strict=True) if page is not None}

    def _pull(self, entry: SyncedObject, first: QueryPage | None) -> None:
        cursor = cursors.cursor_for(entry.sobject)
        initial = not cursors.is_loaded(cursor)
        operation = SyncStep.Operation.INITIAL_LOAD if initial else SyncStep.Operation.PULL_UPDATES
        try:
            with self.recorder.step(entry.sobject, operation) as step:
                self._pull_step(step, self.schema, entry, cursor, first, initial)
        except LimitReachedError:
            raise
        except ConfigurationError as exc:
            # A field deleted or hidden from the sync user since the schema was read: describe again and read
            # the object once more without it (its cursor did not move), instead of a cycle behind.
            if self._refresh_after(exc) and self.schema.field_names(entry.sobject):
                self._pull(entry, None)
        except SalesforceError:
            pass  # the step is closed as failed with Salesforce's message; the other objects go on

    def _refresh_after(self, exc: ConfigurationError) -> bool:
        """After INVALID_FIELD, once a cycle: refresh the schema and say, as a job-level error the dashboard
        lists, which fields stopped syncing. True if the schema is new."""
        if exc.code != "INVALID_FIELD" or self.schema_refreshed:
            return False
        self.schema_refreshed = True
        with self.recorder.step("*", SyncStep.Operation.SCHEMA) as step:
            self.schema, step.message = refresh_schema_saying_what_stopped(self.client, self.schema)
            step.add(Counts(updated=sum(len(v) for v in self.schema.fields.values())))
        self.recorder.record_error(
            level=SyncError.Level.JOB,
            code=exc.code,
            message=step.message,
            operation=SyncStep.Operation.SCHEMA,
        )
        self.recorder.flush_errors()
        return True

    def _pull_step(
        self,
        step: Step,
        schema: SyncSchema,
        entry: SyncedObject,
        cursor: SyncCursor,
        first: QueryPage | None,
        initial: bool,
    ) -> None:
        ctx = PullContext(schema=schema, recorder=self.recorder, writer=self.recorder.activity_writer())

        def progress(counts: Counts, done: int) -> None:
            step.counts = counts
            step.progress(done)

        puller = ObjectPull(self.client, PageApplier(entry, ctx), cursor, on_progress=progress)
        if cursors.needs_count(cursor, entry.bulk_load):
            cursors.begin_load(
                cursor, first.total_size if first else self.client.count(entry.sobject, entry.where)
            )
            first = None  # that page was the COUNT(), not records
        if initial:
            step.total(cursor.rows_total)
        if (
            initial
            and entry.bulk_load
            and (cursor.bulk_job_id or (cursor.rows_total or 0) > self.settings.bulk_threshold)
        ):
            self._defer_indexes(entry, (cursor.rows_total or 0) - cursor.rows_read)
            step.counts = puller.run_bulk()
            step.message = (
                f"Bulk API load: {puller.seconds_writing:.1f} s writing the mirror, "
                f"{puller.seconds_waiting:.1f} s waiting for Salesforce's pages."
            )
        else:
            if not initial and first is not None:
                # How many changed since the last read (the dashboard's backlog), at no extra API call.
                step.total(first.total_size)
            step.counts = puller.run_pages(first, read_at=self.batch_time)
        step.progress_done = cursor.rows_read if initial else (step.progress_total or 0)

    # --- indexes during large loads -----------------------------------------------------------------------
    def _defer_indexes(self, entry: SyncedObject, coming: int) -> None:
        """Set aside the secondary indexes of the tables a load will at least double (its model's, and the
        activity log's, which gets a row per new person)."""
        for model in dict.fromkeys((entry.model, ActivityLog)):
            if coming >= max(1, model._base_manager.count()):
                defer_indexes(model)

    def _rebuild_indexes(self) -> None:
        count = DeferredIndex.objects.count()
        if not count:
            return
        with self.recorder.step("*", SyncStep.Operation.REBUILD_INDEXES) as step:
            extend_lease(self.owner)
            try:
                seconds = rebuild_indexes()
            except Exception as exc:  # they stay listed: the next cycle tries again
                log.exception("Rebuilding the indexes set aside for the initial load failed")
                step.fail(f"Rebuilding indexes failed: {exc!r}; the next cycle tries again.")
                return
            step.add(Counts(updated=count))
            step.message = "Seconds per table: " + ", ".join(f"{t} {s:.1f}" for t, s in seconds.items())

    # --- push ---------------------------------------------------------------------------------------------
    def _push(self) -> None:
        result = push_pending(client=self.client, recorder=self.recorder, schema=self.schema)
        if result.invalid_field is not None and self._refresh_after(result.invalid_field):
            push_pending(client=self.client, recorder=self.recorder, schema=self.schema)
