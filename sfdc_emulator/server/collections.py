"""sObject Collections (`/composite/sobjects`): up to 200 records per call, allOrNone or record by record."""

from __future__ import annotations

import re

from sfdc_emulator.org import dml, ids
from sfdc_emulator.org.errors import RecordError, SaveResult, SfError
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import V, auto_assign, get_object, record_json, visible_columns

MAX_COLLECTION = 200
MAX_SUBREQUESTS = 25
MAX_HEAVY_SUBREQUESTS = 5
HEAVY_SUBREQUEST = re.compile(r"/(composite/sobjects|query|queryAll)(/|\?|$)")
ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
HALTED = [
    {
        "errorCode": "PROCESSING_HALTED",
        "message": "The transaction was rolled back since another operation in the same transaction failed.",
    }
]


class Rollback(Exception):
    pass


def flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _collection_body(ctx: Ctx) -> tuple[bool, list]:
    body = ctx.request.json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SfError(400, "JSON_PARSER_ERROR", "Request body must be an object with a 'records' array")
    records = body["records"]
    if len(records) > MAX_COLLECTION:
        raise SfError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    if not records:
        raise SfError(400, "INVALID_FIELD", "No records to process")
    return flag(body.get("allOrNone")), records


def _run_all(ctx: Ctx, all_or_none: bool, items: list, save) -> list[SaveResult]:
    """Apply `save(item)` to each item; with allOrNone a single failure rolls every record back."""
    store = ctx.org.store
    results: list[SaveResult] = []
    try:
        with store.transaction():
            for item in items:
                results.append(save(item))
            if all_or_none and not all(r.success for r in results):
                raise Rollback
    except Rollback:
        results = [r if not r.success else SaveResult(None, False, (ROLLED_BACK,)) for r in results]
    return results


def _record_type(ctx: Ctx, record: object) -> str | None:
    if not isinstance(record, dict):
        return None
    attrs = record.get("attributes")
    return attrs.get("type") if isinstance(attrs, dict) else None


def _bad(code: str, message: str) -> SaveResult:
    return SaveResult(None, False, (RecordError(code, message),))


@route("POST", V + r"/composite/sobjects")
def collection_create(ctx: Ctx, version: str) -> Response:
    all_or_none, records = _collection_body(ctx)
    user, assign = str(ctx.user_id), auto_assign(ctx)

    def save(record: object) -> SaveResult:
        kind = _record_type(ctx, record)
        if kind is None:
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        return dml.create(ctx.org.store, kind, record, user_id=user, assign=assign)  # type: ignore[arg-type]

    return json_response([r.as_json() for r in _run_all(ctx, all_or_none, records, save)])


@route("PATCH", V + r"/composite/sobjects")
def collection_update(ctx: Ctx, version: str) -> Response:
    all_or_none, records = _collection_body(ctx)
    user, assign = str(ctx.user_id), auto_assign(ctx)

    def save(record: object) -> SaveResult:
        if not isinstance(record, dict):
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        values = {k: v for k, v in record.items() if k.lower() != "id"}
        rid = next((v for k, v in record.items() if k.lower() == "id"), None)
        if not rid:
            return _bad("MISSING_ARGUMENT", "Id not specified in an update call")
        return dml.update(
            ctx.org.store, _record_type(ctx, record), str(rid), values, user_id=user, assign=assign
        )

    return json_response([r.as_json() for r in _run_all(ctx, all_or_none, records, save)])


@route("PATCH", V + r"/composite/sobjects/(?P<obj>[A-Za-z][A-Za-z0-9_]*)/(?P<field>[A-Za-z][A-Za-z0-9_]*)")
def collection_upsert(ctx: Ctx, version: str, obj: str, field: str) -> Response:
    o = get_object(ctx, obj)
    all_or_none, records = _collection_body(ctx)
    user, assign = str(ctx.user_id), auto_assign(ctx)
    fd = o.field(field)
    if fd is None or not fd.id_lookup:
        raise SfError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field}"
        )

    def save(record: object) -> SaveResult:
        if not isinstance(record, dict):
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        result = dml.upsert(ctx.org.store, o.name, fd.name, record, user_id=user, assign=assign)
        if isinstance(result, list):
            return _bad(
                "DUPLICATE_EXTERNAL_ID",
                f"{fd.name}: more than one record found for external id field: {result}",
            )
        return result

    return json_response([r.as_json(upsert=True) for r in _run_all(ctx, all_or_none, records, save)])


@route("DELETE", V + r"/composite/sobjects")
def collection_delete(ctx: Ctx, version: str) -> Response:
    raw = ctx.request.param("ids") or ""
    id_list = [i.strip() for i in raw.split(",") if i.strip()]
    if not id_list:
        raise SfError(400, "MISSING_ARGUMENT", "ids parameter not specified")
    if len(id_list) > MAX_COLLECTION:
        raise SfError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    user = str(ctx.user_id)
    all_or_none = flag(ctx.request.param("allOrNone"))

    def save(rid: str) -> SaveResult:
        result = dml.delete(ctx.org.store, None, rid, user_id=user)
        if not result.success and result.errors[0].status_code == "INVALID_TYPE":
            return SaveResult(rid, False, (RecordError("MALFORMED_ID", f"malformed id {rid}"),))
        return result if result.success or result.id else SaveResult(rid, False, result.errors)

    return json_response([r.as_json() for r in _run_all(ctx, all_or_none, id_list, save)])


def _retrieve(ctx: Ctx, version: str, obj: str, id_list: list[str], fields: str | None) -> Response:
    o = get_object(ctx, obj)
    if not fields:
        raise SfError(400, "MISSING_ARGUMENT", "fields parameter not specified")
    columns = visible_columns(ctx, o, fields)
    out: list[object] = []
    for rid in id_list:
        norm = ids.normalize(rid)
        try:
            out.append(record_json(ctx, o, norm, columns, version) if norm else None)
        except SfError:
            out.append(None)
    return json_response(out)


@route("GET", V + r"/composite/sobjects/(?P<obj>[A-Za-z][A-Za-z0-9_]*)")
def collection_get(ctx: Ctx, version: str, obj: str) -> Response:
    id_list = [i for i in (ctx.request.param("ids") or "").split(",") if i]
    return _retrieve(ctx, version, obj, id_list, ctx.request.param("fields"))


@route("POST", V + r"/composite/sobjects/(?P<obj>[A-Za-z][A-Za-z0-9_]*)")
def collection_get_post(ctx: Ctx, version: str, obj: str) -> Response:
    body = ctx.request.json()
    if not isinstance(body, dict):
        raise SfError(400, "JSON_PARSER_ERROR", "Request body must be an object")
    return _retrieve(ctx, version, obj, list(body.get("ids") or []), ",".join(body.get("fields") or []))
