"""Project-wide request hygiene that no view should have to repeat."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse

from core.errors import database_busy, is_write_lock_timeout

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
        return database_busy(request) if is_write_lock_timeout(exception) else None


def _set_busy_timeout(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
