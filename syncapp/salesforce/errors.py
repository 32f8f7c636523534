"""Salesforce failures, classified once into the few kinds the sync engine reacts to differently."""

from __future__ import annotations


class SalesforceError(Exception):
    """Base class: `message` is a sentence a marketer or an operator can act on."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


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
