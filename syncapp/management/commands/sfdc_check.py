"""`manage.py sfdc_check`: one line saying whether Salesforce is reachable with the configured credentials."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from syncapp.services import salesforce_connection_check


class Command(BaseCommand):
    help = "Check that Salesforce is reachable with the configured credentials."

    def handle(self, *args, **options) -> None:
        result = salesforce_connection_check()
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
