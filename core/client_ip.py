"""The client's address behind one TLS-terminating proxy, for login throttling (BEHIND_HTTPS_PROXY=true)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The last address in X-Forwarded-For: the one our proxy appended, which the client cannot forge.

    Earlier entries come from the client or proxies we do not run, so they are never trusted.
    """
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-1] if forwarded else request.META.get("REMOTE_ADDR")
