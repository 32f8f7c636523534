"""Filters the dashboard and the activity log use: one date format and counts with their noun."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.db import models
from django.utils.safestring import SafeString

from syncapp.admin.display import duration_text, short_datetime, status_badge

register = template.Library()


@register.filter
def when(value: datetime | None) -> SafeString:
    """The admin's one date format: `2026-11-30 14:05` in local time, the long form on hover."""
    return short_datetime(value)


@register.filter
def number(value: int | float | None) -> str:
    return "—" if value is None else f"{value:,}"


@register.filter
def counted(value: int | None, nouns: str) -> str:
    """`4|counted:"entry,entries"` → "4 entries"; "1 entry"."""
    singular, _, plural = nouns.partition(",")
    value = value or 0
    return f"{value:,} {singular if value == 1 else (plural or singular + 's')}"


@register.filter
def badge(obj: models.Model, field: str = "status") -> SafeString:
    return status_badge(obj, field)


@register.filter
def took(obj: models.Model) -> str:
    """How long a run or step took: "3 min 05 s"."""
    return duration_text(obj.started_at, obj.finished_at)
