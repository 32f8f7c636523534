"""Worker processes for the fault suite: start them, kill them at seeded points, restart until clean.

Each scenario gets a database of its own (a SQLite file, or a fresh PostgreSQL database when DATABASE_URL
points at one), because a worker process cannot see the test's in-memory database.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 300  # seconds: a worker that hangs fails the scenario rather than the whole run
RESTARTS = 30  # a cycle that has not come out clean after this many restarts is a finding, not bad luck


class WorkerFailed(AssertionError):
    pass


@dataclass
class Totals:
    """What a scenario did, for docs/benchmarks.md."""

    kills: int = 0
    kills_by_phase: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    cycles: int = 0


def phase_of(note: dict[str, str]) -> str:
    """Where a kill landed, from the last Salesforce request and, for a kill mid-write, the write."""
    http, sql = note.get("http", ""), note.get("sql", "").lower()
    if note["kind"] == "pre":
        return "between the pull and the push" if "(push)" in http else "before a call"
    if note["kind"] == "sql":
        if "index" in sql:
            return "index rebuild"
        if "outboundchange" in sql or "(push)" in http:
            return "recording the push"
        if "/jobs/query" in http:
            return "writing a Bulk page"
        if "/query" in http or "/composite" in http:
            return "writing a delta page"
        return "cycle bookkeeping"
    if "(push)" in http:
        return "push answered, not recorded"
    if "/jobs/query" in http:
        return "initial Bulk load"
    if "/query" in http or "/composite" in http:
        return "delta page read"
    if "describe" in http:
        return "schema"
    if "oauth2" in http:
        return "login"
    return "other call"


class Workers:
    """Runs `python -m tests.faults.worker` with the app's environment against one database."""

    def __init__(
        self, *, emulator_env: dict[str, str], tmp: Path, seed: int, template: Path | None = None
    ) -> None:
        self.tmp = tmp
        self.rng = random.Random(seed)
        self.totals = Totals()
        self.estimate = {"http": 40, "sql": 400}  # refined by every clean run
        self.queued: list[dict[str, Any]] = []
        self.failures: list[str] = []  # what failed cycles said, for a scenario's assertion message
        self.database_url, self._drop = _database(tmp)
        self.template = template if self.database_url.startswith("sqlite") else None
        base = {
            k: v for k, v in os.environ.items() if not k.startswith(("SALESFORCE_", "DJANGO_", "DATABASE"))
        }
        self.env = {
            **base,
            **emulator_env,
            "DJANGO_SETTINGS_MODULE": "core.test_settings",
            "SYNCAPP_ENV_FILE": str(tmp / "absent.env"),
            "DATABASE_URL": self.database_url,
            "FAULT_NOTES": str(tmp / "kills.jsonl"),
            "FAULT_COUNTS": str(tmp / "counts.json"),
            "LOG_LEVEL": "WARNING",
        }

    def close(self) -> None:
        self._drop()

    def run(
        self, action: str, arg: str = "", *, kill: str = "", retries_due: bool = False
    ) -> subprocess.CompletedProcess:
        env = {**self.env, "FAULT_KILL": kill} if kill else dict(self.env)
        if retries_due:
            env["FAULT_RETRIES_DUE"] = "1"
        if action in ("sync", "clean") and self.queued:
            path = self.tmp / "edits.json"
            path.write_text(json.dumps(self.queued))
            env["FAULT_EDITS"], self.queued = str(path), []
        return subprocess.run(
            [sys.executable, "-m", "tests.faults.worker", action, arg],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
        )

    def start(self, action: str) -> subprocess.Popen:
        """A worker running in the background (a cycle to race against)."""
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker", action],
            cwd=ROOT,
            env={**self.env, "FAULT_RETRIES_DUE": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def ok(self, action: str, arg: Any = "") -> Any:
        result = self.run(action, arg if isinstance(arg, str) else json.dumps(arg))
        if result.returncode:
            raise WorkerFailed(f"{action} exited {result.returncode}: {result.stderr[-3000:]}")
        return json.loads(result.stdout) if action in ("dump", "edit", "people") else result

    def migrate(self, **sync_settings: Any) -> None:
        values = {"pause_seconds": 30, **sync_settings}
        if self.template is None:
            self.ok("migrate", values)
            return
        # A copy of the session's migrated database, the settings applied by the next worker: two processes
        # (and a dozen seconds of migrations) fewer per scenario.
        target = Path(self.database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal"):
            if Path(f"{self.template}{suffix}").exists():
                shutil.copyfile(f"{self.template}{suffix}", f"{target}{suffix}")
        self.env["FAULT_SETTINGS"] = json.dumps(values)

    def dump(self) -> dict[str, Any]:
        return self.ok("dump")

    def edit(self, edits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.ok("edit", edits)

    def flow(
        self,
        action: str,
        persons: list[int],
        *options: str,
        kill: str = "",
        phase: str = "",
        stale: bool = False,
    ) -> bool:
        """`manage.py flow` in a worker process, killed at `kill` (a kill lands in `phase`); `stale`: as if a
        killed run's task timeout had passed. True if the kill landed."""
        arg = json.dumps({"action": action, "persons": persons, "options": options, "stale": stale})
        result = self.run("flow", arg, kill=kill)
        self.said = result.stdout[-3000:]  # what the command printed per person
        if result.returncode == -signal.SIGKILL:
            self.totals.kills += 1
            self.totals.kills_by_phase[f"flow action: {phase or phase_of(self._last_note())}"] += 1
            return True
        if result.returncode:
            raise WorkerFailed(f"flow {action} exited {result.returncode}: {result.stderr[-3000:]}")
        return False

    def _last_note(self) -> dict[str, str]:
        return json.loads((self.tmp / "kills.jsonl").read_text().splitlines()[-1])

    def queue_edits(self, edits: list[dict[str, Any]]) -> None:
        """Local edits the next cycle's worker makes before it starts (saves a process per round)."""
        self.queued += edits

    def cycle_killed(self, target: str = "") -> bool:
        """One cycle with a kill at `target` (kind:N:text, see worker.py), else at a seeded point of a clean
        cycle's traffic; True if the kill landed."""
        if not target:
            kind = self.rng.choice(("http", "sql"))
            target = f"{kind}:{self.rng.randint(1, max(1, self.estimate[kind]))}"
        result = self.run("sync", kill=target)
        if result.returncode == -signal.SIGKILL:
            self.totals.kills += 1
            notes = (self.tmp / "kills.jsonl").read_text().splitlines()
            self.totals.kills_by_phase[phase_of(json.loads(notes[-1]))] += 1
            return True
        self._counted(result)
        return False

    def cycle_until_clean(self, *, times: int = 1, dump: bool = False) -> dict[str, Any]:
        """A worker that runs cycles until `times` succeed (a failed cycle is retried, as the schedule would,
        each time as if the backoff of transient errors had passed); with the mirror's dump if asked."""
        result = self.run("clean", json.dumps({"times": times, "restarts": RESTARTS, "dump": dump}))
        if result.returncode:
            raise WorkerFailed(f"clean cycles: {result.stdout[-2000:]}{result.stderr[-3000:]}")
        out = json.loads(result.stdout)
        self.totals.cycles += out["cycles"]
        self.failures += out["failures"]
        counts = json.loads((self.tmp / "counts.json").read_text())
        # Aim kills across the whole of the next cycle, as long as the last clean one was.
        self.estimate = {k: max(v, 1) for k, v in counts.items()}
        return out.get("dump", {})

    def settle(self) -> dict[str, Any]:
        """Two clean cycles (the second pulls back the SystemModstamp the first one's push gave records),
        then the mirror's dump."""
        return self.cycle_until_clean(times=2, dump=True)

    def _counted(self, result: subprocess.CompletedProcess) -> None:
        self.totals.cycles += 1
        if result.returncode:
            self.failures.append(result.stderr[-400:])
        if result.returncode == 0:
            counts = json.loads((self.tmp / "counts.json").read_text())
            # Aim kills across the whole of the next cycle, as long as the last clean one was.
            self.estimate = {k: max(v, 1) for k, v in counts.items()}


def record(scenario: str, totals: Totals, report: Any) -> None:
    """Append a scenario's figures to FAULTS_REPORT (JSON lines) for docs/benchmarks.md."""
    path = os.environ.get("FAULTS_REPORT")
    if not path:
        return
    line = {
        "scenario": scenario,
        "kills": totals.kills,
        "kills_by_phase": dict(totals.kills_by_phase),
        "faults": dict(totals.faults),
        "cycles": totals.cycles,
        "records": report.compared,
        "values": report.fields,
        "mismatches": len(report.mismatches) + len(report.missing) + len(report.extra),
        "duplicates": len(report.duplicates) + len(report.doubled),
        "lost_edits": len(report.lost_edits),
        "edits_refused_by_salesforce": len(report.refused),
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def _database(tmp: Path) -> tuple[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'mirror.sqlite3'}", lambda: None
    import psycopg

    name = f"faults_{uuid.uuid4().hex[:12]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop
