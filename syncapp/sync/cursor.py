"""SyncCursor transitions: where each object's pull starts and how far it has read, apart from any I/O.

States (as Singer keeps bookmarks apart from the tap):
- NOT_STARTED: nothing read yet. A Bulk-capable object is counted first (`begin_load`).
- IN_PROGRESS without a bulk job: a REST initial load, read with `query` (no deleted rows) ordered by
  (SystemModstamp, Id) from the high-water mark; every page moves the mark (`advance`), so a crash resumes
  there.
- IN_PROGRESS with a bulk job: the job id and next locator are checkpointed with each page's data
  (`checkpoint`), so a killed worker resumes at the next unread page instead of starting over.
- DONE: the delta, `queryAll` (deletes and merge losers included) from the later of `high_water - overlap`
  and `read_through` (Salesforce's clock at the last complete read, less the overlap: whatever was stamped
  before it had committed when we read). Salesforce stamps whole seconds and commits late; re-reading that
  window and skipping what was already applied makes this exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from syncapp.models import SyncCursor
from syncapp.sync.pull.values import parse_datetime

LoadState = SyncCursor.LoadState


def overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "SYNC_OVERLAP_SECONDS", 60))


def cursor_for(sobject: str) -> SyncCursor:
    cursor, _ = SyncCursor.objects.get_or_create(sobject=sobject)
    return cursor


def is_loaded(cursor: SyncCursor) -> bool:
    return cursor.load_state == LoadState.DONE


def needs_count(cursor: SyncCursor, bulk_load: bool) -> bool:
    """A first load of a Bulk-capable object starts by counting its rows (progress, and REST or Bulk)."""
    return cursor.load_state == LoadState.NOT_STARTED and bulk_load


def since(cursor: SyncCursor) -> tuple[datetime | None, bool]:
    """Where the next read starts (None: from the beginning), and whether it includes deleted rows."""
    if is_loaded(cursor) and cursor.high_water:
        start = cursor.high_water - overlap()
        if cursor.read_through and cursor.read_through > start:
            start = cursor.read_through
        return start, True
    return cursor.high_water, False


def begin_load(cursor: SyncCursor, total: int) -> None:
    cursor.rows_total, cursor.rows_read = total, 0
    cursor.load_state = LoadState.IN_PROGRESS
    cursor.load_started_at = timezone.now()
    cursor.save()


def begin_bulk(cursor: SyncCursor, job_id: str) -> None:
    cursor.bulk_job_id, cursor.bulk_locator = job_id, ""
    cursor.load_state = LoadState.IN_PROGRESS
    cursor.load_started_at = cursor.load_started_at or timezone.now()
    cursor.save()


def checkpoint(cursor: SyncCursor, locator: str) -> None:
    """The Bulk page after this one; saved by the `advance` of the page's last chunk, in its transaction."""
    cursor.bulk_locator = locator


def skip_empty_page(cursor: SyncCursor, locator: str) -> None:
    cursor.bulk_locator = locator
    cursor.save()


def forget_bulk_job(cursor: SyncCursor) -> None:
    """An expired, failed or unknown job (jobs are kept for days, not forever): the next cycle starts over."""
    cursor.bulk_job_id, cursor.bulk_locator = "", ""
    SyncCursor.objects.filter(pk=cursor.pk).update(bulk_job_id="", bulk_locator="")


def advance(cursor: SyncCursor | None, rows: int, max_stamp: str | None) -> None:
    """Move past a page just applied (call inside the page's transaction)."""
    if cursor is None or not max_stamp:
        return
    stamp = parse_datetime(max_stamp)
    if cursor.high_water is None or stamp > cursor.high_water:
        cursor.high_water = stamp
    cursor.rows_read += rows
    cursor.save()


def finish_load(cursor: SyncCursor) -> None:
    cursor.load_state = LoadState.DONE
    cursor.bulk_job_id, cursor.bulk_locator = "", ""
    cursor.save()


def mark_read_through(cursor: SyncCursor, read_at: datetime) -> None:
    """Every page of a delta read at `read_at` (Salesforce's clock) is applied: what was stamped before
    `read_at - overlap` is known to be in the mirror."""
    cursor.read_through = read_at - overlap()
    cursor.save(update_fields=["read_through", "updated_at"])
