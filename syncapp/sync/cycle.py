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
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from syncapp.models import (
    ActivityLog,
    DeferredIndex,
    ListenerState,
    SyncCursor,
    SyncError,
    SyncRun,
    SyncSettings,
    SyncStep,
)
from syncapp.salesforce.client import QueryPage, SalesforceClient, connect, to_page
from syncapp.salesforce.errors import ConfigurationError, LimitReachedError, SalesforceError
from syncapp.sync.activity import ActivityWriter
from syncapp.sync.indexes import defer_indexes, rebuild_indexes
from syncapp.sync.load import ObjectLoader, delta_query
from syncapp.sync.objects import SyncedObject
from syncapp.sync.pull import Counts, PageApplier, PullContext
from syncapp.sync.schema import SyncSchema, has_schema, load_schema, refresh_schema

log = logging.getLogger(__name__)
LEASE_NAME = "sync-cycle"
EVENT_TRIGGER = "event"  # a cycle started by change events: only the objects they named


def lease_seconds() -> int:
    return getattr(settings, "SYNC_LEASE_SECONDS", 600)


# --- the lease ----------------------------------------------------------------------------------------------
def acquire_lease(owner: str) -> bool:
    """One atomic UPDATE: it succeeds for exactly one worker; a crashed holder's lease simply expires."""
    SyncSettings.ensure()
    now = timezone.now()
    return (
        SyncSettings.objects.filter(pk=1)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds()))
        == 1
    )


def extend_lease(owner: str) -> None:
    SyncSettings.objects.filter(pk=1, lease_owner=owner).update(
        lease_until=timezone.now() + timedelta(seconds=lease_seconds())
    )


def release_lease(owner: str) -> None:
    SyncSettings.objects.filter(pk=1, lease_owner=owner).update(lease_owner="", lease_until=None)


# --- scheduling ---------------------------------------------------------------------------------------------
def cycle_is_due(now=None) -> bool:
    """The next cycle starts when the pause has passed since the previous full one ended; with the
    change-event listener live, the pause is the safety net's (changes arrive by event; cycles catch lost
    ones)."""
    return seconds_until_due(now) == 0.0


def seconds_until_due(now=None) -> float | None:
    """Seconds until the next regular cycle is due (0 when it is), None while the sync is off."""
    sync_settings = SyncSettings.load()
    if not sync_settings.enabled:
        return None
    last = (
        SyncRun.objects.exclude(finished_at=None)
        .exclude(trigger=EVENT_TRIGGER)
        .order_by("-finished_at")
        .first()
    )
    if last is None:
        return 0.0
    now = now or timezone.now()
    live = sync_settings.streaming and ListenerState.load().is_live(now)
    pause = sync_settings.safety_net_minutes if live else sync_settings.pause_minutes
    return max(0.0, (last.finished_at + timedelta(minutes=pause) - now).total_seconds())


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


