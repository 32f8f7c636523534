"""Reading one object from Salesforce: the delta query, a REST initial load, or a resumable Bulk 2.0 load.

Cursor states:
- NOT_STARTED / IN_PROGRESS without a bulk job: read with `query` (no deleted rows) ordered by
  (SystemModstamp, Id) from the high-water mark; every page moves the mark, so a crash resumes there.
- IN_PROGRESS with a bulk job: read the job's CSV pages; the job id and next locator are checkpointed with
  each page's data, so a killed worker resumes at the next unread page instead of starting over.
- DONE: the delta query, `queryAll` (deletes and merge losers included) from the later of
  `high_water - overlap` and `read_through` (Salesforce's clock at the last complete read, less the overlap:
  whatever was stamped before it had committed when we read). Salesforce stamps whole seconds and commits
  late; re-reading that window and skipping what was already applied makes this exact.
"""

from __future__ import annotations

import csv
import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from syncapp.models import SyncCursor
from syncapp.salesforce.client import QueryPage, SalesforceClient
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync.objects import SyncedObject
from syncapp.sync.pull import PageApplier
from syncapp.sync.records import csv_lines, soql_datetime
from syncapp.sync.steps import Counts

log = logging.getLogger(__name__)
BULK_CHUNK = 10000  # rows per transaction while applying a Bulk CSV page
BULK_PAGE = 20000  # rows per Bulk results request (held as CSV text while it is applied)


def overlap() -> timedelta:
    return timedelta(seconds=getattr(settings, "SYNC_OVERLAP_SECONDS", 60))


def select(entry: SyncedObject, names: list[str]) -> str:
    return f"SELECT {', '.join(names)} FROM {entry.sobject}"


def where(*conditions: str) -> str:
    conditions = tuple(c for c in conditions if c)
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def delta_query(entry: SyncedObject, names: list[str], cursor: SyncCursor) -> tuple[str, bool]:
    """The SOQL that reads what changed (or, before the first load is done, the next REST page)."""
    order = " ORDER BY SystemModstamp, Id"
    if cursor.load_state == SyncCursor.LoadState.DONE and cursor.high_water:
        start = cursor.high_water - overlap()
        if cursor.read_through and cursor.read_through > start:
            start = cursor.read_through
        since = f"SystemModstamp >= {soql_datetime(start)}"
        return select(entry, names) + where(since, entry.where) + order, True
    since = f"SystemModstamp >= {soql_datetime(cursor.high_water)}" if cursor.high_water else ""
    return select(entry, names) + where(since, entry.where) + order, False


class ObjectLoader:
    """Pulls one object through its PageApplier, reporting progress through `on_progress`."""

    def __init__(
        self,
        client: SalesforceClient,
        applier: PageApplier,
        cursor: SyncCursor,
        on_progress: Callable[[Counts, int], None] = lambda counts, done: None,
    ) -> None:
        self.client = client
        self.applier = applier
        self.entry = applier.entry
        self.cursor = cursor
        self.on_progress = on_progress
        self.counts = Counts()
        self.names = applier.names
        # Where a Bulk load's time goes: writing the mirror, or waiting for Salesforce's next page.
        self.seconds_writing = 0.0
        self.seconds_waiting = 0.0

    def run_pages(
        self, first: QueryPage | None, soql: str, include_deleted: bool, read_at: datetime | None = None
    ) -> Counts:
        """Apply the first page (already fetched, e.g. in a composite batch) and follow nextRecordsUrl.

        `read_at` is Salesforce's clock when the first page was read; once every page is applied, records
        stamped before `read_at - overlap` are known to be in the mirror.
        """
        page = first or self.client.query_page(soql, include_deleted=include_deleted)
        while True:
            self._apply(self.applier.from_rest(page.records))
            if not page.next_url:
                break
            page = self.client.query_more(page.next_url)
        if self.cursor.load_state != SyncCursor.LoadState.DONE:
            self._mark_done()
        elif first is not None and read_at is not None:
            self.cursor.read_through = read_at - overlap()
            self.cursor.save(update_fields=["read_through", "updated_at"])
        self.applier.finish()
        return self.counts

    def run_bulk(self) -> Counts:
        cursor = self.cursor
        if not cursor.bulk_job_id:
            soql = select(self.entry, self.names) + where(self.entry.where)
            cursor.bulk_job_id = self.client.bulk_query_start(soql)
            cursor.bulk_locator = ""
            cursor.load_state = SyncCursor.LoadState.IN_PROGRESS
            cursor.load_started_at = cursor.load_started_at or timezone.now()
            cursor.save()
        self._wait_for_job(cursor.bulk_job_id)

        def fetch(locator: str) -> tuple[str, str]:
            try:
                return self.client.bulk_query_results(cursor.bulk_job_id, locator, max_records=BULK_PAGE)
            except SalesforceError:
                # An expired or unknown job (jobs are kept for days, not forever): the next cycle starts over.
                log.warning("Bulk job %s unusable; the initial load will start again", cursor.bulk_job_id)
                SyncCursor.objects.filter(pk=cursor.pk).update(bulk_job_id="", bulk_locator="")
                raise

        # The next page downloads while this one is written (Salesforce and the database each keep a core
        # busy). A page is held as its lines and parsed a chunk at a time, with one row of lookahead to know
        # which chunk is the page's last.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(fetch, cursor.bulk_locator)
            while pending is not None:
                started = time.perf_counter()
                text, next_locator = pending.result()
                self.seconds_waiting += time.perf_counter() - started
                pending = pool.submit(fetch, next_locator) if next_locator else None
                reader = csv.reader(csv_lines(text))
                del text
                header = next(reader, None) or []
                applied_any = False
                row = next(reader, None)
                while row is not None:
                    chunk = [row, *itertools.islice(reader, BULK_CHUNK - 1)]
                    row = next(reader, None)
                    if row is None:
                        # The checkpoint commits with the page's last chunk: a crash before it replays this
                        # page (idempotent), a crash after it resumes at the next one.
                        cursor.bulk_locator = next_locator
                    started = time.perf_counter()
                    self.counts = self.counts + self.applier.apply_csv(header, chunk, cursor)
                    self.seconds_writing += time.perf_counter() - started
                    self.on_progress(self.counts, cursor.rows_read)
                    applied_any = True
                if not applied_any:
                    cursor.bulk_locator = next_locator
                    cursor.save()
        self._mark_done()
        self.applier.finish()
        return self.counts

    def _wait_for_job(self, job_id: str, timeout: float = 1800) -> None:
        deadline, delay = time.monotonic() + timeout, 0.05
        while True:
            state = self.client.bulk_query_state(job_id).get("state")
            if state == "JobComplete":
                return
            if state in ("Failed", "Aborted"):
                self.cursor.bulk_job_id = ""
                self.cursor.save()
                raise SalesforceError(f"The Bulk API query job for {self.entry.sobject} ended {state}.")
            if time.monotonic() > deadline:
                raise SalesforceError(f"The Bulk API query job for {self.entry.sobject} is still running.")
            time.sleep(delay)
            delay = min(delay * 2, 10)

    def _apply(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        self.counts = self.counts + self.applier.apply(records, self.cursor)
        self.on_progress(self.counts, self.cursor.rows_read)

    def _mark_done(self) -> None:
        cursor = self.cursor
        cursor.load_state = SyncCursor.LoadState.DONE
        cursor.bulk_job_id, cursor.bulk_locator = "", ""
        cursor.save()
