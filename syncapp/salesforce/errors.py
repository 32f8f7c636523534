"""Salesforce failures, classified once into the few kinds the sync engine reacts to differently.

Every answer Salesforce gives, whether a failed request, a failed subrequest of a composite call or one
record's errors in a collection, goes through `classify` here and nowhere else.
"""

from __future__ import annotations

from typing import Any


class SalesforceError(Exception):
    """Base class: `message` is a sentence a marketer or an operator can act on."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.detail = message  # Salesforce's own words, without our sentence around them
        self.fields: list[str] = []  # the fields a record-level error names


class ConfigurationError(SalesforceError):
    """Settings or credentials are wrong (bad client id, unknown field): retrying will not help."""


class AuthenticationError(ConfigurationError):
    """Salesforce refused the login."""


class SessionExpiredError(SalesforceError):
    """The access token was rejected: log in again once, then retry."""


class TransientError(SalesforceError):
    """Worth retrying later: UNABLE_TO_LOCK_ROW, 5xx, timeouts, connection resets."""


class LimitReachedError(SalesforceError):
    """REQUEST_LIMIT_EXCEEDED: the org's daily API allowance is spent; the cycle stops cleanly."""


class UnreachableError(TransientError):
    """No answer from Salesforce at all (DNS, refused connection, TLS)."""


class UnavailableError(TransientError):
    """Salesforce answered but could not serve the request (HTTP 5xx: maintenance, an outage)."""


TRANSIENT_CODES = {
    "UNABLE_TO_LOCK_ROW",
    "SERVER_UNAVAILABLE",
    "QUERY_TIMEOUT",
    "REQUEST_RUNNING_TOO_LONG",
    "UNKNOWN_EXCEPTION",
}
CONFIGURATION_CODES = {
    "INVALID_FIELD",
    "INVALID_TYPE",
    "INSUFFICIENT_ACCESS",
    "API_DISABLED_FOR_ORG",
    "NOT_FOUND",
    "MALFORMED_QUERY",
    "INVALID_QUERY_LOCATOR",
}


def first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) of the first error in a Salesforce error body, whatever its shape."""
    if isinstance(content, list) and content:
        content = content[0]
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("statusCode") or content.get("error") or ""
        message = content.get("message") or content.get("error_description") or ""
        return str(code), str(message)
    return "", str(content or "")


def classify(code: str, message: str, status: int | None) -> SalesforceError:
    """The error class for Salesforce's errorCode / statusCode and HTTP status (None for one record's
    error inside a collection result)."""
    text = message or code or f"HTTP {status}"
    if code == "REQUEST_LIMIT_EXCEEDED":
        return LimitReachedError(f"Salesforce's daily API limit is reached: {text}", code=code, status=status)
    if code == "INVALID_SESSION_ID" or status == 401:
        return SessionExpiredError(f"The Salesforce session expired: {text}", code=code, status=status)
    if code in TRANSIENT_CODES or (status or 0) >= 500 or status in (408, 429):
        return TransientError(f"Salesforce is busy ({code or status}): {text}", code=code, status=status)
    if code in CONFIGURATION_CODES or status in (403, 404):
        return ConfigurationError(
            f"Salesforce refused the request ({code or status}): {text}", code=code, status=status
        )
    return SalesforceError(f"Salesforce error ({code or status}): {text}", code=code, status=status)


def record_error(errors: list[dict[str, Any]]) -> SalesforceError:
    """One record's errors in an sObject Collections result, as one classified error: `detail` holds
    Salesforce's messages joined, `fields` the fields they name."""
    errors = errors or [{}]
    code = errors[0].get("statusCode", "")
    detail = "; ".join(e.get("message", "") for e in errors)
    error = classify(code, detail, None)
    error.detail = detail
    error.fields = sorted({f for e in errors for f in e.get("fields") or []})
    return error


def is_retryable(error: SalesforceError) -> bool:
    """Worth sending again later (a locked row, a busy org, an expired session), not a rejection."""
    return isinstance(error, TransientError | SessionExpiredError)
