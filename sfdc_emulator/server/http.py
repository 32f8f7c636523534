"""Requests, responses, the route table and the `route` decorator every route module registers with.

Registering routes (server/routing.py lists every route module, so each is imported at start-up):

    from sfdc_emulator.server.http import Ctx, Response, json_response, route

    @route("POST", r"/services/data/v(?P<version>\\d+\\.\\d+)/jobs/ingest")
    def create_job(ctx: Ctx, version: str) -> Response:
        ...  # ctx.org (Org), ctx.request, ctx.user_id, ctx.base_url; raise SfError for Salesforce errors

- Patterns are full-match regexes on the raw path without its trailing slash (a trailing `/` is optional
  everywhere, spec §1.2); named groups arrive percent-decoded as keyword arguments.
- `auth="session"` (default) requires `Authorization: Bearer <token>` (or `X-SFDC-Session`) and answers the
  Salesforce 401 otherwise; `auth="none"` leaves authentication to the handler (SOAP, OAuth).
- `counts=True` (default) counts the call against the daily API limit (403 REQUEST_LIMIT_EXCEEDED past it).
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote

from sfdc_emulator.org.errors import RecordFailure, SfError

if TYPE_CHECKING:
    from sfdc_emulator.org.org import Org

log = logging.getLogger("sfdc_emulator")
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str  # raw (still percent-encoded), without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    scheme: str = "https"
    host: str = "127.0.0.1"
    client_ip: str = "127.0.0.1"

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> object:
        """The parsed JSON body, or 400 JSON_PARSER_ERROR like Salesforce."""
        if not self.body.strip():
            raise SfError(400, "JSON_PARSER_ERROR", "The request body is empty.")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SfError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    @classmethod
    def build(cls, method: str, target: str, headers: dict[str, str], body: bytes, **kw: str) -> Request:
        path, _, query = target.partition("?")
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qs(query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            **kw,
        )


@dataclass
class Response:
    status: int = 200
    payload: object = None  # JSON-serialisable; ignored when `body` is set
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE

    def encode(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.status == 204 or (self.payload is None and self.status != 200):
            return b""
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, payload=payload, headers=headers or {})


def error_response(error: SfError) -> Response:
    return Response(status=error.status, payload=error.body())


def no_content() -> Response:
    return Response(status=204)


@dataclass
class Ctx:
    org: Org
    request: Request
    user_id: str | None = None
    token: str | None = None
    internal: bool = False  # a Composite subrequest (already authenticated and counted)

    @property
    def base_url(self) -> str:
        return f"{self.request.scheme}://{self.request.host}"


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: str
    counts: bool


ROUTES: list[Route] = []


def route(
    method: str, pattern: str, *, auth: str = "session", counts: bool = True
) -> Callable[[Handler], Handler]:
    """Register `handler` for `method` on paths fully matching `pattern` (see module docstring)."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method.upper(), re.compile(pattern), handler, auth, counts))
        return handler

    return register


def find_route(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """The matching route and its decoded groups; else None and the methods the path allows."""
    path = path.rstrip("/") or "/"
    allowed: list[str] = []
    for r in ROUTES:
        m = r.pattern.fullmatch(path)
        if m is None:
            continue
        if r.method == method:
            return r, {k: unquote(v) for k, v in m.groupdict().items() if v is not None}, []
        allowed.append(r.method)
    return None, {}, allowed


def bearer_token(request: Request) -> str | None:
    auth = request.header("authorization") or ""
    if auth[:7].lower() == "bearer " or auth[:6].lower() == "oauth ":
        return auth.split(" ", 1)[1].strip()
    return request.header("x-sfdc-session") or request.param("oauth_token")


INVALID_SESSION = SfError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def run_handler(route_: Route, ctx: Ctx, groups: dict[str, str]) -> Response:
    try:
        return route_.handler(ctx, **groups)
    except SfError as error:
        return error_response(error)
    except RecordFailure as failure:
        return Response(status=failure.status, payload=[e.as_rest() for e in failure.errors])
    except Exception:
        # Why: the emulator never answers a traceback; a real bug still shows up as UNKNOWN_EXCEPTION + a log.
        log.error(
            "unhandled error on %s %s\n%s", ctx.request.method, ctx.request.path, traceback.format_exc()
        )
        return error_response(
            SfError(
                500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId: EMU-1"
            )
        )


# Headers a Composite subrequest takes from the outer request unless its own `httpHeaders` set them: the
# assignment header of a composite call of collections applies to their records [unverified, spec §9].
INHERITED_HEADERS = ("sforce-auto-assign",)


def dispatch_internal(
    ctx: Ctx, method: str, target: str, body: object | None, headers: dict[str, object] | None = None
) -> Response:
    """Run a Composite subrequest as the caller: same user, no extra auth or API count."""
    raw = b"" if body is None else json.dumps(body).encode()
    sub_headers = {k: v for k, v in ctx.request.headers.items() if k in INHERITED_HEADERS}
    sub_headers.update({str(k).lower(): str(v) for k, v in (headers or {}).items()})
    sub_headers["content-type"] = "application/json"
    request = Request.build(
        method,
        target,
        sub_headers,
        raw,
        scheme=ctx.request.scheme,
        host=ctx.request.host,
        client_ip=ctx.request.client_ip,
    )
    route_, groups, allowed = find_route(request.method, request.path)
    if route_ is None or route_.auth != "session":
        if allowed:
            return error_response(SfError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed."))
        return error_response(SfError(404, "NOT_FOUND", "The requested resource does not exist"))
    sub = Ctx(org=ctx.org, request=request, user_id=ctx.user_id, token=ctx.token, internal=True)
    return run_handler(route_, sub, groups)
