"""A logged-in Salesforce connection: simple-salesforce in direct mode over our own authenticated session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError

from syncapp.salesforce.auth import Credentials, Token, fetch_token, http_session
from syncapp.salesforce.errors import UnreachableError
from syncapp.salesforce.translate import translate_library_error


@dataclass(frozen=True)
class ApiUsage:
    used: int
    limit: int


class SalesforceClient:
    """One authenticated connection. Re-authenticates once when the session expires."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.http = http_session(credentials)
        self.token: Token | None = None
        self.sf: Salesforce | None = None
        self.calls = 0

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

    def limits(self) -> dict[str, Any]:
        return self._call(lambda sf: sf.limits())

    def userinfo(self) -> dict[str, Any]:
        return self._call(lambda sf: sf.oauth2("userinfo", method="GET"))

    def _call(self, action):
        if self.sf is None:
            self.connect()
        self.calls += 1
        try:
            return action(self.sf)
        except LibraryError as exc:
            raise translate_library_error(exc) from exc
        except requests.exceptions.ConnectionError as exc:
            raise UnreachableError(
                f"Lost the connection to Salesforce at {self.token.instance_url}."
            ) from exc


def connect(credentials: Credentials | None = None) -> SalesforceClient:
    """Log in with the configured credentials (or the given ones) and return a ready client."""
    return SalesforceClient(credentials or Credentials.from_settings()).connect()
