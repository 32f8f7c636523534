"""Query and QueryAll with query locators: 2,000 records per page, `Sforce-Query-Options: batchSize=N`.

Locators live in memory (`01g…-<offset>`), resolvable under both /query/ and /queryAll/ because jsforce
rebuilds
the URL from the last path segment (spec §3.13). Pages are fetched with the compiler's keyset pager, so deep
pages never rescan. Unknown or expired locators answer 400 INVALID_QUERY_LOCATOR [unverified status].
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sfdc_emulator.org import ids
from sfdc_emulator.org.errors import SfError
from sfdc_emulator.server.http import Ctx, Response, json_response, route
from sfdc_emulator.server.rest import V, check_version
from sfdc_emulator.soql.columns import query_columns
from sfdc_emulator.soql.compiler import CompiledQuery, compile_query
from sfdc_emulator.soql.errors import SoqlError

MAX_PAGE = 2000
MIN_BATCH = 200
LOCATOR_IDLE_SECONDS = 15 * 60
MAX_LOCATORS = 1000
_counter = itertools.count(1)


@dataclass
class Locator:
    key: str
    user_id: str
    compiled: CompiledQuery
    page_size: int
    total: int
    delivered: int = 0
    last_key: tuple[object, ...] | None = None
    touched: float = field(default_factory=time.monotonic)


class LocatorStore:
    def __init__(self) -> None:
        self._items: OrderedDict[str, Locator] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, loc: Locator) -> None:
        with self._lock:
            self._items[loc.key] = loc
            while len(self._items) > MAX_LOCATORS:
                self._items.popitem(last=False)

    def get(self, key: str) -> Locator | None:
        with self._lock:
            loc = self._items.get(key)
            if loc is None or time.monotonic() - loc.touched > LOCATOR_IDLE_SECONDS:
                self._items.pop(key, None)
                return None
            loc.touched = time.monotonic()
            self._items.move_to_end(key)
            return loc

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


LOCATORS = LocatorStore()


def page_size(ctx: Ctx) -> int:
    size = int(ctx.org.store.get_setting("query_page_size", MAX_PAGE) or MAX_PAGE)  # type: ignore[arg-type]
    options = ctx.request.header("sforce-query-options") or ""
    match = re.search(r"batchSize\s*=\s*(\d+)", options, re.IGNORECASE)
    if match:
        size = max(MIN_BATCH, min(MAX_PAGE, int(match.group(1))))
    return size


def compile_for(ctx: Ctx, soql: str, *, include_deleted: bool, version: str) -> CompiledQuery:
    access = ctx.org.store.security.access(ctx.user_id)
    try:
        return compile_query(
            soql,
            ctx.org.schema,
            visible=access.visible,
            include_deleted=include_deleted,
            now=ctx.org.clock.now(),
            api_version=version,
        )
    except SoqlError as error:
        raise SfError(400, error.error_code, error.message) from None


def run_query(ctx: Ctx, soql: str | None, *, include_deleted: bool, version: str) -> dict[str, object]:
    """The first page of a query as REST returns it (used by /query, /queryAll and Composite)."""
    if not soql or not soql.strip():
        raise SfError(400, "MALFORMED_QUERY", "A query string has to be specified")
    compiled = compile_for(ctx, soql, include_deleted=include_deleted, version=version)
    store = ctx.org.store
    total_row = store.fetchone(compiled.count_sql, compiled.count_params)
    total = int(total_row[0]) if total_row else 0
    if compiled.is_count:
        return {"totalSize": total, "done": True, "records": []}
    if compiled.pager is None:
        rows = store.fetchall(compiled.sql, compiled.params)
        build = compiled.row_to_record
        return {
            "totalSize": total if not compiled.is_aggregate else len(rows),
            "done": True,
            "records": [build(r) for r in rows],
        }
    key = ids.make_id(ids.QUERY_LOCATOR_PREFIX, next(_counter))
    loc = Locator(key, str(ctx.user_id), compiled, page_size(ctx), total)
    return next_page(ctx, loc, version, register=True)


def next_page(ctx: Ctx, loc: Locator, version: str, *, register: bool = False, offset: int | None = None):
    compiled, pager = loc.compiled, loc.compiled.pager
    assert pager is not None
    if offset is not None and offset != loc.delivered:
        loc.delivered, loc.last_key = offset, None  # random access: fall back to OFFSET for this page
    remaining = loc.total - loc.delivered
    size = max(0, min(loc.page_size, remaining))
    rows: list = []
    if size:
        if pager.keyset and loc.last_key is not None:
            sql, params = pager.page_sql(size, after=loc.last_key)
        else:
            sql, params = pager.page_sql(size, skip=loc.delivered)
        rows = ctx.org.store.fetchall(sql, params)
    if rows and pager.keyset:
        loc.last_key = pager.page_key(rows[-1])
    loc.delivered += len(rows)
    build = compiled.record_builder(version)
    done = loc.delivered >= loc.total or len(rows) < size or not rows
    out: dict[str, object] = {"totalSize": loc.total, "done": done}
    if done:
        LOCATORS.drop(loc.key)
    else:
        out["nextRecordsUrl"] = f"/services/data/v{version}/query/{loc.key}-{loc.delivered}"
        if register:
            LOCATORS.add(loc)
    out["records"] = [build(r) for r in rows]
    return out


def column_metadata(ctx: Ctx, soql: str | None, *, version: str) -> dict[str, object]:
    """`columns=true`: the query's column metadata instead of its rows (what `sf data query` asks second)."""
    if not soql or not soql.strip():
        raise SfError(400, "MALFORMED_QUERY", "A query string has to be specified")
    compile_for(ctx, soql, include_deleted=False, version=version)  # the same errors as the query itself
    access = ctx.org.store.security.access(ctx.user_id)
    return query_columns(soql, ctx.org.schema, visible=access.visible, editable=access.editable)


@route("GET", V + r"/(?P<kind>query|queryAll)")
def query(ctx: Ctx, version: str, kind: str) -> Response:
    check_version(version)
    if kind == "query" and (ctx.request.param("columns") or "").lower() == "true":
        return json_response(column_metadata(ctx, ctx.request.param("q"), version=version))
    return json_response(
        run_query(ctx, ctx.request.param("q"), include_deleted=kind == "queryAll", version=version)
    )


@route("GET", V + r"/(?:query|queryAll)/(?P<locator>[^/]+)")
def query_more(ctx: Ctx, version: str, locator: str) -> Response:
    key, _, offset_text = locator.partition("-")
    loc = LOCATORS.get(key)
    if loc is None or loc.user_id != ctx.user_id or (offset_text and not offset_text.isdigit()):
        raise SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    offset = int(offset_text) if offset_text else loc.delivered
    if offset > loc.total:
        raise SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return json_response(next_page(ctx, loc, version, offset=offset))
