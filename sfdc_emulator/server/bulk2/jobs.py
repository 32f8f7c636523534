"""Bulk API 2.0 job state: query jobs (keyset-paged result streams) and ingest jobs, per org, in memory.

Jobs complete synchronously (spec §5: polling ends at the first GET) and live for the life of the server
process; a restart or reset forgets them, as an expired job would be in a real org.
"""

from __future__ import annotations

import base64
import itertools
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sfdc_emulator.org import ids
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.bulk2.csv import Column, header_line, line_formatter
from sfdc_emulator.soql.compiler import CompiledQuery

if TYPE_CHECKING:
    from sfdc_emulator.org.org import Org

CHUNK_ROWS = 5000  # rows fetched per store-lock acquisition while streaming


@dataclass
class Job:
    id: str
    kind: str  # "query" | "ingest"
    operation: str
    object: str
    created_by: str
    created: str
    modstamp: str
    api_version: str
    delimiter: str  # COMMA, TAB…
    line_ending: str  # LF | CRLF
    state: str = "Open"
    error_message: str | None = None
    processed: int = 0
    failed: int = 0
    processing_ms: int = 0

    def info(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "jobType": "V2Query" if self.kind == "query" else "V2Ingest",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
            "numberRecordsProcessed": self.processed,
            "retries": 0,
            "totalProcessingTime": self.processing_ms,
        }
        if self.kind == "ingest":
            out["contentUrl"] = f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"
            out["numberRecordsFailed"] = self.failed
            out["apiActiveProcessingTime"] = self.processing_ms
            out["apexProcessingTime"] = 0
        if self.error_message:
            out["errorMessage"] = self.error_message
        return out


@dataclass
class QueryJob(Job):
    cq: CompiledQuery | None = None
    columns: list[Column] = field(default_factory=list)
    total: int = 0  # fixed at creation: pages stop there even if rows are added meanwhile
    page_keys: dict[int, tuple[object, ...]] = field(default_factory=dict)  # offset → keyset key before it

    def page(self, store: object, offset: int, count: int) -> Iterator[bytes]:
        """The CSV of `count` rows from `offset`, fetched in keyset chunks so memory stays flat."""
        delimiter, eol = _DELIMS[self.delimiter], _EOLS[self.line_ending]
        formatter = line_formatter(self.columns, delimiter, eol)
        yield header_line(self.columns, delimiter, eol).encode()
        assert self.cq is not None
        pager = self.cq.pager
        assert pager is not None
        # Random access to a page nobody asked for yet (a retried or skipped locator) falls back to OFFSET.
        key = self.page_keys.get(offset) if pager.keyset and offset else None
        pos, remaining = offset, count
        while remaining > 0:
            n = min(CHUNK_ROWS, remaining)
            sql, args = pager.page_sql(n, after=key) if key is not None else pager.page_sql(n, skip=pos)
            with store.lock:  # type: ignore[attr-defined]
                rows = store.conn.execute(sql, args).fetchall()  # type: ignore[attr-defined]
            if not rows:
                break
            yield "".join(map(formatter, rows)).encode()
            pos += len(rows)
            remaining -= len(rows)
            if pager.keyset:
                key = pager.page_key(rows[-1])
        if key is not None:
            self.page_keys[pos] = key


@dataclass
class IngestJob(Job):
    external_id_field: str | None = None
    assignment_rule_id: str | None = None  # Bulk runs no assignment rule unless the job names one
    uploads: list[bytes] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    successes: list[list[str]] = field(default_factory=list)  # [sf__Id, sf__Created, *cells]
    failures: list[list[str]] = field(default_factory=list)  # [sf__Id, sf__Error, *cells]
    unprocessed: list[list[str]] = field(default_factory=list)

    def info(self) -> dict[str, object]:
        out = super().info()
        if self.external_id_field:
            out["externalIdFieldName"] = self.external_id_field
        if self.assignment_rule_id:
            out["assignmentRuleId"] = self.assignment_rule_id
        return out


_DELIMS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
_EOLS = {"LF": "\n", "CRLF": "\r\n"}


def encode_locator(offset: int) -> str:
    """Real Bulk 2.0 locators are the base64 of the next row offset (e.g. MjAwMDA = "20000")."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    try:
        value = int(base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode())
    except (ValueError, UnicodeDecodeError):
        raise SfError(400, "INVALID_QUERY_LOCATOR", f"Invalid locator: {locator}") from None
    if value < 0:
        raise SfError(400, "INVALID_QUERY_LOCATOR", f"Invalid locator: {locator}")
    return value


class Jobs:
    """The org's Bulk 2.0 jobs by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._seq = itertools.count(1)
        self.lock = threading.Lock()

    def new_id(self) -> str:
        with self.lock:
            return ids.make_id(ids.BULK_JOB_PREFIX, next(self._seq))

    def add(self, job: Job) -> None:
        with self.lock:
            self._jobs[job.id] = job

    def get(self, kind: str, job_id: str) -> Job:
        norm = ids.normalize(job_id)
        job = self._jobs.get(norm or "")
        if job is None or job.kind != kind:
            raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def remove(self, job_id: str) -> None:
        with self.lock:
            self._jobs.pop(job_id, None)

    def all(self, kind: str) -> list[Job]:
        return [j for j in self._jobs.values() if j.kind == kind]


_REGISTRY: weakref.WeakKeyDictionary[Org, Jobs] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def jobs_of(org: Org) -> Jobs:
    with _REGISTRY_LOCK:
        jobs = _REGISTRY.get(org)
        if jobs is None:
            jobs = _REGISTRY[org] = Jobs()
        return jobs
