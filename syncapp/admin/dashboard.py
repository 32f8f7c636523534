"""The sync dashboard on the admin's home page: its context, the live cycle poll, the switch, "Sync now"."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from syncapp import services
from syncapp.admin.display import duration_text
from syncapp.selectors import dashboard

VIEW_PERMISSION = "syncapp.view_syncrun"
# Switching the sync and starting cycles is for sync administrators, as on the Sync runs page.
CONTROL_PERMISSION = "syncapp.change_syncsettings"
POLL_SECONDS = 5

# The API gauge is a half circle of radius 50: its length, for the stroke-dasharray that fills it.
GAUGE_LENGTH = round(math.pi * 50, 2)
CHART_WIDTH, CHART_HEIGHT = 600, 60


def can_view(user: AbstractBaseUser) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


def can_control(user: AbstractBaseUser) -> bool:
    return can_view(user) and user.has_perm(CONTROL_PERMISSION)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    if not can_view(request.user):
        return {"dashboard": False, "title": "Salesforce sync"}
    now = timezone.now()
    usage = dashboard.api_usage(now=now)
    return {
        "dashboard": True,
        "can_control": can_control(request.user),
        "poll_seconds": POLL_SECONDS,
        **cycle_context(now=now),
        "cycles": dashboard.recent_cycles(),
        "status_rows": dashboard.status_table(since=now - dashboard.DAY),
        "backlog": dashboard.backlog(),
        "usage": usage,
        "gauge": gauge(usage.percent),
        "chart": chart(usage.per_cycle, now=now),
        "errors": dashboard.open_errors(),
        "listener": dashboard.listener_panel(now=now),
    }


def cycle_context(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    current = dashboard.current_cycle(now=now)
    return {
        "current": current,
        "eta_text": duration_words(current.eta) if current.eta else "",
        "running_for": duration_text(current.run.started_at, now) if current.run else "",
        "next_in": duration_words(current.next_cycle_at - now) if current.next_cycle_at else "",
    }


def duration_words(delta: timedelta) -> str:
    """ "less than a minute", "about 4 min", "about 2 h 10 min": an estimate, worded as one."""
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes:02d} min"


def gauge(percent: float | None) -> dict[str, object]:
    filled = 0.0 if percent is None else round(GAUGE_LENGTH * min(100.0, percent) / 100, 2)
    level = "ok"
    if percent is not None and percent >= 90:
        level = "error"
    elif percent is not None and percent >= 70:
        level = "pending"
    return {"length": GAUGE_LENGTH, "filled": filled, "level": level}


def chart(per_cycle: list[tuple[datetime, int]], *, now: datetime) -> dict[str, object]:
    """Bars of API calls per cycle over the last day, placed by start time: an SVG drawn on the server, in one
    string (288 cycles a day would otherwise be 1,500 template variables)."""
    since = now - dashboard.DAY
    peak = max((calls for _, calls in per_cycle), default=0)
    bars = []
    for started, calls in per_cycle:
        x = min(CHART_WIDTH - 2, max(0.0, (started - since) / dashboard.DAY * CHART_WIDTH))
        height = max(1.0, CHART_HEIGHT * calls / peak) if peak else 1.0
        title = f"{timezone.localtime(started):%Y-%m-%d %H:%M}: {calls:,} API calls"
        bars.append((round(x, 1), round(CHART_HEIGHT - height, 1), round(height, 1), title))
    svg = format_html_join("", '<rect x="{}" y="{}" width="2" height="{}"><title>{}</title></rect>', bars)
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": svg, "count": len(bars), "peak": peak}


# --- views --------------------------------------------------------------------------------------------------
def cycle_json(request: HttpRequest) -> HttpResponse:
    """The current cycle for the dashboard's poll: the panel's HTML and its numbers."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not can_view(request.user):
        raise PermissionDenied
    context = cycle_context()
    current = context["current"]
    html = render_to_string("admin/syncapp/dashboard/cycle.html", context, request=request)
    return JsonResponse(
        {
            "running": current.run is not None,
            "run": current.run.pk if current.run else None,
            "done": current.done,
            "total": current.total,
            "percent": current.percent,
            "html": html,
        }
    )


def switch_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_control(request.user):
        raise PermissionDenied
    wanted = request.POST.get("enabled")
    if wanted not in ("on", "off"):
        return HttpResponseBadRequest("Say enabled=on or enabled=off.")
    services.sync_switch(enabled=wanted == "on", actor=f"admin: {request.user.get_username()}")
    if wanted == "on":
        text = "The sync is on: the next cycle starts once the pause since the last one has passed."
    else:
        text = (
            "The sync is off: a cycle already running finishes, and no new cycle starts until you switch "
            "it on."
        )
    messages.success(request, text)
    return HttpResponseRedirect(reverse("admin:index"))


def sync_now_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_control(request.user):
        raise PermissionDenied
    services.sync_cycle_request()
    messages.success(
        request,
        "A sync cycle was queued: it starts as soon as a worker is free (after any cycle still running).",
    )
    return HttpResponseRedirect(reverse("admin:index"))
