"""The push: drain the outbox of local edits to Salesforce (leads, contacts, campaigns, campaign members).

Latest value per field per record; 200 records per sObject Collections request with allOrNone=false,
five collections per /composite call. Per record: success → sent; a record-level rejection (validation
rule, required field, bad picklist, too long, …) → rejected, with a line in the person's activity log, a
SyncError and the person flagged, and not retried until the record changes; a transient error → retried
in a later cycle with backoff. One bad record never fails the rest of its batch.

A crash after Salesforce answered but before the results are committed leaves the changes pending: the
next cycle sends the same values again, which changes nothing in Salesforce (updates, never creates).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from syncapp.models import ActivityLog, FieldSetting, OutboundChange, Person, SyncCursor, SyncStep
from syncapp.salesforce.client import COLLECTION_SIZE, COLLECTIONS_PER_COMPOSITE, SalesforceClient, SubResult
from syncapp.salesforce.errors import (
    ConfigurationError,
    LimitReachedError,
    SalesforceError,
    is_retryable,
    record_error,
)
from syncapp.sync import cursor as cursors
from syncapp.sync.activity_log import ActivityWriter
from syncapp.sync.outbox import Outgoing, follow_conversions, group, pending_changes
from syncapp.sync.pull.object import pull_records
from syncapp.sync.registry import SyncedObject, pushed
from syncapp.sync.schema import SyncSchema
from syncapp.sync.steps import Counts, StepRecorder, resolve_errors

log = logging.getLogger(__name__)
INVALID_FIELD = "INVALID_FIELD"
Type = ActivityLog.Type


@dataclass(frozen=True)
class PushResult:
    """What one push did: per object, the counts of its step (updated = sent, failed = rejected,
    skipped = retried later)."""

    counts: dict[str, Counts] = field(default_factory=dict)
    # Salesforce's INVALID_FIELD (a field deleted or hidden since the schema was read): the changes it
    # stopped stay pending; the cycle refreshes the schema and pushes again.
    invalid_field: ConfigurationError | None = None

    @property
    def total(self) -> Counts:
        return sum(self.counts.values(), Counts())


def push_pending(*, client: SalesforceClient, recorder: StepRecorder, schema: SyncSchema) -> PushResult:
    """Send the pending outbox to Salesforce, one step per object. A step that fails (its re-pull, say)
    leaves its changes pending for the next cycle and the other objects are pushed all the same."""
    if not OutboundChange.objects.filter(state=OutboundChange.State.PENDING).exists():
        return PushResult()
    follow_conversions()
    counts: dict[str, Counts] = {}
    invalid: ConfigurationError | None = None
    for sobject, entry in pushed().items():
        if not schema.field_names(sobject) or not pending_changes(sobject):
            continue
        pusher = Pusher(client, recorder, entry, schema)
        try:
            counts[sobject] = pusher.push()
        except LimitReachedError:
            raise
        except ConfigurationError as exc:  # the step is closed as failed with Salesforce's message
            invalid = exc if exc.code == INVALID_FIELD else invalid
        except SalesforceError:
            continue  # the step is closed as failed with Salesforce's message
        invalid = pusher.invalid_field or invalid
    return PushResult(counts=counts, invalid_field=invalid)


class Pusher:
    def __init__(
        self, client: SalesforceClient, recorder: StepRecorder, entry: SyncedObject, schema: SyncSchema
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.entry = entry
        self.schema = schema
        self.counts = Counts()
        self.invalid_field: ConfigurationError | None = None

    def push(self) -> Counts:
        with self.recorder.step(self.entry.sobject, SyncStep.Operation.PUSH_UPDATES) as step:
            self.step = step
            self._not_synced_any_more()
            self._repull_moved()
            records = group(pending_changes(self.entry.sobject))  # the re-pull may have superseded some
            step.total(len(records))
            chunks = [records[i : i + COLLECTION_SIZE] for i in range(0, len(records), COLLECTION_SIZE)]
            try:
                for start in range(0, len(chunks), COLLECTIONS_PER_COMPOSITE):
                    self._send(chunks[start : start + COLLECTIONS_PER_COMPOSITE])
            finally:
                step.counts = self.counts
                step.progress_done = self.counts.total
        return self.counts

    def _not_synced_any_more(self) -> None:
        """Edits of fields the sync user can no longer see (deleted or hidden in Salesforce) cannot be sent:
        each is rejected with the reason, so the record's other edits still go (one unknown field in a
        record makes Salesforce refuse the whole record)."""
        # Describe's verdict, not the schema's field list: a field switched off in Field settings is still
        # there in Salesforce, and an edit of it is sent as before.
        gone = set(
            FieldSetting.objects.filter(sobject=self.entry.sobject, visible=False).values_list(
                "api_name", flat=True
            )
        )
        stranded = [c for c in pending_changes(self.entry.sobject) if c.field in gone]
        if not stranded:
            return
        writer = self.recorder.activity_writer(source="sync")
        people = self._people_of(group(stranded))
        for record in group(stranded):
            names = ", ".join(sorted(record.values))
            message = (
                f"{self.entry.sobject}.{names} is no longer visible to the sync user in Salesforce (deleted, "
                "or hidden by field-level security): this edit was not sent."
            )
            self._rejected(
                record, people.get(record.local_id), INVALID_FIELD, message, sorted(record.values), writer
            )
        writer.flush()

    def _repull_moved(self) -> None:
        """Re-pull the records about to be pushed that changed in Salesforce since the pull read them, so the
        push never overwrites an edit it has not seen; the conflict rules run on them like on any pull."""
        cursor = SyncCursor.objects.filter(sobject=self.entry.sobject).first()
        if cursor is None or not cursor.high_water:
            return
        start, _ = cursors.since(cursor)
        pull_records(
            client=self.client,
            sobject=self.entry.sobject,
            ids=[change.sf_id for change in pending_changes(self.entry.sobject)],
            recorder=self.recorder,
            schema=self.schema,
            changed_since=start,
        )

    def _send(self, group_: list[list[Outgoing]]) -> None:
        try:
            results = self.client.composite(
                [
                    {
                        "method": "PATCH",
                        "url": f"{self.client.data_path}/composite/sobjects",
                        "referenceId": f"push{n}",
                        "body": {"allOrNone": False, "records": [r.payload() for r in chunk]},
                    }
                    for n, chunk in enumerate(group_)
                ]
            )
        except LimitReachedError:
            raise
        except SalesforceError as exc:
            # The whole call failed (after the client's own retries): try again next cycle.
            self._retry_later([r for chunk in group_ for r in chunk], exc.message)
            self.step.fail(exc.message)
            return
        with transaction.atomic():
            for chunk, result in zip(group_, results, strict=True):
                self._record_results(chunk, result)
        self.step.counts = self.counts
        self.step.progress(self.counts.updated + self.counts.failed)

    # --- results ------------------------------------------------------------------------------------------
    def _record_results(self, chunk: list[Outgoing], result: SubResult) -> None:
        writer = self.recorder.activity_writer(source="sync")
        people = self._people_of(chunk)
        if not result.ok or not isinstance(result.body, list):
            error = result.error()
            if is_retryable(error):
                self._retry_later(chunk, error.message)
            else:
                for record in chunk:
                    self._rejected(record, people.get(record.local_id), error.code, error.message, [], writer)
            writer.flush()
            return
        sent: list[int] = []
        for record, outcome in zip(chunk, result.body, strict=True):
            person_id = people.get(record.local_id)
            if outcome.get("success"):
                sent.extend(record.change_ids)
                self.counts += Counts(updated=1)
                if person_id:
                    names = sorted(record.values)
                    writer.add(person_id, Type.SYNC_TO_SFDC, ", ".join(names), fields=names)
                continue
            error = record_error(outcome.get("errors") or [{}])
            code, message, fields = error.code, error.detail, error.fields
            if code == INVALID_FIELD:  # not this record's fault: kept pending, sent again once described
                self.invalid_field = self.invalid_field or error
                self.counts += Counts(skipped=1)
            elif is_retryable(error):
                self._retry_later([record], f"{code}: {message}")
            else:
                self._rejected(record, person_id, code, message, fields, writer)
        OutboundChange.objects.filter(id__in=sent).update(
            state=OutboundChange.State.SENT, sent_at=timezone.now(), error=""
        )
        done = set(sent)
        synced = [r for r in chunk if set(r.change_ids) <= done]
        resolve_errors(
            sf_ids=[r.sf_id for r in synced],
            person_ids=[r.local_id for r in synced] if self.entry.is_person else (),
        )
        writer.flush()

    def _rejected(
        self,
        record: Outgoing,
        person_id: int | None,
        code: str,
        message: str,
        fields: list[str],
        writer: ActivityWriter,
    ) -> None:
        self.counts += Counts(failed=1)
        OutboundChange.objects.filter(id__in=record.change_ids).update(
            state=OutboundChange.State.REJECTED, error=f"{code}: {message}"[:2000]
        )
        self.step.record_error(
            code,
            message,
            sf_id=record.sf_id,
            person_id=person_id,
            local_id=str(record.local_id),
            fields=fields,
        )
        self.recorder.flush_errors()
        if person_id:
            Person.objects.filter(pk=person_id).update(sync_error=f"{code}: {message}"[:2000])
            writer.add(
                person_id,
                Type.SALESFORCE_REJECTED,
                ", ".join(sorted(record.values)),
                outcome=ActivityLog.Outcome.FAILED,
                error_code=code,
                message=message,
                fields=fields,
                rejected_values=dict(record.values),
            )

    def _retry_later(self, records: list[Outgoing], reason: str) -> None:
        now = timezone.now()
        self.counts += Counts(skipped=len(records))
        ids = [i for record in records for i in record.change_ids]
        for change in OutboundChange.objects.filter(id__in=ids):
            change.attempts += 1
            # 1, 2, 4 … minutes, at most an hour: a locked row or a busy org usually clears quickly.
            change.next_attempt_at = now + timedelta(minutes=min(60, 2 ** (change.attempts - 1)))
            change.error = reason[:2000]
            change.save(update_fields=["attempts", "next_attempt_at", "error"])

    def _people_of(self, chunk: list[Outgoing]) -> dict[int, int]:
        """local id → person id for a chunk of one object (one query for rows that link to a person)."""
        if self.entry.is_person:
            return {record.local_id: record.local_id for record in chunk}
        model = self.entry.model
        if not any(f.name == "person" for f in model._meta.concrete_fields):
            return {}
        linked = model._default_manager.filter(pk__in=[r.local_id for r in chunk], person__isnull=False)
        return dict(linked.values_list("pk", "person_id"))
