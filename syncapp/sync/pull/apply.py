"""Applying pages of Salesforce records to the mirror, one transaction per page.

Every registry entry runs through the same `PageApplier`: read what the mirror holds for the page's ids,
work out what is new, changed, deleted or unchanged, upsert in bulk, let the entry's hook write its
activity log and links, and advance the cursor in the same transaction. Re-reading a record already
applied (the overlap window against Salesforce's whole-second stamps and late commits; same stamp, same
values) is a no-op, so pages can be replayed after a crash without duplicating anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from syncapp.models import ActivityLog, OutboundChange, SyncCursor, SyncError, SyncSettings
from syncapp.sync import cursor as cursors
from syncapp.sync.activity_log import NOT_LOGGED, ActivityWriter, display
from syncapp.sync.conflicts import SALESFORCE_WINS, Resolution, resolve
from syncapp.sync.edits import UnsentEdits, unsent_edits
from syncapp.sync.fields import FieldSplitter, field_map
from syncapp.sync.hooks import RowChange
from syncapp.sync.pull.fast_lane import FastLanePlan
from syncapp.sync.pull.lanes import Lane, build_lane
from syncapp.sync.pull.sqlite_lane import SqliteStage, StagedInserter
from syncapp.sync.pull.upsert import RowLookup, Upserter
from syncapp.sync.pull.values import canonical_datetime, csv_records, parse_datetime, rest_fields
from syncapp.sync.registry import SyncedObject
from syncapp.sync.schema import SyncSchema
from syncapp.sync.steps import Counts, StepRecorder, resolve_errors

log = logging.getLogger(__name__)


@dataclass
class PullContext:
    """What every page of a step shares: the schema, the step's recorder (errors) and the activity writer."""

    schema: SyncSchema
    recorder: StepRecorder = field(default_factory=StepRecorder)
    writer: ActivityWriter = field(default_factory=ActivityWriter)

    def record_error(self, entry: SyncedObject, sf_id: str, code: str, message: str) -> None:
        self.recorder.record_error(
            level=SyncError.Level.RECORD,
            sobject=entry.sobject,
            operation="pull",
            sf_id=sf_id,
            code=code,
            message=message,
        )

    def flush(self) -> None:
        self.writer.flush()
        self.recorder.flush_errors()


