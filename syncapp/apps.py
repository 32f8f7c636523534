"""The syncapp application config (importing it registers the system checks) and the admin's config."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = "Salesforce sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from syncapp import checks  # noqa: F401 - registers the syncapp.E00x system checks

        # A worker that starts picks up the flow runs a dead one left behind (re-queued once, or failed).
        post_spawn.connect(_recover_flow_runs, dispatch_uid="syncapp-recover-flow-runs")


def _recover_flow_runs(sender: object, **kwargs: object) -> None:
    import logging

    from syncapp import tasks

    try:
        message = tasks.recover_flow_runs()
    except Exception:  # a worker must start even when the database is briefly unavailable
        logging.getLogger(__name__).exception("Could not recover flow runs at worker start")
        return
    logging.getLogger(__name__).info(message)


class SyncAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with our site (the dashboard home page) as the default `admin.site`."""

    default = False  # named explicitly in INSTALLED_APPS; SyncappConfig stays this module's default
    default_site = "syncapp.sites.SyncAdminSite"
