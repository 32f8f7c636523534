"""Composite resources: sObject Collections, /composite (references, allOrNone) and /composite/batch."""

from __future__ import annotations

import json
import re

from sfdc_emulator import ids
from sfdc_emulator.errors import RecordError, SaveResult, SfError
from sfdc_emulator.server.rest import V, check_version, get_object, record_json, visible_columns
from sfdc_emulator.server.routing import Ctx, Response, dispatch_internal, json_response, route

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


class _Rollback(Exception):
    pass


def _flag(value: object) -> bool:
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
    return _flag(body.get("allOrNone")), records


def _run_all(ctx: Ctx, all_or_none: bool, items: list, save) -> list[SaveResult]:
    """Apply `save(item)` to each item; with allOrNone a single failure rolls every record back."""
    store = ctx.org.store
    results: list[SaveResult] = []
    try:
        with store.transaction():
            for item in items:
                results.append(save(item))
            if all_or_none and not all(r.success for r in results):
                raise _Rollback
    except _Rollback:
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
    user = str(ctx.user_id)

    def save(record: object) -> SaveResult:
        kind = _record_type(ctx, record)
        if kind is None:
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        return ctx.org.store.create(kind, record, user_id=user)  # type: ignore[arg-type]

    return json_response([r.as_json() for r in _run_all(ctx, all_or_none, records, save)])


@route("PATCH", V + r"/composite/sobjects")
def collection_update(ctx: Ctx, version: str) -> Response:
    all_or_none, records = _collection_body(ctx)
    user = str(ctx.user_id)

    def save(record: object) -> SaveResult:
        if not isinstance(record, dict):
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        values = {k: v for k, v in record.items() if k.lower() != "id"}
        rid = next((v for k, v in record.items() if k.lower() == "id"), None)
        if not rid:
            return _bad("MISSING_ARGUMENT", "Id not specified in an update call")
        return ctx.org.store.update(_record_type(ctx, record), str(rid), values, user_id=user)

    return json_response([r.as_json() for r in _run_all(ctx, all_or_none, records, save)])


@route("PATCH", V + r"/composite/sobjects/(?P<obj>[A-Za-z][A-Za-z0-9_]*)/(?P<field>[A-Za-z][A-Za-z0-9_]*)")
def collection_upsert(ctx: Ctx, version: str, obj: str, field: str) -> Response:
    o = get_object(ctx, obj)
    all_or_none, records = _collection_body(ctx)
    user = str(ctx.user_id)
    fd = o.field(field)
    if fd is None or not fd.id_lookup:
        raise SfError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field}"
        )

    def save(record: object) -> SaveResult:
        if not isinstance(record, dict):
            return _bad("INVALID_TYPE", "Must send a concrete entity type.")
        result = ctx.org.store.upsert(o.name, fd.name, record, user_id=user)
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
    all_or_none = _flag(ctx.request.param("allOrNone"))

    def save(rid: str) -> SaveResult:
        result = ctx.org.store.delete(None, rid, user_id=user)
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


# --- /composite ---------------------------------------------------------------------------------------------

_REF = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")


class _Unresolved(Exception):
    pass


def _lookup(results: dict[str, object], ref: str, path: str) -> object:
    if ref not in results:
        raise _Unresolved(ref)
    value = results[ref]
    for part in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        name, index = part
        try:
            value = value[int(index)] if index else value[name]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise _Unresolved(ref + path) from None
    return value


def _substitute(value: object, results: dict[str, object], *, in_url: bool = False) -> object:
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole and not in_url:
            return _lookup(results, whole.group(1), whole.group(2))
        return _REF.sub(lambda m: str(_lookup(results, m.group(1), m.group(2))), value)
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    return value


def _sub_url(url: str) -> str:
    if not url.startswith("/services/data/"):
        raise SfError(400, "INVALID_URL", f"The url must start with /services/data: {url}")
    return url


