"""Reads behind the sync dashboard: the current cycle, recent cycles, backlog, API usage and open errors."""

# Long because it holds one read per panel of one page (the dashboard), which read best side by side.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from syncapp.models import (
    FlowRun,
    ListenerState,
    OutboundChange,
    StreamChannel,
    SyncCursor,
    SyncError,
    SyncRun,
    SyncSettings,
    SyncStep,
)
from syncapp.sync import channels, pacing

DAY = timedelta(hours=24)
RECENT_CYCLES = 8
LATEST_ERRORS = 5
# Counting open errors stops here: the dashboard says "10,000+" rather than scan a huge table every load.
ERROR_COUNT_CAP = 10_000
COUNTS = ("created", "updated", "deleted", "failed", "skipped")


@dataclass(frozen=True)
class CurrentCycle:
    """What the sync is doing now, or when it does something next."""

    enabled: bool
    run: SyncRun | None
    step: SyncStep | None
    done: int
    total: int | None
    eta: timedelta | None
    next_cycle_at: datetime | None
    last_run: SyncRun | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


def current_cycle(*, now: datetime | None = None) -> CurrentCycle:
    now = now or timezone.now()
    settings = SyncSettings.load()
    run = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).order_by("-started_at").first()
    # Newest by start (indexed) rather than by end: cycles never overlap, so it is the same run.
    last = SyncRun.objects.exclude(finished_at=None).order_by("-started_at").first()
    step = None
    done, total, eta = 0, None, None
    if run is not None:
        step = run.steps.order_by("-started_at", "-id").first()
        if step is not None:
            done, total = step.progress_done, step.progress_total
            eta = _eta(done=done, total=total, started=step.started_at, now=now)
    # The same computation the schedule's next wake-up is set from, so the two cannot disagree.
    next_at = pacing.next_cycle_at(now) if settings.enabled and run is None else None
    return CurrentCycle(
        enabled=settings.enabled,
        run=run,
        step=step,
        done=done,
        total=total,
        eta=eta,
        next_cycle_at=next_at,
        last_run=last,
    )


def _eta(*, done: int, total: int | None, started: datetime, now: datetime) -> timedelta | None:
    """Time left at the rate so far; unknown until some rows are read."""
    elapsed = (now - started).total_seconds()
    if not total or done <= 0 or elapsed <= 0 or done >= total:
        return None
    return timedelta(seconds=round((total - done) * elapsed / done))


@dataclass(frozen=True)
class CycleSummary:
    run: SyncRun
    totals: dict[str, int]
    steps: list[SyncStep]
    idle_steps: int

    @property
    def stands_out(self) -> bool:
        return self.run.status in (SyncRun.Status.FAILED, SyncRun.Status.INCOMPLETE) or bool(
            self.totals["failed"]
        )


def recent_cycles(*, limit: int = RECENT_CYCLES) -> list[CycleSummary]:
    """The last cycles with their busy steps (anything read, written, skipped or failed)."""
    runs = list(SyncRun.objects.order_by("-started_at")[:limit])
    by_run: dict[int, list[SyncStep]] = {run.pk: [] for run in runs}
    for step in SyncStep.objects.filter(run__in=runs).order_by("started_at", "id"):
        by_run[step.run_id].append(step)
    summaries = []
    for run in runs:
        steps = by_run[run.pk]
        busy = [s for s in steps if _is_busy(s)]
        totals = {name: sum(getattr(s, name) for s in steps) for name in COUNTS}
        summaries.append(CycleSummary(run=run, totals=totals, steps=busy, idle_steps=len(steps) - len(busy)))
    return summaries


def _is_busy(step: SyncStep) -> bool:
    return step.status != SyncStep.Status.SUCCEEDED or any(getattr(step, n) for n in COUNTS)


@dataclass(frozen=True)
class StatusRow:
    """Marketo's Sync Status row: one object and one operation, summed over a period."""

    sobject: str
    operation: str
    counts: dict[str, int]
    api_calls: int
    steps: int
    failed_steps: int