class Cycle:
    def __init__(
        self,
        *,
        run: SyncRun,
        owner: str,
        client: SalesforceClient | None,
        objects: frozenset[str] | None = None,
    ) -> None:
        self.run = run
        self.objects = objects
        self.owner = owner
        self.client = client
        self.settings = SyncSettings.load()
        self.failed_steps = 0
        self.schema_stale = False
        self.batch_time = None  # Salesforce's clock when the delta queries were read

    def execute(self) -> None:
        run = self.run
        start_calls = self.client.calls if self.client else 0
        try:
            self.client = self.client or connect()
            schema = self._schema()
            entries = [
                e
                for e in schema.entries()
                if schema.field_names(e.sobject) and (self.objects is None or e.sobject in self.objects)
            ]
            first_pages = self._first_pages(schema, entries)
            for entry in entries:
                self._pull(schema, entry, first_pages.get(entry.sobject))
            self._push(schema)
            if self.schema_stale:
                refresh_schema(self.client)
            run.status = SyncRun.Status.INCOMPLETE if self.failed_steps else SyncRun.Status.SUCCEEDED
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
        SyncError.objects.create(
            run=self.run,
            level=SyncError.Level.JOB,
            code=getattr(exc, "code", "") or type(exc).__name__,
            message=message,
            occurred_at=timezone.now(),
        )

    # --- schema -------------------------------------------------------------------------------------------
    def _schema(self) -> SyncSchema:
        if self.objects is not None and has_schema():  # event cycles never refresh the schema
            return load_schema()
        cycles = SyncRun.objects.exclude(trigger=EVENT_TRIGGER).count()
        due = not has_schema() or cycles % max(1, self.settings.schema_every_cycles) == 1
        if not due:
            return load_schema()
        step = self._start_step("*", SyncStep.Operation.SCHEMA)
        calls = self.client.calls
        schema = refresh_schema(self.client)
        step.updated = sum(len(v) for v in schema.fields.values())
        self._finish_step(step, None, self.client.calls - calls)
        return schema

    # --- pull ---------------------------------------------------------------------------------------------
    def _first_pages(self, schema: SyncSchema, entries: list[SyncedObject]) -> dict[str, QueryPage]:
        """ONE composite batch: each object's delta query, or COUNT() for objects not loaded yet."""
        requests_, names = [], []
        for entry in entries:
            cursor, _ = SyncCursor.objects.get_or_create(sobject=entry.sobject)
            if cursor.load_state == SyncCursor.LoadState.NOT_STARTED and entry.bulk_load:
                soql = f"SELECT COUNT() FROM {entry.sobject}" + (
                    f" WHERE {entry.where}" if entry.where else ""
                )
                include_deleted = False
            else:
                soql, include_deleted = delta_query(entry, schema.field_names(entry.sobject), cursor)
            requests_.append(
                {"method": "GET", "url": self.client.query_url(soql, include_deleted=include_deleted)}
            )
            names.append(entry.sobject)
        pages: dict[str, QueryPage] = {}
        results = self.client.composite_batch(requests_)
        self.batch_time = self.client.server_time
        for name, result in zip(names, results, strict=True):
            if result.ok:
                pages[name] = to_page(result.body)
            else:
                log.warning("Delta query for %s failed in the batch: %s", name, result.body)
        return pages

    def _pull(self, schema: SyncSchema, entry: SyncedObject, first: QueryPage | None) -> None:
        cursor = SyncCursor.objects.get(sobject=entry.sobject)
        initial = cursor.load_state != SyncCursor.LoadState.DONE
        step = self._start_step(
            entry.sobject, SyncStep.Operation.INITIAL_LOAD if initial else SyncStep.Operation.PULL_UPDATES
        )
        calls = self.client.calls
        ctx = PullContext(schema=schema, run=self.run, writer=ActivityWriter(sync_run_id=self.run.pk))

        def progress(counts: Counts, done: int) -> None:
            SyncStep.objects.filter(pk=step.pk).update(
                progress_done=done,
                created=counts.created,
                updated=counts.updated,
                deleted=counts.deleted,
                skipped=counts.skipped,
                failed=counts.failed,
            )
            extend_lease(self.owner)
            SyncRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now())

        try:
            applier = PageApplier(entry, ctx)
            loader = ObjectLoader(self.client, applier, cursor, on_progress=progress)
            counting = cursor.load_state == SyncCursor.LoadState.NOT_STARTED and entry.bulk_load
            if counting:
                total = first.total_size if first else self.client.count(entry.sobject, entry.where)
                cursor.rows_total, cursor.rows_read = total, 0
                cursor.load_state = SyncCursor.LoadState.IN_PROGRESS
                cursor.load_started_at = timezone.now()
                cursor.save()
                first = None  # that page was the COUNT(), not records
            if initial:
                step.progress_total = cursor.rows_total
                SyncStep.objects.filter(pk=step.pk).update(progress_total=cursor.rows_total)
            if (
                initial
                and entry.bulk_load
                and (cursor.bulk_job_id or (cursor.rows_total or 0) > self.settings.bulk_threshold)
            ):
                self._defer_indexes(entry, (cursor.rows_total or 0) - cursor.rows_read)
                counts = loader.run_bulk()
                step.message = (
                    f"Bulk API load: {loader.seconds_writing:.1f} s writing the mirror, "
                    f"{loader.seconds_waiting:.1f} s waiting for Salesforce's pages."
                )
            else:
                soql, include_deleted = delta_query(entry, applier.names, cursor)
                counts = loader.run_pages(first, soql, include_deleted, read_at=self.batch_time)
            step.progress_done = cursor.rows_read
            self._finish_step(step, counts, self.client.calls - calls)
        except LimitReachedError:
            self._finish_step(step, None, self.client.calls - calls, status=SyncStep.Status.FAILED)
            raise
        except SalesforceError as exc:
            self.failed_steps += 1
            if isinstance(exc, ConfigurationError):
                self.schema_stale = True  # e.g. INVALID_FIELD: a field vanished; describe again
            step.message = exc.message
            SyncError.objects.create(
                run=self.run,
                level=SyncError.Level.JOB,
                sobject=entry.sobject,
                operation=step.operation,
                code=exc.code or type(exc).__name__,
                message=exc.message,
                occurred_at=timezone.now(),
            )
            self._finish_step(step, None, self.client.calls - calls, status=SyncStep.Status.FAILED)

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
        step = self._start_step("*", SyncStep.Operation.REBUILD_INDEXES)
        extend_lease(self.owner)
        try:
            seconds = rebuild_indexes()
        except Exception as exc:  # they stay listed: the next cycle tries again
            log.exception("Rebuilding the indexes set aside for the initial load failed")
            step.message = f"Rebuilding indexes failed: {exc!r}; the next cycle tries again."
            self._finish_step(step, None, 0, status=SyncStep.Status.FAILED)
            return
        step.updated = count
        step.message = "Seconds per table: " + ", ".join(f"{t} {s:.1f}" for t, s in seconds.items())
        self._finish_step(step, None, 0)

    # --- push ---------------------------------------------------------------------------------------------
    def _push(self, schema: SyncSchema) -> None:
        from syncapp.sync.push import push_pending

        push_pending(cycle=self, schema=schema)

    # --- steps --------------------------------------------------------------------------------------------
    def _start_step(self, sobject: str, operation: str) -> SyncStep:
        return SyncStep.objects.create(
            run=self.run, sobject=sobject, operation=operation, started_at=timezone.now()
        )

    def _finish_step(
        self, step: SyncStep, counts: Counts | None, calls: int, status: str = SyncStep.Status.SUCCEEDED
    ) -> None:
        if counts is not None:
            for name in ("created", "updated", "deleted", "skipped", "failed"):
                setattr(step, name, getattr(counts, name))
        step.api_calls = calls
        step.status = status
        step.finished_at = timezone.now()
        step.save()
