"""A logged-in Salesforce connection: simple-salesforce in direct mode over our own authenticated session.

Every call goes through `_call`, which counts API calls, re-authenticates once on an expired session,
retries transient failures with backoff, and translates errors into `syncapp.salesforce.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from syncapp.salesforce.auth import Credentials, Token, fetch_token, http_session
from syncapp.salesforce.errors import (
    SalesforceError,
    SessionExpiredError,
    TransientError,
    UnreachableError,
    classify,
    first_error,
)
from syncapp.salesforce.writes import COLLECTION_SIZE as COLLECTION_SIZE  # the push batches by it too
from syncapp.salesforce.writes import WritesMixin

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_SIZE = 2000  # Salesforce's maximum REST query batch
COMPOSITE_BATCH_LIMIT = 25
COLLECTIONS_PER_COMPOSITE = 5  # Salesforce allows 5 collection or query subrequests per /composite


@dataclass(frozen=True)
class ApiUsage:
    used: int
    limit: int


@dataclass(frozen=True)
class QueryPage:
    records: list[dict[str, Any]]
    total_size: int
    next_url: str | None


@dataclass(frozen=True)
class SubResult:
    """One answer inside a composite batch: `body` is the parsed result, or the error list on failure."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status < 400

    def error(self) -> SalesforceError:
        code, message = first_error(self.body)
        return classify(code, message, self.status)


