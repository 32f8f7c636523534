"""The page a locked-out login gets (django-axes): what happened, for how long, and who can lift it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }
    # 429 Too Many Requests: a script sees it failed, and the page says so to a person.
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()
