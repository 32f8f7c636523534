"""`manage.py ensure_schedules`: register the sync schedule in django-q2 (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from syncapp import services


class Command(BaseCommand):
    help = "Create or update the django-q2 schedule that starts sync cycles."
    # A setup step of `make run`, run before the demo org exists: the Salesforce checks would only warn
    # that it is not configured yet. `manage.py check` and the web server still run every check.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        created = services.sync_schedule_ensure()
        name = services.SCHEDULE_NAME
        self.stdout.write(f"{'Created' if created else 'Kept'} the schedule “{name}”.")
