"""Reading from Salesforce, I/O only: the SOQL of a delta or a load, the composite batch of every object's
first page, REST pages, and Bulk API 2.0 query jobs. Nothing here writes the mirror or moves a cursor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from syncapp.models import SyncCursor
from syncapp.salesforce.client import QueryPage, SalesforceClient, to_page
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync import cursor as cursors
from syncapp.sync.pull.values import is_salesforce_id, soql_datetime
from syncapp.sync.registry import SyncedObject

BULK_PAGE = 20000  # rows per Bulk results request (held as CSV text while it is applied)
# Ids per `WHERE Id IN (…)` query: keeps the GET's URL well under Salesforce's 16,384-character limit.
IDS_PER_QUERY = 300


class BulkJobEnded(SalesforceError):
    """The Bulk query job failed or was aborted in Salesforce: a new one must be started."""


def select(entry: SyncedObject, names: list[str]) -> str:
    return f"SELECT {', '.join(names)} FROM {entry.sobject}"


def where(*conditions: str) -> str:
    conditions = tuple(c for c in conditions if c)
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def delta_query(entry: SyncedObject, names: list[str], cursor: SyncCursor) -> tuple[str, bool]:
    """The SOQL that reads what changed (or, before the first load is done, the next REST page)."""
    start, include_deleted = cursors.since(cursor)
    since = f"SystemModstamp >= {soql_datetime(start)}" if start else ""
    return select(entry, names) + where(since, entry.where) + " ORDER BY SystemModstamp, Id", include_deleted


def count_query(entry: SyncedObject) -> str:
    return f"SELECT COUNT() FROM {entry.sobject}" + where(entry.where)


def bulk_query(entry: SyncedObject, names: list[str]) -> str:
    return select(entry, names) + where(entry.where)


def by_id_queries(
    entry: SyncedObject, names: list[str], ids: list[str], changed_since: datetime | None = None
) -> list[str]:
    """Queries reading these records (deleted ones too, through queryAll), `IDS_PER_QUERY` ids each;
    with `changed_since`, only those whose SystemModstamp moved since then. Malformed ids are left out
    (Salesforce would refuse the whole query for one of them)."""
    since = f"SystemModstamp >= {soql_datetime(changed_since)}" if changed_since else ""
    valid = [i for i in ids if is_salesforce_id(i)]
    queries = []
    for start in range(0, len(valid), IDS_PER_QUERY):
        quoted = ", ".join(f"'{i}'" for i in valid[start : start + IDS_PER_QUERY])
        queries.append(select(entry, names) + where(f"Id IN ({quoted})", since, entry.where))
    return queries


def first_pages(
    client: SalesforceClient, queries: list[tuple[str, bool]]
) -> tuple[list[QueryPage | None], datetime | None]:
    """The first page of each query (None for one that failed) in composite batches of 25 (ONE API call
    for an idle cycle), and Salesforce's clock when they were read."""
    requests_ = [
        {"method": "GET", "url": client.query_url(soql, include_deleted=include_deleted)}
        for soql, include_deleted in queries
    ]
    results = client.composite_batch(requests_) if requests_ else []
    return [to_page(r.body) if r.ok else None for r in results], client.server_time


def first_pages_or_raise(client: SalesforceClient, queries: list[tuple[str, bool]]) -> list[QueryPage]:
    """Like `first_pages`, raising Salesforce's error for a query that failed."""
    requests_ = [
        {"method": "GET", "url": client.query_url(soql, include_deleted=include_deleted)}
        for soql, include_deleted in queries
    ]
    pages = []
    for result in client.composite_batch(requests_) if requests_ else []:
        if not result.ok:
            raise result.error()
        pages.append(to_page(result.body))
    return pages


def rest_pages(
    client: SalesforceClient, first: QueryPage | None, soql: str, include_deleted: bool
) -> Iterator[QueryPage]:
    """The first page (already fetched, e.g. in a composite batch, or read now) and every next one."""
    page = first or client.query_page(soql, include_deleted=include_deleted)
    while True:
        yield page
        if not page.next_url:
            return
        page = client.query_more(page.next_url)


class BulkJob:
    """One Bulk API 2.0 query job: wait for it, then read its CSV pages, each downloading while the
    previous one is applied (Salesforce and the database each keep a core busy)."""

    def __init__(self, client: SalesforceClient, job_id: str, sobject: str) -> None:
        self.client = client
        self.job_id = job_id
        self.sobject = sobject
        self.seconds_waiting = 0.0  # time spent waiting for Salesforce's next page

    @classmethod
    def start(cls, client: SalesforceClient, soql: str, sobject: str) -> BulkJob:
        return cls(client, client.bulk_query_start(soql), sobject)

    def wait(self, timeout: float = 1800) -> None:
        deadline, delay = time.monotonic() + timeout, 0.05
        while True:
            state = self.client.bulk_query_state(self.job_id).get("state")
            if state == "JobComplete":
                return
            if state in ("Failed", "Aborted"):
                raise BulkJobEnded(f"The Bulk API query job for {self.sobject} ended {state}.")
            if time.monotonic() > deadline:
                raise SalesforceError(f"The Bulk API query job for {self.sobject} is still running.")
            time.sleep(delay)  # polling Salesforce's job state: its own pace, not a test's synchronisation
            delay = min(delay * 2, 10)

    def pages(self, locator: str) -> Iterator[tuple[str, str]]:
        """(CSV text, locator of the page after it; '' after the last) from `locator` on."""

        def fetch(at: str) -> tuple[str, str]:
            return self.client.bulk_query_results(self.job_id, at, max_records=BULK_PAGE)

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(fetch, locator)
            while pending is not None:
                started = time.perf_counter()
                text, next_locator = pending.result()
                self.seconds_waiting += time.perf_counter() - started
                pending = pool.submit(fetch, next_locator) if next_locator else None
                yield text, next_locator
