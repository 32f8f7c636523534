"""The syncapp application config (importing it registers the system checks) and the admin's config."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = "Salesforce sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from syncapp import checks  # noqa: F401 - registers the syncapp.E00x system checks


class SyncAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with our site (the dashboard home page) as the default `admin.site`."""

    default = False  # named explicitly in INSTALLED_APPS; SyncappConfig stays this module's default
    default_site = "syncapp.sites.SyncAdminSite"
