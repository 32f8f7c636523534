"""`manage.py run_demo`: start the worker and the web server together; Ctrl-C stops them cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the django-q2 cluster and the web server until Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        manage = [sys.executable, "manage.py"]
        # Each child gets its own session so the terminal's Ctrl-C reaches only us; we then signal each
        # child's main PID. A SIGTERM sent to qcluster's whole process group deadlocks it (django-q2#346).
        children = [
            ("worker", subprocess.Popen([*manage, "qcluster"], start_new_session=True)),
            ("web", subprocess.Popen([*manage, "runserver", addrport, "--noreload"], start_new_session=True)),
        ]
        self.stdout.write(self.style.SUCCESS(f"Admin: http://{addrport}/admin/  (Ctrl-C stops everything)"))
        try:
            while all(proc.poll() is None for _, proc in children):
                time.sleep(0.5)
            for name, proc in children:
                if proc.poll() is not None:
                    self.stderr.write(f"The {name} process exited with code {proc.returncode}; stopping.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            stop_processes(children)


def stop_processes(children: list[tuple[str, subprocess.Popen]], grace: float = 15.0) -> None:
    for _, proc in children:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for _, proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
