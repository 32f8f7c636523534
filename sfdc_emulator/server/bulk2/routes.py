"""Bulk API 2.0 routes under /services/data/vXX.X/jobs/: query jobs (CSV pages) and ingest jobs (spec §5).

Query results stream: a page is produced in chunks of rows fetched by keyset (the compiler's pager: after
the last key sent, no OFFSET rescans) with the store lock released between chunks, so a 1,000,000-record
download keeps memory flat. Pages carry `Sforce-NumberOfRecords` and `Sforce-Locator` (the literal `null`
on the last page: jsforce stops only on it).
Error codes for invalid jobs (INVALIDJOB) and locators (INVALID_QUERY_LOCATOR) are [unverified].
"""

from __future__ import annotations

import time

from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.bulk2.csv import DELIMITERS, LINE_ENDINGS, result_columns, write_csv
from sfdc_emulator.server.bulk2.ingest import OPERATIONS, process
from sfdc_emulator.server.bulk2.jobs import IngestJob, Job, QueryJob, decode_locator, encode_locator, jobs_of
from sfdc_emulator.server.http import Ctx, Response, json_response, no_content, route
from sfdc_emulator.soql.ast import SubqueryItem
from sfdc_emulator.soql.compiler import compile_query
from sfdc_emulator.soql.errors import SoqlError
from sfdc_emulator.soql.parser import parse

V = r"/services/data/v(?P<version>\d+\.\d+)/jobs"
JOB_ID = r"(?P<job_id>[0-9A-Za-z]{15,18})"
CSV_TYPE = "text/csv"
DEFAULT_MAX_RECORDS = 50_000
# Without a streaming transport a page is built in memory: cap it so memory stays bounded (the locator
# carries on; Salesforce documents that a page may hold fewer records than maxRecords).
UNSTREAMED_PAGE_CAP = 100_000


def _body(ctx: Ctx) -> dict:
    payload = ctx.request.json()
    if not isinstance(payload, dict):
        raise SfError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
    return payload


def _format(payload: dict) -> tuple[str, str]:
    delimiter = str(payload.get("columnDelimiter") or "COMMA")
    line_ending = str(payload.get("lineEnding") or "LF")
    if delimiter not in DELIMITERS:
        raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid column delimiter: {delimiter}")
    if line_ending not in LINE_ENDINGS:
        raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid line ending: {line_ending}")
    if str(payload.get("contentType") or "CSV") != "CSV":
        raise SfError(400, "INVALIDJOB", "InvalidJob : Only CSV content is supported")
    return delimiter, line_ending


def _new_job(
    cls: type, ctx: Ctx, version: str, kind: str, operation: str, obj: str, fmt: tuple[str, str], **kw: object
) -> Job:
    stamp = ctx.org.clock.stamp()
    return cls(
        id=jobs_of(ctx.org).new_id(), kind=kind, operation=operation, object=obj,
        created_by=ctx.user_id or "", created=stamp, modstamp=stamp, api_version=version, delimiter=fmt[0],
        line_ending=fmt[1], **kw,
    )  # fmt: skip


# --- query jobs ---------------------------------------------------------------------------------------------


@route("POST", V + r"/query")
def create_query_job(ctx: Ctx, version: str) -> Response:
    payload = _body(ctx)
    operation = str(payload.get("operation") or "query")
    if operation not in ("query", "queryAll"):
        raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
    soql = payload.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise SfError(400, "INVALIDJOB", "InvalidJob : The query is required")
    fmt = _format(payload)
    org = ctx.org
    access = org.store.security.access(ctx.user_id)
    try:
        cq = compile_query(
            soql, org.schema, visible=access.visible, include_deleted=operation == "queryAll",
            now=org.clock.now(), api_version=version,
        )  # fmt: skip
        parsed = parse(soql)
    except SoqlError as exc:
        raise SfError(400, exc.error_code, exc.message) from None
    if parsed.offset is not None or parsed.group_by:
        raise SfError(400, "INVALIDJOB", "InvalidJob : GROUP BY and OFFSET are not supported by Bulk API 2.0")
    if any(isinstance(item, SubqueryItem) for item in parsed.select):
        raise SfError(
            400, "INVALIDJOB", "InvalidJob : Parent-to-child relationship queries are not supported"
        )
    columns = result_columns(cq, org.schema)
    job = _new_job(QueryJob, ctx, version, "query", operation, cq.object_name, fmt, cq=cq, columns=columns)
    started = time.perf_counter()
    job.total = int(org.store.fetchone(cq.count_sql, cq.count_params)[0])  # type: ignore[index]
    job.processed = job.total
    job.processing_ms = int((time.perf_counter() - started) * 1000)
    job.state = "JobComplete"
    jobs_of(org).add(job)
    # A real org answers the create with UploadComplete and completes later; the first poll sees JobComplete.
    return json_response({**job.info(), "state": "UploadComplete"})


