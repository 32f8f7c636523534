"""The whole app as separate processes for a benchmark: emulator, fresh database, gunicorn, qcluster workers.

A fresh database each time: a SQLite file in the work folder, or, when DATABASE_URL points at PostgreSQL, a
new database on that server (dropped at the end), so a run never reads another run's rows. With REDIS_URL
the workers use Redis as their broker, under a queue name of their own (`Q_NAME`): a queue left over by an
earlier run is never picked up. Every process is stopped by its own id when the stack closes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from benchmarks.sync_bench import ROOT, free_port, start_emulator

SECRET = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def database_kind(url: str | None = None) -> str:
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    return "postgresql" if url.startswith("postgres") else "sqlite"


def fresh_database(workdir: Path) -> tuple[str, Callable[[], None]]:
    """A database URL no run has used, and how to drop it: a SQLite file in `workdir`, or a new database
    next to the one DATABASE_URL names when that is PostgreSQL (its name plus a random suffix)."""
    if database_kind() == "sqlite":
        return f"sqlite:///{workdir / 'app.sqlite3'}", lambda: None
    import psycopg

    server, _, base = os.environ["DATABASE_URL"].rpartition("/")
    name = f"{base.split('?')[0]}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.conf import settings

        if settings.configured:  # this process's own connections first, or the database is in use
            from django.db import connections

            connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop


class Stack:
    def __init__(self, workdir: Path, persons: int, org: Path | None = None) -> None:
        self.workdir = workdir
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.emulator, self.port, self.seed_seconds = start_emulator(workdir, persons, org)
        self.kind = database_kind()
        self._database_url, self._drop_database = fresh_database(workdir)
        redis = os.environ.get("REDIS_URL", "") if self.kind == "postgresql" else ""
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SALESFORCE_", "DJANGO_", "DATABASE", "REDIS", "Q_", "CACHE_URL"))
            },
            "DJANGO_SETTINGS_MODULE": "core.settings",
            "SYNCAPP_ENV_FILE": str(workdir / "absent.env"),
            "DEBUG": "false",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": self._database_url,
            "REDIS_URL": redis,
            "Q_NAME": f"bench-{uuid.uuid4().hex[:8]}",
            # Plain http on loopback: in production a TLS proxy sits in front (BEHIND_HTTPS_PROXY).
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SALESFORCE_LOGIN_URL": f"https://127.0.0.1:{self.port}",
            "SALESFORCE_CLIENT_ID": "emulator-client-id",
            "SALESFORCE_CLIENT_SECRET": "emulator-client-secret",
            "SALESFORCE_CA_BUNDLE": str(workdir / "emulator-ca.pem"),
            "SALESFORCE_API_VERSION": "59.0",
            "LOG_LEVEL": "WARNING",
        }
        self.web_url = ""

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"manage.py {args[0]} failed: {done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> None:
        """Migrations, the cache table, the roles, static files (gunicorn serves them through whitenoise)."""
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("ensure_admin")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def django(self) -> None:
        """Django in this process too, on the same database, to create users and read the outcome."""
        os.environ.update(self.env)
        import django

        django.setup()

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("w")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((name, process))
        return process

    def start_web(self, *, workers: int, threads: int) -> str:
        port = free_port()
        # No control socket: its default path is one per home folder, shared by every gunicorn started there.
        process = self._spawn(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "core.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
             "--timeout", "120", "--keep-alive", "75", "--no-control-socket"],
        )  # fmt: skip
        self.web_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{self.web_url}/admin/login/", timeout=30)
                return self.web_url
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start: see {self.workdir / 'gunicorn.log'}") from None
                time.sleep(0.2)  # polling for the port to open: there is no signal to wait on

    def start_workers(self, count: int) -> None:
        for number in range(count):
            self._spawn(f"qcluster-{number}", [sys.executable, "manage.py", "qcluster"])

    def log_lines(self, *words: str) -> dict[str, int]:
        """Lines of the processes' logs that hold each word (case-insensitive), summed over every log."""
        counts = dict.fromkeys(words, 0)
        for name, _ in self.processes:
            for line in (self.workdir / f"{name}.log").read_text(errors="replace").lower().splitlines():
                for word in words:
                    counts[word] += word.lower() in line
        return counts

    def keep_logs(self) -> str:
        """Copy the processes' logs out of the work folder (removed at the end) into var/bench-logs/."""
        kept = ROOT / "var" / "bench-logs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.kind}"
        kept.mkdir(parents=True, exist_ok=True)
        for name, _ in self.processes:
            shutil.copy(self.workdir / f"{name}.log", kept)
        return str(kept)

    def close(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                # SIGTERM to the main process only: django-q2 hangs if its whole group gets it.
                process.send_signal(signal.SIGTERM)
        for _, process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.emulator.terminate()
        self.emulator.wait(timeout=30)
        self._drop_database()
