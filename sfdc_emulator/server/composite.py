"""Composite resources: /composite (subrequests with references, allOrNone) and /composite/batch."""

from __future__ import annotations

import json
import re

from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.collections import Rollback, flag
from sfdc_emulator.server.http import Ctx, Response, dispatch_internal, json_response, route
from sfdc_emulator.server.rest import V, check_version

MAX_SUBREQUESTS = 25
MAX_HEAVY_SUBREQUESTS = 5
HEAVY_SUBREQUEST = re.compile(r"/(composite/sobjects|query|queryAll)(/|\?|$)")
HALTED = [
    {
        "errorCode": "PROCESSING_HALTED",
        "message": "The transaction was rolled back since another operation in the same transaction failed.",
    }
]

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
    all_or_none = flag(body.get("allOrNone"))
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
                headers = sub.get("httpHeaders") if isinstance(sub.get("httpHeaders"), dict) else None
                response = _run_sub(ctx, str(sub["method"]).upper(), url, sub_body, all_or_none, headers)
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
                raise Rollback
    except Rollback:
        for out in outputs:
            if out["httpStatusCode"] < 400:  # type: ignore[operator]
                out.update({"body": HALTED, "httpHeaders": {}, "httpStatusCode": 400})
    return json_response({"compositeResponse": outputs})


def _run_sub(
    ctx: Ctx, method: str, url: str, body: object, all_or_none: bool, headers: dict | None
) -> Response:
    if not all_or_none:
        return dispatch_internal(ctx, method, url, body, headers)
    # Why: inside allOrNone a failing subrequest must not leave half-written rows; each runs in a savepoint.
    try:
        with ctx.org.store.transaction():
            response = dispatch_internal(ctx, method, url, body, headers)
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
    halt = flag(body.get("haltOnError"))
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