@route("GET", V + r"/query/" + JOB_ID + r"/results")
def query_results(ctx: Ctx, version: str, job_id: str) -> Response:
    job = jobs_of(ctx.org).get("query", job_id)
    assert isinstance(job, QueryJob)
    if job.state != "JobComplete":
        raise SfError(412, "JOB_NOT_COMPLETE", f"Job {job.id} is not complete (state {job.state})")
    max_records = _max_records(ctx.request.param("maxRecords"))
    locator = ctx.request.param("locator")
    offset = decode_locator(locator) if locator and locator != "null" else 0
    if offset > job.total:
        raise SfError(400, "INVALID_QUERY_LOCATOR", f"Invalid locator: {locator}")
    streaming = "stream" in getattr(Response, "__dataclass_fields__", {})
    if not streaming:
        max_records = min(max_records, UNSTREAMED_PAGE_CAP)
    count = min(max_records, job.total - offset)
    end = offset + count
    headers = {
        "Sforce-NumberOfRecords": str(count),
        "Sforce-Locator": encode_locator(end) if end < job.total else "null",
    }
    chunks = job.page(ctx.org.store, offset, count)
    if streaming:
        return Response(status=200, headers=headers, content_type=CSV_TYPE, stream=chunks)  # type: ignore[call-arg]
    return Response(status=200, body=b"".join(chunks), headers=headers, content_type=CSV_TYPE)


