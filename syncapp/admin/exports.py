"""Streamed CSV exports: rows are written as they are read, so 100,000 of them cost no more memory than 10."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from syncapp.admin.display import readable_value
from syncapp.models import SyncError, SyncStep

# Rows fetched from the database per round trip while streaming.
CHUNK = 2000
# A cell a spreadsheet would run as a formula (values come from Salesforce and from people's input).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    text = "" if value is None else value if isinstance(value, str) else readable_value(value)
    if text == "—":
        return ""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        # The byte-order mark makes Excel read the file as UTF-8 (names with accents stay readable).
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


ERROR_HEADER = (
    "Time",
    "Failed on",
    "Error type",
    "Message",
    "Salesforce object",
    "Operation",
    "Salesforce id",
    "Person",
    "Person email",
    "Local id",
    "Fields",
    "Sync run",
    "Resolved at",
)


def sync_errors_csv(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The Sync errors list as filtered and searched on the page, every row of it, streamed."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(
            "These filters are not valid: open the list again and choose them there."
        )
    levels = dict(SyncError.Level.choices)
    operations = dict(SyncStep.Operation.choices)
    fields = (
        "occurred_at",
        "level",
        "code",
        "message",
        "sobject",
        "operation",
        "sf_id",
        "person__first_name",
        "person__last_name",
        "person__email",
        "local_id",
        "fields",
        "run__started_at",
        "resolved_at",
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        queryset = changelist.queryset.values_list(*fields)
        for row in queryset.iterator(chunk_size=CHUNK):
            (when, level, code, message, sobject, operation, sf_id, first, last, email, local_id, *rest) = row
            names, run_started, resolved = rest
            yield (
                when,
                levels.get(level, level),
                code,
                message,
                sobject,
                operations.get(operation, operation),
                sf_id,
                f"{first or ''} {last or ''}".strip(),
                email,
                local_id,
                ", ".join(names) if isinstance(names, list) else names,
                run_started,
                resolved,
            )

    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    return csv_response(filename=f"sync-errors-{stamp}.csv", header=ERROR_HEADER, rows=rows())
