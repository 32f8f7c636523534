"""Project-wide request hygiene that no view should have to repeat."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

# U+2400 SYMBOL FOR NULL: what a page shows where a value holds a NUL.
NUL_SYMBOL = "\u2400".encode()


class NulCharacters:
    """NUL characters: refused in a querystring (400), shown as ␀ in a page.

    No field we filter or search on can hold one (PostgreSQL refuses them in text), and a view that echoes
    its querystring (every admin list keeps its filters in links and hidden inputs) would put a raw NUL
    into the page. Values from Salesforce may hold one (an integration wrote it); HTML cannot carry it (a
    browser shows U+FFFD and sends that back), so every page shows the symbol for NUL instead, and the edit
    forms read the symbol back as the NUL it stands for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise BadRequest("The address holds a NUL character.")
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and b"\x00" in response.content
        ):
            response.content = response.content.replace(b"\x00", NUL_SYMBOL)
        return response


class WriteLockBusy:
    """SQLite's one write lock, seen from a web request: a shorter wait for it, then a clear 503, never a 500.

    During a big initial load the worker holds the lock for long stretches (one CREATE INDEX is one
    transaction). A request's writes are one transaction (the admin's views, a flow click with its queued
    task), so when the wait runs out nothing of the click was saved, and the page says so and when to retry.
    """

    RETRY_AFTER_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "sqlite":
            return self.get_response(request)
        _set_busy_timeout(settings.SQLITE_REQUEST_BUSY_SECONDS)
        try:
            return self.get_response(request)
        finally:
            # Where the connection outlives the request (the test client's), its next user may not be one.
            if connection.connection is not None:
                _set_busy_timeout(settings.SQLITE_BUSY_SECONDS)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_write_lock_timeout(exception):
            return None
        log.warning("%s %s: no write lock within %s s, answered 503", request.method, request.path,
                    settings.SQLITE_REQUEST_BUSY_SECONDS)  # fmt: skip
        response = render(
            request,
            "admin/database_busy.html",
            {"title": "The database is busy", "retry_minutes": 1, "back": request.path},
            status=503,
        )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


def is_write_lock_timeout(exception: BaseException) -> bool:
    """SQLite gave up waiting for a lock: SQLITE_BUSY ("database is locked") or, between connections that
    share a cache (the in-memory test database), SQLITE_LOCKED."""
    if not isinstance(exception, OperationalError):
        return False
    code = getattr(exception.__cause__, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _set_busy_timeout(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