def _max_records(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_MAX_RECORDS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SfError(400, "INVALID_MAXRECORDS", f"maxRecords must be a positive integer: {raw}")
    return value


# --- ingest jobs --------------------------------------------------------------------------------------------


@route("POST", V + r"/ingest")
def create_ingest_job(ctx: Ctx, version: str) -> Response:
    payload = _body(ctx)
    operation = str(payload.get("operation") or "")
    if operation not in OPERATIONS:
        raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
    obj = ctx.org.schema.get_object(str(payload.get("object") or ""))
    if obj is None:
        raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid sObject type: {payload.get('object')}")
    ext = payload.get("externalIdFieldName")
    if operation == "upsert":
        fd = obj.field(str(ext or "Id"))
        if (
            fd is None
            or not fd.id_lookup
            or not ctx.org.store.security.access(ctx.user_id).visible(obj.name, fd.name)
        ):
            raise SfError(400, "INVALIDJOB", f"InvalidJob : Invalid external ID field: {ext}")
        ext = fd.name
    job = _new_job(
        IngestJob, ctx, version, "ingest", operation, obj.name, _format(payload),
        external_id_field=ext if operation == "upsert" else None,
        assignment_rule_id=str(payload["assignmentRuleId"]) if payload.get("assignmentRuleId") else None,
    )  # fmt: skip
    jobs_of(ctx.org).add(job)
    return json_response(job.info())


@route("PUT", V + r"/ingest/" + JOB_ID + r"/batches")
def upload_batch(ctx: Ctx, version: str, job_id: str) -> Response:
    job = jobs_of(ctx.org).get("ingest", job_id)
    assert isinstance(job, IngestJob)
    if job.state != "Open":
        raise SfError(409, "INVALIDJOBSTATE", f"Job {job.id} is not open for uploads (state {job.state})")
    if not ctx.request.body.strip():
        raise SfError(400, "INVALIDJOB", "InvalidJob : The uploaded file is empty")
    job.uploads.append(ctx.request.body)
    job.modstamp = ctx.org.clock.stamp()
    return Response(status=201, body=b"")


def _set_state(ctx: Ctx, job: Job) -> Response:
    payload = _body(ctx)
    state = payload.get("state")
    if state == "Aborted":
        if job.state in ("JobComplete", "Failed"):
            raise SfError(409, "INVALIDJOBSTATE", f"Job {job.id} is already {job.state}")
        job.state = "Aborted"
        if isinstance(job, IngestJob):
            job.unprocessed = []
            job.uploads.clear()
    elif state == "UploadComplete" and isinstance(job, IngestJob):
        if job.state != "Open":
            raise SfError(409, "INVALIDJOBSTATE", f"Job {job.id} is not open (state {job.state})")
        if not job.uploads:
            raise SfError(400, "INVALIDJOB", "InvalidJob : No data was uploaded for this job")
        job.state = "UploadComplete"
        process(ctx.org.store, job, ctx.user_id or "")
        job.modstamp = ctx.org.clock.stamp()
        return json_response({**job.info(), "state": "UploadComplete"})
    else:
        raise SfError(400, "INVALIDJOBSTATE", f"Invalid job state change: {state}")
    job.modstamp = ctx.org.clock.stamp()
    return json_response(job.info())


@route("PATCH", V + r"/ingest/" + JOB_ID)
def patch_ingest_job(ctx: Ctx, version: str, job_id: str) -> Response:
    return _set_state(ctx, jobs_of(ctx.org).get("ingest", job_id))


@route("PATCH", V + r"/query/" + JOB_ID)
def patch_query_job(ctx: Ctx, version: str, job_id: str) -> Response:
    return _set_state(ctx, jobs_of(ctx.org).get("query", job_id))


@route(
    "GET", V + r"/ingest/" + JOB_ID + r"/(?P<kind>(?i:successfulResults|failedResults|unprocessedrecords))"
)
def ingest_results(ctx: Ctx, version: str, job_id: str, kind: str) -> Response:
    job = jobs_of(ctx.org).get("ingest", job_id)
    assert isinstance(job, IngestJob)
    kind = kind.lower()
    if kind == "unprocessedrecords":
        body = write_csv(job.header, job.unprocessed) if job.header else b""
    elif job.state not in ("JobComplete", "Failed", "Aborted"):
        raise SfError(412, "JOB_NOT_COMPLETE", f"Job {job.id} is not complete (state {job.state})")
    elif kind == "successfulresults":
        body = write_csv(["sf__Id", "sf__Created", *job.header], job.successes)
    else:
        body = write_csv(["sf__Id", "sf__Error", *job.header], job.failures)
    return Response(status=200, body=body, content_type=CSV_TYPE)


# --- both kinds ---------------------------------------------------------------------------------------------


def _get(kind: str):
    def get_job(ctx: Ctx, version: str, job_id: str) -> Response:
        return json_response(jobs_of(ctx.org).get(kind, job_id).info())

    def delete_job(ctx: Ctx, version: str, job_id: str) -> Response:
        job = jobs_of(ctx.org).get(kind, job_id)
        if job.state in ("Open", "UploadComplete", "InProgress"):
            raise SfError(
                400, "INVALIDJOBSTATE", f"Job {job.id} must be closed or aborted before deleting it"
            )
        jobs_of(ctx.org).remove(job.id)
        return no_content()

    def list_jobs(ctx: Ctx, version: str) -> Response:
        records = [j.info() for j in jobs_of(ctx.org).all(kind) if j.created_by == ctx.user_id]
        return json_response({"done": True, "records": records, "nextRecordsUrl": None})

    route("GET", V + f"/{kind}/" + JOB_ID)(get_job)
    route("DELETE", V + f"/{kind}/" + JOB_ID)(delete_job)
    route("GET", V + f"/{kind}")(list_jobs)


_get("query")
_get("ingest")