def status_table(*, since: datetime | None = None) -> list[StatusRow]:
    """Object by operation over the last day, with the flow actions beside the sync's."""
    since = since or timezone.now() - DAY
    labels = dict(SyncStep.Operation.choices)
    rows = [
        StatusRow(
            sobject=row["sobject"],
            operation=labels.get(row["operation"], row["operation"]),
            counts={name: row[name] or 0 for name in COUNTS},
            api_calls=row["api_calls"] or 0,
            steps=row["steps"],
            failed_steps=row["failed_steps"],
        )
        # Through the runs of the period (indexed on started_at), then each run's steps (indexed on run):
        # the steps table holds every cycle ever run.
        for row in SyncStep.objects.filter(run__in=SyncRun.objects.filter(started_at__gte=since).values("id"))
        .values("sobject", "operation")
        .annotate(
            **{name: Sum(name) for name in COUNTS},
            api_calls=Sum("api_calls"),
            steps=Count("id"),
            failed_steps=Count("id", filter=Q(status=SyncStep.Status.FAILED)),
        )
        .order_by("sobject", "operation")
    ]
    flows = FlowRun.objects.filter(created_at__gte=since).aggregate(
        runs=Count("id"),
        succeeded=Count("id", filter=Q(status=FlowRun.Status.SUCCEEDED)),
        failed=Count("id", filter=Q(status=FlowRun.Status.FAILED)),
        skipped=Count("id", filter=Q(status=FlowRun.Status.SKIPPED)),
    )
    if flows["runs"]:
        counts = dict.fromkeys(COUNTS, 0)
        counts.update(updated=flows["succeeded"], failed=flows["failed"], skipped=flows["skipped"])
        rows.append(
            StatusRow(
                sobject="Person",
                operation="Flow actions",
                counts=counts,
                api_calls=0,
                steps=flows["runs"],
                failed_steps=flows["failed"],
            )
        )
    return rows


@dataclass(frozen=True)
class BacklogRow:
    sobject: str
    outbox_records: int = 0
    outbox_changes: int = 0
    outbox_oldest: datetime | None = None
    salesforce: int | None = None
    salesforce_counted_at: datetime | None = None
    loading: bool = False


@dataclass(frozen=True)
class Backlog:
    rows: list[BacklogRow] = field(default_factory=list)

    @property
    def outbox_total(self) -> int:
        return sum(row.outbox_changes for row in self.rows)


def outbox_backlog() -> dict[str, dict[str, object]]:
    """Local edits waiting to be pushed, per object: records, field changes and the oldest one's age."""
    rows = (
        OutboundChange.objects.filter(state=OutboundChange.State.PENDING)
        .values("sobject")
        .annotate(records=Count("local_id", distinct=True), changes=Count("id"), oldest=Min("created_at"))
        .order_by("sobject")
    )
    return {row["sobject"]: row for row in rows}


def salesforce_backlog() -> dict[str, tuple[int, datetime | None, bool]]:
    """Records changed in Salesforce and not read yet, per object: (count, counted at, initial load).

    An initial load's remainder is exact (its cursor records rows read of the total). For objects already
    loaded, this reads the `progress_total` of each object's latest "Pull updates" step: the number of
    records the cycle's first delta query reported (its totalSize, read in the cycle's one composite call)
    less those applied: what is still to read while a cycle runs, 0 once it has read them all.
    """
    backlog: dict[str, tuple[int, datetime | None, bool]] = {}
    for cursor in SyncCursor.objects.filter(load_state=SyncCursor.LoadState.IN_PROGRESS):
        if cursor.rows_total is not None:
            backlog[cursor.sobject] = (max(0, cursor.rows_total - cursor.rows_read), cursor.updated_at, True)
    for sobject in SyncCursor.objects.exclude(sobject__in=list(backlog)).values_list("sobject", flat=True):
        # One object's newest steps first, on the (sobject, -started_at) index: a few rows read per object.
        step = (
            SyncStep.objects.filter(sobject=sobject, operation=SyncStep.Operation.PULL_UPDATES)
            .order_by("-started_at")
            .first()
        )
        if step is not None and step.progress_total is not None:
            remaining = max(0, step.progress_total - step.progress_done)
            backlog[sobject] = (remaining, step.started_at, False)
    return backlog


