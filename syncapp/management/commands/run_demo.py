"""`manage.py run_demo`: the emulator with a demo org, the django-q2 cluster, the change-event listener
and the web server, together.

Ctrl-C stops everything it started. Each child runs in its own session and is stopped by signalling its
main PID: a SIGTERM sent to qcluster's whole process group deadlocks it (django-q2#346).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

EMULATOR_DIR = Path(settings.BASE_DIR) / "var" / "emulator"
BLOCK_START = (
    "# --- Salesforce: the local emulator (written by `make run`; delete this block for a real org) ---"
)
BLOCK_END = "# --- end of the emulator block ---"


class Command(BaseCommand):
    help = "Run the Salesforce emulator (demo org), the worker, the listener and the admin until Ctrl-C."
    # Checked in handle(), once the demo org is configured: checking first would warn that Salesforce is not
    # configured (syncapp.W001) just before this command configures it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--persons", type=int, default=3000, help="people in a new demo org")
        parser.add_argument("--emulator-port", type=int, default=8443)
        parser.add_argument(
            "--no-emulator", action="store_true", help="use the Salesforce org configured in .env instead"
        )

    def handle(self, *args, addrport: str, persons: int, emulator_port: int, no_emulator: bool, **options):
        children: list[tuple[str, subprocess.Popen]] = []
        env = dict(os.environ)
        # `kill`, a closed terminal or a supervisor stop us like Ctrl-C does: the children stop too.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        try:
            if not no_emulator:
                emulator, emulator_env = start_emulator(persons=persons, port=emulator_port)
                children.append(("emulator", emulator))
                env.update(emulator_env)
                write_env_block(Path(settings.BASE_DIR) / ".env", emulator_env)
                for name, value in emulator_env.items():  # what the children see, for the checks below
                    setattr(settings, name, value)
                self.stdout.write(f"Salesforce emulator: {emulator_env['SALESFORCE_LOGIN_URL']} (demo org)")
            self.check()
            manage = [sys.executable, "manage.py"]
            children.append(("worker", spawn([*manage, "qcluster"], env)))
            children.append(("listener", spawn([*manage, "listen"], env)))
            children.append(("web", spawn([*manage, "runserver", addrport, "--noreload"], env)))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin: http://{addrport}/admin/  (log in with a login printed above by ensure_admin; "
                    "the first sync starts within a minute)"
                )
            )
            self.stdout.write("Ctrl-C stops everything.")
            while all(proc.poll() is None for _, proc in children):
                time.sleep(0.5)
            for name, proc in children:
                if proc.poll() is not None:
                    self.stderr.write(f"The {name} process exited with code {proc.returncode}; stopping.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            stop_processes(children)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, start_new_session=True)


def start_emulator(*, persons: int, port: int) -> tuple[subprocess.Popen, dict[str, str]]:
    if not port_is_free(port):
        raise CommandError(
            f"Port {port} is taken (another emulator still running?). Stop it, or pass --emulator-port."
        )
    EMULATOR_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "sfdc_emulator",
        "--db",
        str(EMULATOR_DIR / "org.sqlite3"),
        "--seed",
        "demo",
        "--persons",
        str(persons),
        "--port",
        str(port),
        "--http-port",
        "0",
    ]
    proc = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 300  # seeding a large demo org takes a while on a slow machine
    while not port_accepts(port):
        if proc.poll() is not None:
            raise CommandError(f"The emulator exited with code {proc.returncode}; see its output above.")
        if time.monotonic() > deadline:
            proc.kill()
            raise CommandError("The emulator did not start within 5 minutes.")
        time.sleep(0.3)
    env = {
        "SALESFORCE_LOGIN_URL": f"https://127.0.0.1:{port}",
        "SALESFORCE_AUTH_FLOW": "client_credentials",
        "SALESFORCE_CLIENT_ID": "emulator-client-id",
        "SALESFORCE_CLIENT_SECRET": "emulator-client-secret",
        "SALESFORCE_CA_BUNDLE": str(EMULATOR_DIR / "emulator-ca.pem"),
        "SALESFORCE_API_VERSION": "59.0",
    }
    return proc, env


def write_env_block(path: Path, values: dict[str, str]) -> None:
    """Point `.env` at the emulator (so `manage.py sync_now` in another terminal works too)."""
    text = path.read_text() if path.exists() else ""
    if BLOCK_START in text:
        before, _, rest = text.partition(BLOCK_START)
        _, _, after = rest.partition(BLOCK_END)
        text = before.rstrip("\n") + "\n" + after.lstrip("\n")
    elif "SALESFORCE_LOGIN_URL=" in text:
        return  # a real org is configured by hand: leave it alone (the children still get the emulator)
    block = "\n".join([BLOCK_START, *(f"{k}={v}" for k, v in values.items()), BLOCK_END])
    path.write_text(text.rstrip("\n") + "\n\n" + block + "\n")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def port_accepts(port: int) -> bool:
    return not port_is_free(port)


def stop_processes(children: list[tuple[str, subprocess.Popen]], grace: float = 15.0) -> None:
    # The web server and the worker first, the emulator last: the worker may be mid-call to it.
    for _, proc in reversed(children):
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for _, proc in reversed(children):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
