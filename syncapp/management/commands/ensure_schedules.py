"""`manage.py ensure_schedules`: register the sync schedule in django-q2 (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

SCHEDULE_NAME = "syncapp: sync cycle"


class Command(BaseCommand):
    help = "Create or update the django-q2 schedule that starts sync cycles."
    # A setup step of `make run`, run before the demo org exists: the Salesforce checks would only warn
    # that it is not configured yet. `manage.py check` and the web server still run every check.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        # Every minute the task checks whether the pause since the last cycle has passed; the cycle itself
        # takes a lease, so slots that overlap a long cycle simply skip.
        defaults = {
            "func": "syncapp.tasks.run_scheduled_sync",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        }
        _, created = Schedule.objects.update_or_create(
            name=SCHEDULE_NAME, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
        )
        self.stdout.write(f"{'Created' if created else 'Kept'} the schedule “{SCHEDULE_NAME}”.")
