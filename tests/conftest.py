"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def run_manage(tmp_path):
    """Run `manage.py` in a fresh process with exactly the given environment (no developer .env)."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("SALESFORCE_", "DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")
            )
        }
        base["SYNCAPP_ENV_FILE"] = str(tmp_path / "absent.env")
        base["DJANGO_SETTINGS_MODULE"] = "core.settings"
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**base, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


# --- the Salesforce org emulator ----------------------------------------------------------------------------
DEMO_PERSONS = 120


@pytest.fixture(scope="session")
def emulator_server():
    """One emulator per test session (HTTPS on a free port), with a small deterministic demo org."""
    from sfdc_emulator.testing import RunningEmulator

    server = RunningEmulator.start(seed="demo", persons=DEMO_PERSONS)
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server, settings):
    """The demo org as seeded, and the app's SALESFORCE_* settings pointing at it over HTTPS."""
    emulator_server.reset()
    for name, value in emulator_server.env.items():
        setattr(settings, name, value)
    return emulator_server


@pytest.fixture
def synced(db, emulator):
    """The demo org mirrored by one sync cycle (users, queues, campaigns, people), for flow actions."""
    from syncapp.sync.cycle import run_cycle

    result = run_cycle(trigger="test")
    assert result.run is not None, result.skipped_reason
    return emulator