@route("POST", V + r"/composite")
def composite(ctx: Ctx, version: str) -> Response:
    check_version(version)
    body = ctx.request.json()
    subs = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs:
        raise SfError(400, "JSON_PARSER_ERROR", "compositeRequest must be a non-empty array")
    if len(subs) > MAX_SUBREQUESTS:
        raise SfError(
            400, "LIMIT_EXCEEDED", f"Composite API only supports up to {MAX_SUBREQUESTS} subrequests"
        )
    heavy = sum(
        1 for sub in subs if isinstance(sub, dict) and HEAVY_SUBREQUEST.search(str(sub.get("url", "")))
    )
    if heavy > MAX_HEAVY_SUBREQUESTS:
        # Salesforce: at most 5 of the 25 subrequests may be sObject Collections or queries. [doc]
        raise SfError(
            400,
            "LIMIT_EXCEEDED",
            f"Composite API only supports up to {MAX_HEAVY_SUBREQUESTS} sObject Collections or query "
            "subrequests",
        )
    seen: set[str] = set()
    for sub in subs:
        if (
            not isinstance(sub, dict)
            or not sub.get("method")
            or not sub.get("url")
            or not sub.get("referenceId")
        ):
            raise SfError(400, "JSON_PARSER_ERROR", "Each subrequest needs method, url and referenceId")
        if sub["referenceId"] in seen:
            raise SfError(400, "DUPLICATE_VALUE", f"Duplicate referenceId provided: {sub['referenceId']}")
        seen.add(sub["referenceId"])
        _sub_url(str(sub["url"]))
    all_or_none = _flag(body.get("allOrNone"))
    store = ctx.org.store
    outputs: list[dict[str, object]] = []
    results: dict[str, object] = {}
    failed = False
    try:
        with store.transaction():
            for sub in subs:
                ref = str(sub["referenceId"])
                if failed and all_or_none:
                    outputs.append(
                        {"body": HALTED, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": ref}
                    )
                    continue
                try:
                    url = str(_substitute(str(sub["url"]), results, in_url=True))
                    sub_body = _substitute(sub.get("body"), results)
                except _Unresolved as missing:
                    message = (
                        f"Invalid reference specified. No value for {missing} found in {ref}. Provided "
                        "referenceId must match a previous subrequest that succeeded."
                    )
                    error = [{"errorCode": "PROCESSING_HALTED", "message": message}]
                    outputs.append(
                        {"body": error, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": ref}
                    )
                    failed = True
                    continue
                response = _run_sub(ctx, str(sub["method"]).upper(), url, sub_body, all_or_none)
                payload = response.payload if response.body is None else response.body.decode()
                outputs.append(
                    {
                        "body": payload,
                        "httpHeaders": {k: v for k, v in response.headers.items() if k == "Location"},
                        "httpStatusCode": response.status,
                        "referenceId": ref,
                    }
                )
                if response.status >= 400:
                    failed = True
                else:
                    results[ref] = payload
            if failed and all_or_none:
                raise _Rollback
    except _Rollback:
        for out in outputs:
            if out["httpStatusCode"] < 400:  # type: ignore[operator]
                out.update({"body": HALTED, "httpHeaders": {}, "httpStatusCode": 400})
    return json_response({"compositeResponse": outputs})


def _run_sub(ctx: Ctx, method: str, url: str, body: object, all_or_none: bool) -> Response:
    if not all_or_none:
        return dispatch_internal(ctx, method, url, body)
    # Why: inside allOrNone a failing subrequest must not leave half-written rows; each runs in a savepoint.
    try:
        with ctx.org.store.transaction():
            response = dispatch_internal(ctx, method, url, body)
            if response.status >= 400:
                raise _SubFailed(response)
            return response
    except _SubFailed as failure:
        return failure.response


class _SubFailed(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


@route("POST", V + r"/composite/batch")
def batch(ctx: Ctx, version: str) -> Response:
    check_version(version)
    body = ctx.request.json()
    subs = body.get("batchRequests") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs:
        raise SfError(400, "JSON_PARSER_ERROR", "batchRequests must be a non-empty array")
    if len(subs) > MAX_SUBREQUESTS:
        raise SfError(400, "LIMIT_EXCEEDED", f"Batch API only supports up to {MAX_SUBREQUESTS} subrequests")
    for sub in subs:
        if not isinstance(sub, dict) or not sub.get("method") or not sub.get("url"):
            raise SfError(400, "JSON_PARSER_ERROR", "Each batch request needs method and url")
    halt = _flag(body.get("haltOnError"))
    results: list[dict[str, object]] = []
    has_errors = False
    for sub in subs:
        if halt and has_errors:
            results.append(
                {
                    "statusCode": 412,
                    "result": [
                        {
                            "errorCode": "BATCH_PROCESSING_HALTED",
                            "message": "Batch processing halted per request",
                        }
                    ],
                }
            )
            continue
        url = str(sub["url"]).lstrip("/")
        url = "/services/data/" + (url.split("services/data/", 1)[-1])
        payload = sub.get("richInput")
        if payload is None and sub.get("binaryPartName") is None and isinstance(sub.get("body"), str):
            payload = json.loads(sub["body"])
        response = dispatch_internal(ctx, str(sub["method"]).upper(), url, payload)
        result = response.payload if response.body is None else response.body.decode()
        results.append({"statusCode": response.status, "result": result if response.status != 204 else None})
        has_errors = has_errors or response.status >= 400
    return json_response({"hasErrors": has_errors, "results": results})
