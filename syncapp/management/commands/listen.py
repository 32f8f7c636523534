"""`manage.py listen`: the change-event listener, a long-lived process beside the worker."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from syncapp.services import stream_listen


class Command(BaseCommand):
    help = (
        "Listen for Salesforce change events (Change Data Capture over CometD) and pull what they name "
        "within seconds. Run exactly one per org, beside the worker; SIGTERM or Ctrl-C stops it cleanly."
    )

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Listening for Salesforce change events…")
        stream_listen(stop=stop)
        self.stdout.write("The change-event listener stopped.")
