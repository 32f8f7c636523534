"""The admin site: the sync dashboard as its home page and the models grouped as a marketer thinks.

It lives outside `syncapp.admin` on purpose: Django builds the default site while that package is being
imported (its modules register on it), so the class must be importable without importing the package.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path


class SyncAdminSite(admin.AdminSite):
    site_header = "syncapp · Salesforce sync"
    site_title = "syncapp"
    index_title = "Sync dashboard"
    index_template = "admin/syncapp/dashboard/index.html"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        if app_label:  # an application's own page lists its models as Django does
            return super().get_app_list(request, app_label)
        from syncapp.admin.groups import grouped_app_list

        return grouped_app_list(request, self._build_app_dict(request))

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from syncapp.admin.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def get_urls(self) -> list[URLPattern | URLResolver]:
        from syncapp.admin import dashboard

        urls = [
            path("dashboard/cycle.json", self.admin_view(dashboard.cycle_json), name="dashboard_cycle"),
            path("dashboard/switch/", self.admin_view(dashboard.switch_view), name="dashboard_switch"),
            path("dashboard/sync-now/", self.admin_view(dashboard.sync_now_view), name="dashboard_sync_now"),
        ]
        return urls + super().get_urls()