def backlog() -> Backlog:
    outbox = outbox_backlog()
    salesforce = salesforce_backlog()
    rows = []
    for sobject in sorted(set(outbox) | set(salesforce)):
        local = outbox.get(sobject, {})
        remote = salesforce.get(sobject)
        rows.append(
            BacklogRow(
                sobject=sobject,
                outbox_records=int(local.get("records", 0)),
                outbox_changes=int(local.get("changes", 0)),
                outbox_oldest=local.get("oldest"),
                salesforce=remote[0] if remote else None,
                salesforce_counted_at=remote[1] if remote else None,
                loading=remote[2] if remote else False,
            )
        )
    return Backlog(rows=rows)


@dataclass(frozen=True)
class ApiUsage:
    used: int | None
    limit: int | None
    measured_at: datetime | None
    app_calls: int
    per_cycle: list[tuple[datetime, int]]

    @property
    def percent(self) -> float | None:
        if self.used is None or not self.limit:
            return None
        return round(100 * self.used / self.limit, 1)

    @property
    def app_share(self) -> float | None:
        if not self.used:
            return None
        return round(min(100.0, 100 * self.app_calls / self.used), 1)


def api_usage(*, now: datetime | None = None) -> ApiUsage:
    """The org's API calls in its rolling day (as Salesforce last reported them) and this app's part."""
    now = now or timezone.now()
    since = now - DAY
    latest = SyncRun.objects.exclude(api_used=None).exclude(finished_at=None).order_by("-started_at").first()
    cycles = list(
        SyncRun.objects.filter(started_at__gte=since)
        .order_by("started_at")
        .values_list("started_at", "api_calls")
    )
    return ApiUsage(
        used=latest.api_used if latest else None,
        limit=latest.api_limit if latest else None,
        measured_at=latest.finished_at if latest else None,
        app_calls=sum(calls for _, calls in cycles),
        per_cycle=cycles,
    )


@dataclass(frozen=True)
class OpenErrors:
    record: int
    job: int
    capped: bool
    latest: list[SyncError]

    @property
    def total(self) -> int:
        return self.record + self.job

    @property
    def cap(self) -> int:
        return ERROR_COUNT_CAP


def open_errors(*, latest: int = LATEST_ERRORS) -> OpenErrors:
    """Unresolved errors by level, counted in one pass that stops after ERROR_COUNT_CAP of them."""
    unresolved = SyncError.objects.filter(resolved_at=None)
    sample = unresolved.order_by().values("id")[: ERROR_COUNT_CAP + 1]
    levels = dict(
        SyncError.objects.filter(pk__in=sample)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    record, job = levels.get(SyncError.Level.RECORD, 0), levels.get(SyncError.Level.JOB, 0)
    rows = list(unresolved.select_related("person").order_by("-occurred_at", "-id")[:latest])
    return OpenErrors(record=record, job=job, capped=record + job > ERROR_COUNT_CAP, latest=rows)


@dataclass(frozen=True)
class ListenerPanel:
    """The change-event listener as the dashboard shows it."""

    streaming: bool
    live: bool
    state: ListenerState
    channels: list[StreamChannel]
    delivered: int | None
    delivery_limit: int | None
    # Synced objects the org's Change Data Capture selection leaves out: they wait for the safety net.
    safety_net_only: list[str] = field(default_factory=list)
    by_event: list[str] = field(default_factory=list)
    safety_net_minutes: int = 0

    @property
    def delivery_percent(self) -> int | None:
        if self.delivered is None or not self.delivery_limit:
            return None
        return round(100 * self.delivered / self.delivery_limit)


def listener_panel(*, now: datetime | None = None) -> ListenerPanel:
    state = ListenerState.load()
    state.roll_day()  # yesterday's counters read as zero until the listener writes today's
    delivered = limit = None
    allocation = (state.allocation or {}).get("DailyDeliveredPlatformEvents") or {}
    if "Max" in allocation:
        limit = int(allocation["Max"])
        delivered = limit - int(allocation.get("Remaining", limit))
    sync_settings = SyncSettings.load()
    streams = list(StreamChannel.objects.filter(sobject__in=channels.streamed_objects()))
    return ListenerPanel(
        streaming=sync_settings.streaming,
        live=state.is_live(now),
        state=state,
        channels=streams,
        delivered=delivered,
        delivery_limit=limit,
        safety_net_only=[c.sobject for c in streams if c.published is False],
        by_event=[c.sobject for c in streams if c.published],
        safety_net_minutes=sync_settings.safety_net_minutes,
    )
