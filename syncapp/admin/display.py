"""Small HTML helpers shared by the admin modules: badges, links, progress bars, readable values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote as iri_quote
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import quote as admin_quote
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

EMPTY = format_html('<span class="sync-muted">{}</span>', "—")

# Badge colour per status value, across the models that carry one (runs, steps, flows, outbox, activity).
BADGE_KIND = {
    "success": "ok",
    "succeeded": "ok",
    "sent": "ok",
    "done": "ok",
    "skipped": "pending",
    "pending": "pending",
    "queued": "pending",
    "running": "running",
    "in_progress": "running",
    "incomplete": "pending",
    "not_started": "neutral",
    "superseded": "neutral",
    "failed": "error",
    "rejected": "error",
}


def badge(label: str, kind: str) -> SafeString:
    return format_html('<span class="sync-badge sync-badge--{}">{}</span>', kind, label)


def status_badge(obj: models.Model, field: str = "status") -> SafeString:
    """A coloured badge for a choices field, coloured by its stored value."""
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    return badge(label, BADGE_KIND.get(value, "neutral"))


def change_url(obj: models.Model) -> str | None:
    return change_url_of(obj._meta.label_lower, obj.pk)


def change_url_of(label: str, pk: object, current_app: str | None = None) -> str | None:
    """`reverse` of a model's admin change URL, from a pattern resolved once per model: a list links every
    row, its owner and its account, and resolving each of those 150 links anew was a tenth of its time."""
    pattern = _change_url_pattern(label, get_script_prefix(), get_urlconf(), current_app)
    if pattern is None:
        return None
    # The admin's own quoting of a pk (a "/" or "_" in it), then the one `reverse` gives an argument.
    return pattern.replace(PK_PLACEHOLDER, iri_quote(str(admin_quote(pk)), safe=RFC3986_SUBDELIMS + "/~:@"))


PK_PLACEHOLDER = "pk-placeholder-0"


@lru_cache(maxsize=256)
def _change_url_pattern(label: str, prefix: str, urlconf: str | None, current_app: str | None) -> str | None:
    # `reverse` reads the script prefix and the URLconf too: they are part of the cache key.
    app_label, model_name = label.split(".")
    try:
        return reverse(
            f"admin:{app_label}_{model_name}_change", args=[PK_PLACEHOLDER], current_app=current_app
        )
    except NoReverseMatch:
        return None


def admin_link(obj: models.Model | None, text: object = None) -> SafeString | str:
    if obj is None:
        return EMPTY
    url = change_url(obj)
    label = str(obj) if text is None else text
    return format_html('<a href="{}">{}</a>', url, label) if url else str(label)


def changelist_url(model: type[models.Model], **params: object) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def lookup_link(obj: models.Model, field: str) -> SafeString | str:
    """A Salesforce lookup (an id without a database constraint) as a link, or the raw id if not mirrored.

    The target may be missing: pulled later in the cycle, hidden from the sync user, or deleted. With
    list_select_related the join yields None; on a change page the access raises DoesNotExist.
    """
    raw_id = getattr(obj, obj._meta.get_field(field).attname)
    if not raw_id:
        return EMPTY
    try:
        target = getattr(obj, field)
    except ObjectDoesNotExist:
        target = None
    if target is None:
        return format_html('<span class="sync-dangling" title="{}">{}</span>', "not mirrored locally", raw_id)
    return admin_link(target)


def short_datetime(value: datetime | None) -> SafeString:
    """A compact, unambiguous local time for narrow list columns; seconds and time zone on hover."""
    if value is None:
        return EMPTY
    local = localtime(value)
    # strftime, not date_format: the format is fixed and numeric, and date_format's lookups of the active
    # language's formats cost more than the rest of the cell.
    return format_html(
        '<span class="sync-nowrap" title="{}">{}</span>',
        f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip(),
        f"{local:%Y-%m-%d %H:%M}",
    )


@admin.display(description="modified in SF", ordering="sf_modstamp")
def modified_column(model_admin: admin.ModelAdmin, obj: models.Model) -> SafeString:
    """A list column for any mirrored record: `modified = modified_column` in the ModelAdmin."""
    return short_datetime(obj.sf_modstamp)


def progress_bar(done: int | None, total: int | None) -> SafeString:
    if not total:
        return format_html("{}", f"{done or 0:,}")
    percent = min(100, round(100 * (done or 0) / total))
    return format_html(
        '<progress class="sync-progress" value="{}" max="{}"></progress> {} / {} ({}%)',
        done or 0,
        total,
        f"{done or 0:,}",
        f"{total:,}",
        percent,
    )


def duration_text(started: datetime | None, finished: datetime | None) -> str:
    if not started or not finished:
        return ""
    seconds = max(0, round((finished - started) / timedelta(seconds=1)))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def readable_value(value: Any) -> str:
    """A stored JSON value as a marketer reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


UNSENT_LABEL = {"pending": ("pending", "pending"), "rejected": ("rejected", "error")}


def sf_field_rows(
    fields: Mapping[str, Any] | None, unsent: Mapping[str, Any] | None = None
) -> list[dict[str, object]]:
    """The record's Salesforce fields by API name (`selectors.salesforce_fields_for`), sorted, custom fields
    marked.

    `value` is what Salesforce holds. A field with a local edit Salesforce does not hold (`unsent`: API name →
    its pending or rejected outbox row) shows the row's base value there, and the local value beside it,
    labelled pending or rejected with Salesforce's message.
    """
    fields = fields or {}
    unsent = unsent or {}
    rows = []
    for name in sorted({*fields, *unsent}, key=str.lower):
        # REST records carry an "attributes" envelope (type and url): it is not a field.
        if name == "attributes":
            continue
        change = unsent.get(name)
        value = change.base_value if change is not None else fields.get(name)
        row: dict[str, object] = {
            "name": name,
            "value": readable_value(value),
            "empty": value in (None, ""),
            "custom": name.endswith("__c"),
        }
        if change is not None:
            label, kind = UNSENT_LABEL.get(change.state, (change.state, "neutral"))
            row.update(local=readable_value(change.new_value), state=label, kind=kind, message=change.error)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Panel:
    """A small read-only table with a link to the full, filtered list."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty_text: str = "None."
