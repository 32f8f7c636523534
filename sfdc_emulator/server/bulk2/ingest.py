"""Bulk API 2.0 ingest processing: CSV rows through the same validated DML as REST, per-row results.

CSV value rules (spec §5.1): an empty cell is ignored (null on insert, unchanged on update), `#N/A` sets null,
`Rel.Field` columns set a lookup by the parent's external id. An unknown column fails the whole job
("InvalidBatch : Field name not found : X"), as a real org does before touching any row.
"""

from __future__ import annotations

import time

from sfdc_emulator.org import dml
from sfdc_emulator.org.assignment import Assign
from sfdc_emulator.org.errors import RecordError, SaveResult
from sfdc_emulator.org.store import Store
from sfdc_emulator.server.bulk2.csv import DELIMITERS, parse_csv
from sfdc_emulator.server.bulk2.jobs import IngestJob

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
TRANSACTION_ROWS = 2000  # rows per store transaction: bounded lock hold, one commit per batch


def error_text(errors: tuple[RecordError, ...]) -> str:
    """`STATUS_CODE:message:Field --`, the failedResults sf__Error form [obs]."""
    error = errors[0] if errors else RecordError("UNKNOWN_EXCEPTION", "unknown error")
    return f"{error.status_code}:{error.message}:{','.join(error.fields)} --"


def _check_header(store: Store, job: IngestJob, header: list[str]) -> str | None:
    obj = store.object(job.object)
    if job.operation in ("delete", "hardDelete"):
        if [h.lower() for h in header] != ["id"]:
            return "InvalidBatch : The 'delete' batch must contain only ids"
        return None
    for name in header:
        rel, _, target = name.partition(".")
        if target:
            fd = obj.relationship(rel)
            parents = [store.schema.get_object(t) for t in fd.reference_to] if fd is not None else []
            if not any(p is not None and p.field(target) is not None for p in parents):
                return f"InvalidBatch : Field name not found : {name}"
        elif obj.field(name) is None:
            return f"InvalidBatch : Field name not found : {name}"
    if job.operation == "update" and "id" not in (h.lower() for h in header):
        return "InvalidBatch : Field name not found : Id"
    if job.operation == "upsert" and (job.external_id_field or "").lower() not in (h.lower() for h in header):
        return f"InvalidBatch : Field name not found : {job.external_id_field}"
    return None


def _values(header: list[str], cells: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, cell in zip(header, cells, strict=False):
        if cell == "":
            continue
        value: object = None if cell == "#N/A" else cell
        rel, _, target = name.partition(".")
        if target:
            values[rel] = {target: value}
        else:
            values[name] = value
    return values


def _apply(store: Store, job: IngestJob, header: list[str], cells: list[str], user_id: str) -> SaveResult:
    values = _values(header, cells)
    op = job.operation
    assign = Assign(rule_id=job.assignment_rule_id) if job.assignment_rule_id else None
    if op == "insert":
        return dml.create(store, job.object, values, user_id=user_id, assign=assign)
    if op in ("delete", "hardDelete"):
        return dml.delete(store, job.object, cells[0] if cells else "", user_id=user_id)
    if op == "update":
        key = next((k for k in values if k.lower() == "id"), None)
        record_id = str(values.pop(key)) if key else ""
        return dml.update(store, job.object, record_id, values, user_id=user_id, assign=assign)
    result = dml.upsert(
        store, job.object, job.external_id_field or "Id", values, user_id=user_id, assign=assign
    )
    if isinstance(result, list):
        message = f"Upsert failed. More than one record found with the external ID: {', '.join(result)}"
        return SaveResult(None, False, (RecordError("DUPLICATE_EXTERNAL_ID", message),))
    return result


def process(store: Store, job: IngestJob, user_id: str) -> None:
    """Run every uploaded row; the job ends JobComplete (row failures are per-row) or Failed (bad file)."""
    started = time.perf_counter()
    delimiter = DELIMITERS[job.delimiter]
    header: list[str] = []
    rows: list[list[str]] = []
    for data in job.uploads:
        part_header, part_rows = parse_csv(data, delimiter)
        header = header or part_header
        rows.extend(part_rows)
    job.uploads.clear()
    job.header = header
    problem = _check_header(store, job, header)
    if problem is not None:
        job.state, job.error_message = "Failed", problem
        job.unprocessed = rows
        return
    for start in range(0, len(rows), TRANSACTION_ROWS):
        with store.transaction():
            for cells in rows[start : start + TRANSACTION_ROWS]:
                result = _apply(store, job, header, cells, user_id)
                if result.success:
                    job.successes.append([result.id or "", "true" if result.created else "false", *cells])
                else:
                    job.failures.append([result.id or "", error_text(result.errors), *cells])
    job.processed = len(rows)
    job.failed = len(job.failures)
    job.state = "JobComplete"
    job.processing_ms = int((time.perf_counter() - started) * 1000)
