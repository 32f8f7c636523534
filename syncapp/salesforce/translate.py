"""Turn Salesforce error answers (HTTP status + errorCode) into our error classes, in one place."""

from __future__ import annotations

from simple_salesforce.exceptions import SalesforceError as LibraryError

from syncapp.salesforce.errors import (
    ConfigurationError,
    LimitReachedError,
    SalesforceError,
    SessionExpiredError,
    TransientError,
)

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


def first_error(content) -> tuple[str, str]:
    """(errorCode, message) of the first error in a Salesforce error body, whatever its shape."""
    if isinstance(content, list) and content:
        content = content[0]
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("statusCode") or content.get("error") or ""
        message = content.get("message") or content.get("error_description") or ""
        return str(code), str(message)
    return "", str(content or "")


def classify(code: str, message: str, status: int | None) -> SalesforceError:
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


def translate_library_error(exc: LibraryError) -> SalesforceError:
    code, message = first_error(getattr(exc, "content", None))
    return classify(code, message or str(exc), getattr(exc, "status", None))
