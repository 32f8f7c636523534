"""Turn simple-salesforce's status-code exceptions into our error classes, reading Salesforce's errorCode."""

from __future__ import annotations

from simple_salesforce.exceptions import SalesforceError as LibraryError
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from syncapp.salesforce.errors import (
    ConfigurationError,
    LimitReachedError,
    SalesforceError,
    SessionExpiredError,
    TransientError,
)

TRANSIENT_CODES = {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT", "REQUEST_RUNNING_TOO_LONG"}
CONFIGURATION_CODES = {"INVALID_FIELD", "INVALID_TYPE", "INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG"}


def first_error(content) -> tuple[str, str]:
    """(errorCode, message) of the first error in a Salesforce error body, whatever its shape."""
    if isinstance(content, list) and content:
        content = content[0]
    if isinstance(content, dict):
        return str(content.get("errorCode", "")), str(content.get("message", ""))
    return "", str(content or "")


def translate_library_error(exc: LibraryError) -> SalesforceError:
    code, message = first_error(getattr(exc, "content", None))
    status = getattr(exc, "status", None)
    text = message or str(exc)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return LimitReachedError(f"Salesforce's daily API limit is reached: {text}", code=code, status=status)
    if isinstance(exc, SalesforceExpiredSession) or code == "INVALID_SESSION_ID":
        return SessionExpiredError(f"The Salesforce session expired: {text}", code=code, status=status)
    if code in TRANSIENT_CODES or (isinstance(exc, SalesforceGeneralError) and (status or 500) >= 500):
        return TransientError(f"Salesforce is busy ({code or status}): {text}", code=code, status=status)
    if code in CONFIGURATION_CODES or isinstance(exc, SalesforceResourceNotFound | SalesforceRefusedRequest):
        return ConfigurationError(
            f"Salesforce refused the request ({code or status}): {text}", code=code, status=status
        )
    if isinstance(exc, SalesforceMalformedRequest):
        return ConfigurationError(
            f"Salesforce rejected the request ({code}): {text}", code=code, status=status
        )
    return SalesforceError(f"Salesforce error ({code or status}): {text}", code=code, status=status)