class PageApplier:
    """Applies pages of one object's records (canonical dicts by API name, `values.py`) to its model."""

    def __init__(self, entry: SyncedObject, ctx: PullContext) -> None:
        self.entry = entry
        self.ctx = ctx
        self.model: type[models.Model] = entry.model
        self.names = ctx.schema.field_names(entry.sobject)
        self.types = types = ctx.schema.types(entry.sobject)
        self.datetime_fields = frozenset(n for n, t in types.items() if t == "datetime")
        self.compared = [n for n in self.names if n not in NOT_LOGGED]
        visible = set(self.names)
        self.columns = tuple(c for c in entry.columns if c.api in visible)
        self.max_lengths = {
            f.attname: f.max_length
            for f in self.model._meta.concrete_fields
            if isinstance(f, models.CharField) and f.max_length
        }
        # Incoming records → column values + the sf_fields rest (`fields.py`: one place per field).
        self.splitter = FieldSplitter(self.model, field_map(self.columns))
        self.hook = entry.hook(entry, ctx.writer)
        self.policy = entry.conflict_policy(SyncSettings.load()) if entry.pushed else ""
        written = [c.attname for c in self.columns]
        extra = [*entry.fixed, *self.hook.extra_attnames]
        base = ["sf_id", "sf_fields", "sf_modstamp", "sf_created_at", "sf_deleted"]
        self.upserter = Upserter(self.model, entry.key, [*base, *written, *extra])
        self.lookup = RowLookup(self.model, entry.key, entry.columns)
        self.fast_lane = FastLanePlan(
            model=self.model,
            key=entry.key,
            columns=self.columns,
            fixed=entry.fixed,
            types=types,
            max_lengths=self.max_lengths,
            hook=self.hook,
        )
        self._csv_header: list[str] | None = None
        self._csv_inserter: Lane | None = None
        self.stage: SqliteStage | None = None  # set by the Bulk load while SQLite's second core runs

    def from_rest(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [rest_fields(r, self.names, self.datetime_fields) for r in records]

    @transaction.atomic
    def apply(self, records: list[dict[str, Any]], cursor: SyncCursor | None = None) -> Counts:
        """Apply one page (canonical dicts by API name) and move `cursor` past it, all in one transaction."""
        max_stamp = max((r["SystemModstamp"] for r in records if r.get("SystemModstamp")), default=None)
        counts = self._apply_records(records)
        cursors.advance(cursor, len(records), max_stamp)
        return counts

    @transaction.atomic
    def apply_csv(self, header: list[str], rows: list[list[str]], cursor: SyncCursor | None = None) -> Counts:
        """Apply Bulk API CSV rows (lists of strings under `header`) and move `cursor`, in one transaction.

        Records the mirror has never seen take the database's fast lane (`fast_lane.py` on SQLite,
        `copy_lane.py` on PostgreSQL); the rest (records already mirrored, converted leads, unusual values)
        take the generic path.
        """
        created = 0
        inserter = self._inserter(header)
        rest = rows
        if inserter is not None:
            got = inserter.insert(rows)
            created, rest = got.inserted, got.rest
            if created:
                self.hook.after_lane_insert(self.model, after_pk=got.after_pk, pks=got.pks, keyed=got.keyed)
        counts = Counts(created=created)
        if rest:
            counts = counts + self._apply_records(list(csv_records(header, rest, self.types)))
        max_stamp = None
        if "SystemModstamp" in header:
            position = header.index("SystemModstamp")
            max_stamp = canonical_datetime(max((r[position] for r in rows if len(r) > position), default=""))
        cursors.advance(cursor, len(rows), max_stamp)
        return counts

    def staged_lane(self, header: list[str]) -> StagedInserter | None:
        """SQLite's second core for rows under `header`, where it runs (a Bulk load stages chunks ahead)."""
        inserter = self._inserter(header)
        return inserter if isinstance(inserter, StagedInserter) else None

    def _inserter(self, header: list[str]) -> Lane | None:
        if header != self._csv_header:
            self._csv_header = header
            self._csv_inserter = build_lane(self.fast_lane, header, self.stage)
        return self._csv_inserter

    def _apply_records(self, records: list[dict[str, Any]]) -> Counts:
        records, prepared = self.hook.prepare(records)
        created = updated = deleted = skipped = 0
        key = self.entry.key
        existing = self.lookup.existing([r["Id"] for r in records])
        # Local edits Salesforce does not hold yet (pending or refused): only records we push have them.
        edits = unsent_edits(
            self.entry.sobject, [r["id"] for r in existing.values()] if self.entry.pushed else []
        )
        extras = self.hook.extra_columns(records)
        resolutions: list[tuple[int, Resolution]] = []
        rows: list[dict[str, Any]] = []
        changes: list[RowChange] = []
        for fields in records:
            sf_id = fields["Id"]
            old = existing.get(sf_id)
            modstamp = parse_datetime(fields.get("SystemModstamp"))
            deleted = bool(fields.get("IsDeleted"))
            rebased = old is not None and old["sf_modstamp"] is None
            if old and not rebased and self._already_applied(old, fields, modstamp, deleted, edits):
                continue  # a re-read of the overlap window
            if old and old["id"] in edits.pending:
                # Local edits not pushed yet: keep them unless Salesforce changed the same field (policy).
                resolution = resolve(fields, edits.pending[old["id"]], self.policy)
                fields = resolution.fields
                resolutions.append((old["id"], resolution))
            old_fields = old["fields"] if old else None
            merged = fields if rebased or old is None else {**old_fields, **fields}
            changed = [] if old_fields is None or rebased else self._changed(old_fields, fields)
            deleted_now = deleted and not (old and old["sf_deleted"])
            values, stored, problems = self.splitter.split(fields)
            if old is not None and not rebased and old["stored"]:
                # Keys of fields this page does not carry stay; those it carries are now `stored` or columns.
                stored = {**{k: v for k, v in old["stored"].items() if k not in fields}, **stored}
            for problem in problems:
                self.ctx.record_error(
                    self.entry,
                    sf_id,
                    "UNSTORABLE_VALUE",
                    f"Kept whole in sf_fields, column left empty: {problem}",
                )
            rows.append(
                {
                    key: sf_id,
                    "sf_id": sf_id,
                    "sf_modstamp": modstamp,
                    "sf_created_at": None,
                    "sf_deleted": deleted,
                    **self.entry.fixed,
                    **values,
                    "sf_fields": stored,
                    **extras.get(sf_id, {}),
                }
            )
            changes.append(
                RowChange(
                    sf_id=sf_id,
                    pk=old["id"] if old else None,
                    old=None if old is None else (old_fields or {}),
                    new=merged,
                    changed=changed,
                    deleted_now=deleted_now,
                    modstamp=modstamp,
                    rebased=rebased,
                )
            )
            if old is None:
                created += 1
            elif deleted_now:
                deleted += 1
            elif changed or rebased:
                updated += 1
            else:
                skipped += 1
        self.upserter.write(rows)
        if resolutions:
            self._apply_resolutions(resolutions, changes)
        new_ids = [c.sf_id for c in changes if c.pk is None]
        if new_ids:
            pks = self.lookup.pks(new_ids)
            for change in changes:
                if change.pk is None:
                    change.pk = pks.get(change.sf_id)
        self.hook.after(changes)
        # Salesforce sent a newer version: the record's earlier errors (a rejected push…) are behind it.
        touched = [c for c in changes if c.pk and (c.changed or c.rebased)]
        if touched:
            resolve_errors(
                sf_ids=[c.sf_id for c in touched],
                person_ids=[c.pk for c in touched] if self.entry.is_person else (),
            )
        self.ctx.flush()
        return prepared + Counts(created, updated, deleted, skipped)

    def _apply_resolutions(self, resolutions: list[tuple[int, Resolution]], changes: list[RowChange]) -> None:
        superseded = [i for _, r in resolutions for i in r.superseded]
        if superseded:
            OutboundChange.objects.filter(id__in=superseded).update(state=OutboundChange.State.SUPERSEDED)
        delivered = [i for _, r in resolutions for i in r.delivered]
        if delivered:
            # Salesforce holds the local value (a push whose answer a crash lost, say): delivered.
            OutboundChange.objects.filter(id__in=delivered).update(
                state=OutboundChange.State.SENT, sent_at=timezone.now(), error=""
            )
        for _, resolution in resolutions:
            for change_id, base in resolution.rebased:
                OutboundChange.objects.filter(id=change_id).update(base_value=base)
        if not self.entry.is_person:
            return
        by_pk = {c.pk: c for c in changes}
        for pk, resolution in resolutions:
            conflicted = {c.field for c in resolution.conflicts}
            if pk in by_pk:
                # The conflict row says it all; no second "Change Data Value" for the same field.
                by_pk[pk].changed = [name for name in by_pk[pk].changed if name not in conflicted]
            for conflict in resolution.conflicts:
                self.ctx.writer.add(
                    pk,
                    ActivityLog.Type.CHANGE_DATA_VALUE,
                    conflict.field,
                    old_value=display(conflict.local_value),
                    new_value=display(
                        conflict.salesforce_value
                        if conflict.winner == SALESFORCE_WINS
                        else conflict.local_value
                    ),
                    reason=conflict.sentence(),
                    conflict_winner=conflict.winner,
                    salesforce_value=display(conflict.salesforce_value),
                )

    def _already_applied(
        self, old: dict[str, Any], fields: dict[str, Any], modstamp: Any, deleted: bool, edits: UnsentEdits
    ) -> bool:
        """The mirror holds this version: same stamp, and the same values apart from fields whose local
        edit Salesforce does not hold (pending, or refused and kept). Salesforce stamps whole seconds,
        so an edit made in the second of our last read (right after our push, say) keeps the stamp."""
        if old["sf_modstamp"] != modstamp or old["sf_deleted"] != deleted:
            return False
        held = edits.held.get(old["id"], set())
        return all(name in held for name in self._changed(old["fields"], fields))

    def _changed(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        return [name for name in self.compared if name in new and old.get(name) != new[name]]

    def finish(self) -> None:
        """Called once the object's pull is complete (e.g. merges whose winner arrived on a later page)."""
        with transaction.atomic():
            self.hook.finish()
            self.ctx.flush()
