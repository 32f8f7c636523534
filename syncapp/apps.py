"""The syncapp application config; importing it registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = "Salesforce sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from syncapp import checks  # noqa: F401 - registers the syncapp.E00x system checks