class SalesforceClient(WritesMixin):
    """One authenticated connection to one org."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.http = http_session(credentials)
        self.token: Token | None = None
        self.sf: Salesforce | None = None
        self.calls = 0
        self.server_time: datetime | None = None  # Salesforce's clock at the last composite batch

    # --- session -------------------------------------------------------------------------------------------
    def connect(self) -> SalesforceClient:
        self.token = fetch_token(self.credentials, self.http)
        self.sf = Salesforce(
            instance_url=self.token.instance_url,
            session_id=self.token.access_token,
            session=self.http,
            version=self.credentials.api_version,
        )
        return self

    @property
    def api_usage(self) -> ApiUsage | None:
        usage = (self.sf.api_usage or {}).get("api-usage") if self.sf else None
        return ApiUsage(used=usage.used, limit=usage.total) if usage else None

    @property
    def data_path(self) -> str:
        return f"/services/data/v{self.credentials.api_version}"

    def _call(self, action: Callable[[Salesforce], T]) -> T:
        if self.sf is None:
            self.connect()
        try:
            return self._call_with_retries(action)
        except SessionExpiredError:
            # Tokens expire (or get revoked); log in again once, then give the call one more chance.
            log.info("Salesforce session expired; logging in again")
            self.connect()
            return self._call_with_retries(action)

    @retry(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(4),
        wait=wait_exponential(multiplier=0.5, max=8),
        reraise=True,
    )
    def _call_with_retries(self, action: Callable[[Salesforce], T]) -> T:
        self.calls += 1
        try:
            return action(self.sf)
        except LibraryError as exc:
            raise translate_library_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise UnreachableError(
                f"Lost the connection to Salesforce at {self.token.instance_url}: {exc}"
            ) from exc

    # --- plain REST ----------------------------------------------------------------------------------------
    def limits(self) -> dict[str, Any]:
        return self._call(lambda sf: sf.limits())

    def userinfo(self) -> dict[str, Any]:
        return self._call(lambda sf: sf.oauth2("userinfo", method="GET"))

    def change_event_selection(self) -> frozenset[str]:
        """The sObjects the org publishes change events for: Setup's Change Data Capture selection on the
        standard channel (Tooling API; the sync user needs View Setup and Configuration)."""
        soql = "SELECT SelectedEntity FROM PlatformEventChannelMember WHERE EventChannel = 'ChangeEvents'"
        result = self._call(lambda sf: sf.toolingexecute("query/", params={"q": soql}))
        return frozenset(sobject_of_event(row["SelectedEntity"]) for row in result.get("records", []))

    def describe_global(self) -> dict[str, Any]:
        return self._call(lambda sf: sf.describe())

    def describe(self, sobject: str) -> dict[str, Any]:
        return self._call(lambda sf: sf.restful(f"sobjects/{sobject}/describe"))

    def query_page(self, soql: str, *, include_deleted: bool = False) -> QueryPage:
        result = self._call(lambda sf: sf.query(soql, include_deleted=include_deleted))
        return to_page(result)

    def query_more(self, next_url: str) -> QueryPage:
        result = self._call(lambda sf: sf.query_more(next_url, identifier_is_url=True))
        return to_page(result)

    def query_all(self, soql: str, *, include_deleted: bool = False) -> Iterator[QueryPage]:
        """Every page of a query, one after another (the flows read a campaign's members this way)."""
        page = self.query_page(soql, include_deleted=include_deleted)
        yield page
        while page.next_url:
            page = self.query_more(page.next_url)
            yield page

    def count(self, sobject: str, where: str = "") -> int:
        soql = f"SELECT COUNT() FROM {sobject}" + (f" WHERE {where}" if where else "")
        return self.query_page(soql).total_size

    # --- composite -----------------------------------------------------------------------------------------
    def query_url(self, soql: str, *, include_deleted: bool = False) -> str:
        resource = "queryAll" if include_deleted else "query"
        return f"v{self.credentials.api_version}/{resource}?q={quote(soql, safe='')}"

    def composite_batch(self, requests_: list[dict[str, Any]]) -> list[SubResult]:
        """Up to 25 independent subrequests in ONE API call (`/composite/batch`), in order."""
        results: list[SubResult] = []
        for start in range(0, len(requests_), COMPOSITE_BATCH_LIMIT):
            chunk = requests_[start : start + COMPOSITE_BATCH_LIMIT]
            # simple-salesforce's own request method (not `restful`) so the response's Date header is ours.
            response = self._call(
                lambda sf, chunk=chunk: sf._call_salesforce(
                    "POST",
                    f"{sf.base_url}composite/batch",
                    name="composite/batch",
                    json={"haltOnError": False, "batchRequests": chunk},
                )
            )
            self.server_time = server_time(response) or self.server_time
            body = response.json()
            results.extend(SubResult(status=r["statusCode"], body=r.get("result")) for r in body["results"])
        return results

    def composite(self, subrequests: list[dict[str, Any]]) -> list[SubResult]:
        """Up to 25 subrequests (at most 5 of them collections or queries) in ONE API call (`/composite`).

        allOrNone is off: each subrequest commits on its own, and collections report per record.
        """
        body = self._call(
            lambda sf: sf.restful(
                "composite",
                method="POST",
                json={"allOrNone": False, "compositeRequest": subrequests},
                # Why: without it every lead write re-runs the org's assignment rule and can hand the lead to
                # another owner behind the sales team's back (REST's absent header means TRUE).
                headers={"Sforce-Auto-Assign": "FALSE"},
            )
        )
        return [SubResult(status=r["httpStatusCode"], body=r.get("body")) for r in body["compositeResponse"]]

    # --- Bulk API 2.0 query jobs ---------------------------------------------------------------------------
    def bulk_query_start(self, soql: str) -> str:
        job = self._call(
            lambda sf: sf.restful("jobs/query", method="POST", json={"operation": "query", "query": soql})
        )
        return job["id"]

    def bulk_query_state(self, job_id: str) -> dict[str, Any]:
        return self._call(lambda sf: sf.restful(f"jobs/query/{job_id}"))

    def bulk_query_results(self, job_id: str, locator: str = "", max_records: int = 50000) -> tuple[str, str]:
        """One page of CSV results and the locator of the next page ('' when this was the last)."""
        params = {"maxRecords": max_records}
        if locator:
            params["locator"] = locator

        def fetch(sf: Salesforce) -> requests.Response:
            url = f"{sf.base_url}jobs/query/{job_id}/results"
            response = self.http.get(
                url,
                params=params,
                headers={**sf.headers, "Accept": "text/csv"},
                timeout=self.credentials.timeout,
            )
            if response.status_code >= 300:
                raise_for_response(response)
            return response

        response = self._call(fetch)
        next_locator = response.headers.get("Sforce-Locator", "")
        # Bulk results are UTF-8 whatever the Content-Type says; requests would guess ISO-8859-1 for a
        # text/csv without a charset and turn every "ë" into "Ã«".
        return response.content.decode("utf-8"), "" if next_locator in ("", "null") else next_locator


def translate_library_error(exc: LibraryError) -> SalesforceError:
    """simple-salesforce's exception as ours, classified like every other answer."""
    code, message = first_error(getattr(exc, "content", None))
    return classify(code, message or str(exc), getattr(exc, "status", None))


def server_time(response: requests.Response) -> datetime | None:
    try:
        return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return None


def raise_for_response(response: requests.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    code, message = first_error(body)
    raise classify(code, message or response.text[:200], response.status_code)


def to_page(result: dict[str, Any]) -> QueryPage:
    return QueryPage(
        records=result.get("records", []),
        total_size=result.get("totalSize", 0),
        next_url=None if result.get("done", True) else result.get("nextRecordsUrl"),
    )


def sobject_of_event(selected: str) -> str:
    """`LeadChangeEvent` → `Lead`; a custom object gets its `c` back (`Invoice__ChangeEvent`)."""
    base = selected.removesuffix("ChangeEvent")
    return f"{base}c" if base.endswith("__") else base


def connect(credentials: Credentials | None = None) -> SalesforceClient:
    """Log in with the configured credentials (or the given ones) and return a ready client."""
    return SalesforceClient(credentials or Credentials.from_settings()).connect()
