"""One object's pull, read page by page and applied page by page: a delta, a REST load or a resumable Bulk
2.0 load (`ObjectPull`), or given records by id right now (`pull_records`, for the push and the flows).

`read.py` fetches, `apply.py` writes the mirror, `cursor.py` says where to start and records how far it
got; this module only puts the three together.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from syncapp.models import SyncCursor
from syncapp.salesforce.client import QueryPage, SalesforceClient
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync import cursor as cursors
from syncapp.sync.pull import read
from syncapp.sync.pull.apply import PageApplier, PullContext
from syncapp.sync.pull.sqlite_lane import SqliteStage
from syncapp.sync.pull.values import csv_lines
from syncapp.sync.schema import SyncSchema, load_schema
from syncapp.sync.steps import Counts, StepRecorder
from syncapp.sync.write_lock import WriterGaps

BULK_CHUNK = 10000  # most rows per transaction while applying a Bulk CSV page
# SQLite has one writer: every other write (a flow action clicked in the admin, the task queue) waits for this
# transaction and fails with "database is locked" after its busy timeout (a web request's: 20 s). On a busy
# machine 10,000 rows took longer than that (the admin load test at 200,000 people: 500s on flow actions), so
# each transaction is sized from the previous one's rate to last about this long; an idle machine still writes
# 10,000 at a time. Every few seconds the loop pauses for the writes that waited (sync/write_lock.py).
TRANSACTION_SECONDS = 1.0
MIN_CHUNK = 100


def next_chunk_rows(rows: int, seconds: float) -> int:
    """Rows for the next transaction, given that the last one wrote `rows` in `seconds`."""
    if seconds <= 0:
        return BULK_CHUNK
    return min(BULK_CHUNK, max(MIN_CHUNK, int(rows / seconds * TRANSACTION_SECONDS)))


@dataclass(frozen=True)
class PullResult:
    """What pulling some records did: how many Salesforce returned, and what they did to the mirror."""

    fetched: int
    counts: Counts


class ObjectPull:
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
        # Where a Bulk load's time goes: writing the mirror, or waiting for Salesforce's next page.
        self.seconds_writing = 0.0
        self.seconds_waiting = 0.0

    def run_pages(self, first: QueryPage | None, read_at: datetime | None = None) -> Counts:
        """Apply the first page (already fetched, e.g. in a composite batch) and follow nextRecordsUrl.

        `read_at` is Salesforce's clock when the first page was read; once every page is applied, records
        stamped before `read_at - overlap` are known to be in the mirror.
        """
        soql, include_deleted = read.delta_query(self.entry, self.applier.names, self.cursor)
        for page in read.rest_pages(self.client, first, soql, include_deleted):
            records = self.applier.from_rest(page.records)
            if records:
                self.counts = self.counts + self.applier.apply(records, self.cursor)
                self.on_progress(self.counts, self.cursor.rows_read)
        if not cursors.is_loaded(self.cursor):
            cursors.finish_load(self.cursor)
        elif first is not None and read_at is not None:
            cursors.mark_read_through(self.cursor, read_at)
        self.applier.finish()
        return self.counts

    def run_bulk(self) -> Counts:
        cursor = self.cursor
        try:
            if cursor.bulk_job_id:
                job = read.BulkJob(self.client, cursor.bulk_job_id, self.entry.sobject)
            else:
                soql = read.bulk_query(self.entry, self.applier.names)
                job = read.BulkJob.start(self.client, soql, self.entry.sobject)
                cursors.begin_bulk(cursor, job.job_id)
            job.wait()
        except read.BulkJobEnded:
            cursors.forget_bulk_job(cursor)
            raise
        self.applier.stage = SqliteStage.open()  # SQLite's second core, where it can run
        try:
            self._apply_chunks(_page_chunks(job.pages(cursor.bulk_locator)))
        finally:
            if self.applier.stage is not None:
                self.applier.stage.close()
                self.applier.stage = None
        self.seconds_waiting = job.seconds_waiting
        cursors.finish_load(cursor)
        self.applier.finish()
        return self.counts

    def _apply_chunks(self, chunks: Iterator[Chunk]) -> None:
        """Apply a load's chunks in order, one read ahead, across pages: SQLite's second core builds the next
        chunk (the next page's first one too) while this one is written, and the writer's lock is free while
        the next chunk is parsed and built (sync/write_lock.py counts that as the pause waiting writers need).
        """
        cursor = self.cursor
        gaps = WriterGaps()
        ahead = self._next(chunks)
        if ahead is not None and ahead.rows and (lane := self.applier.staged_lane(ahead.header)):
            lane.stage_rows(ahead.rows)
        while ahead is not None:
            chunk = ahead
            ahead = self._next(chunks)
            lane = self.applier.staged_lane(chunk.header) if chunk.rows else None
            if lane and ahead is not None and ahead.rows and ahead.header == chunk.header:
                # Read one chunk ahead so SQLite's second core builds it while this one is written (a new
                # header builds a new lane: its chunk is built when its turn comes).
                lane.stage_rows(ahead.rows)
            if not chunk.rows:
                cursors.skip_empty_page(cursor, chunk.locator or "")  # in order: the pages before it are in
                continue
            if chunk.locator is not None:
                # The checkpoint commits with the page's last chunk: a crash before it replays this page
                # (idempotent), a crash after it resumes at the next one.
                cursors.checkpoint(cursor, chunk.locator)
            started = time.perf_counter()
            if lane:
                lane.wait(chunk.rows)  # outside the transaction: the lock is free while the builder works
            built = time.perf_counter() - started
            gaps.before_transaction()
            started = time.perf_counter()
            self.counts = self.counts + self.applier.apply_csv(chunk.header, chunk.rows, cursor)
            took = time.perf_counter() - started
            gaps.after_transaction()
            self.seconds_writing += built + took
            chunk.size[0] = next_chunk_rows(len(chunk.rows), took)  # sized by how long it holds the lock
            self.on_progress(self.counts, cursor.rows_read)

    def _next(self, chunks: Iterator[Chunk]) -> Chunk | None:
        try:
            return next(chunks, None)
        except SalesforceError:
            # An expired or unknown job (jobs are kept for days, not forever): the next cycle starts over.
            cursors.forget_bulk_job(self.cursor)
            raise


@dataclass
class Chunk:
    """Rows of one Bulk page applied in one transaction; `locator` (the page after it) on its page's last
    chunk only, and on an empty page's one chunk without rows."""

    header: list[str]
    rows: list[list[str]]
    locator: str | None
    size: list[int]  # the load's chunk size, adapted after each transaction (next_chunk_rows)


def _page_chunks(pages: Iterator[tuple[str, str]]) -> Iterator[Chunk]:
    """Each page's rows in chunks, page after page. A page is held as its lines and parsed a chunk at a time,
    one chunk ahead, to know which chunk is the page's last."""
    size = [BULK_CHUNK]  # kept across pages: the rate of the last transaction sizes the next
    for text, next_locator in pages:
        reader = csv.reader(csv_lines(text))
        del text
        header = next(reader, None) or []
        row = next(reader, None)
        if row is None:
            yield Chunk(header, [], next_locator, size)
            continue
        rows = [row, *itertools.islice(reader, size[0] - 1)]
        while True:
            row = next(reader, None)
            if row is None:
                yield Chunk(header, rows, next_locator, size)
                break
            yield Chunk(header, rows, None, size)
            rows = [row, *itertools.islice(reader, size[0] - 1)]


def pull_records(
    *,
    client: SalesforceClient,
    sobject: str,
    ids: list[str],
    recorder: StepRecorder,
    schema: SyncSchema | None = None,
    changed_since: datetime | None = None,
) -> PullResult:
    """Read these records of `sobject` from Salesforce now and apply them through the same path as the
    cycle (conflict rules, hooks, activity log), in one transaction per page. With `changed_since`, only
    those whose SystemModstamp moved since then. The object's cursor does not move: the next cycle's delta
    re-reads them and finds them applied.

    Used by the push (records that moved before they are overwritten) and by the flows (a lead just
    created or converted)."""
    schema = schema or load_schema()
    entry = next((e for e in schema.entries() if e.sobject == sobject), None)
    names = schema.field_names(sobject)
    ids = list(dict.fromkeys(i for i in ids if i))
    if entry is None or not names or not ids:
        return PullResult(fetched=0, counts=Counts())
    queries = [(soql, True) for soql in read.by_id_queries(entry, names, ids, changed_since)]
    applier = PageApplier(
        entry, PullContext(schema=schema, recorder=recorder, writer=recorder.activity_writer())
    )
    fetched, counts = 0, Counts()
    for first in read.first_pages_or_raise(client, queries):
        for page in read.rest_pages(client, first, "", True):
            records = applier.from_rest(page.records)
            fetched += len(records)
            if records:
                counts = counts + applier.apply(records)
    applier.finish()
    return PullResult(fetched=fetched, counts=counts)
