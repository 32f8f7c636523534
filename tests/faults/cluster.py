"""`manage.py qcluster` for the fault suite: started in a process group of its own, SIGKILLed as a whole
(parent and workers) at a seeded point of a task, restarted, and watched through the scenario's database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any

from tests.faults.harness import ROOT, Workers, phase_of

SETTINGS = "tests.faults.qcluster_settings"


class Cluster:
    def __init__(self, workers: Workers) -> None:
        self.workers = workers
        self.env = {**workers.env, "DJANGO_SETTINGS_MODULE": SETTINGS}
        self.process: subprocess.Popen | None = None

    def start(self, *, kill: str = "") -> None:
        env = {**self.env, "FAULT_KILL": kill, "FAULT_KILL_GROUP": "1"} if kill else self.env
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes the parent and every worker
        )

    def enqueue(self, **work: Any) -> None:
        """Tasks as the admin queues them ("Sync now", flow buttons), written by a process of their own."""
        result = subprocess.run(
            [sys.executable, "-m", "tests.faults.worker", "enqueue", json.dumps(work)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    def killed_within(self, seconds: float, *, phase: str = "") -> bool:
        """Wait for the aimed kill to take the cluster down; True if it did (counted with where it landed,
        `phase` when the caller knows better than the last request's path)."""
        try:
            code = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.stop()
            return False
        if code != -signal.SIGKILL:
            return False
        totals = self.workers.totals
        totals.kills += 1
        note = json.loads((self.workers.tmp / "kills.jsonl").read_text().splitlines()[-1])
        totals.kills_by_phase[f"qcluster: {phase or phase_of(note)}"] += 1
        return True

    def wait_until(self, sql: str, *, seconds: float, every: float = 0.5) -> Any:
        """Poll the scenario's database until `sql`'s first value is truthy; fail at the deadline."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.scalar(sql)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {seconds:.0f} s: {sql}")
            time.sleep(every)  # a poll interval, not a stand-in for synchronisation: the condition decides

    def scalar(self, sql: str) -> Any:
        url = self.workers.database_url
        if url.startswith("sqlite"):
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
                return conn.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchone()[0]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this cluster leads, nothing else
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
