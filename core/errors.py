"""The page a request gets when SQLite's write lock stays taken: a 503 saying to retry, not a 500."""

from __future__ import annotations

import logging
import sqlite3
import sys

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


def is_write_lock_timeout(exception: BaseException | None) -> bool:
    """SQLite gave up waiting for a lock: SQLITE_BUSY ("database is locked") or, between connections that
    share a cache (the in-memory test database), SQLITE_LOCKED."""
    if not isinstance(exception, OperationalError):
        return False
    code = getattr(exception.__cause__, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def database_busy(request: HttpRequest) -> HttpResponse:
    log.warning("%s %s: no write lock within %s s, answered 503", request.method, request.path,
                settings.SQLITE_REQUEST_BUSY_SECONDS)  # fmt: skip
    response = render(
        request,
        "admin/database_busy.html",
        {"title": "The database is busy", "back": request.path},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the views' lock timeouts are answered by core.middleware.WriteLockBusy; this catches the
    writes no view makes (the session saved after a login, the login throttle's records)."""
    if is_write_lock_timeout(sys.exc_info()[1]):
        return database_busy(request)
    return defaults.server_error(request)
