"""`make faults`: run the fault suite at full size and write its totals into docs/benchmarks.md.

The suite appends one JSON line per scenario to FAULTS_REPORT; this sums them into the table between the
`faults` markers (replaced on every run, so the page holds the latest full run only).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- faults:start -->", "<!-- faults:end -->"
COMMAND = "make faults  # FAULTS_SIZE=full pytest -m faults tests/faults"


def run() -> tuple[list[dict], float, int]:
    report = Path(tempfile.mkdtemp()) / "faults.jsonl"
    env = {**os.environ, "FAULTS_SIZE": os.environ.get("FAULTS_SIZE", "full"), "FAULTS_REPORT": str(report)}
    started = time.monotonic()
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "faults", "tests/faults"]
    code = subprocess.call(pytest, cwd=ROOT, env=env)
    lines = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    return lines, time.monotonic() - started, code


def table(lines: list[dict], seconds: float, code: int) -> str:
    phases, faults = Counter(), Counter()
    for line in lines:
        phases.update(line["kills_by_phase"])
        faults.update(line["faults"])
    total = {k: sum(line[k] for line in lines) for k in ("kills", "cycles", "records", "values")}
    bad = {k: sum(line[k] for line in lines) for k in ("mismatches", "duplicates", "lost_edits")}
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    rows = [
        f"{START}",
        f"## {datetime.now(UTC):%Y-%m-%d}, the fault suite at full size: `{COMMAND}`",
        "",
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, {database}; "
        f"{len(lines)} scenarios in {seconds:.0f} s, pytest exit code {code}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| worker kills survived (SIGKILL) | {total['kills']} |",
        *(f"| &nbsp;&nbsp;kills: {phase} | {n} |" for phase, n in sorted(phases.items())),
        *(f"| faults injected: {kind} | {n} |" for kind, n in sorted(faults.items())),
        f"| clean cycles run | {total['cycles']} |",
        f"| records compared / field values compared | {total['records']:,} / {total['values']:,} |",
        f"| mismatches (must be 0) | {bad['mismatches']} |",
        f"| duplicates (must be 0) | {bad['duplicates']} |",
        f"| lost edits (must be 0) | {bad['lost_edits']} |",
        f"| edits Salesforce refused (validation rules, bad values: shown, not lost) | "
        f"{sum(line.get('edits_refused_by_salesforce', 0) for line in lines)} |",
        END,
    ]
    return "\n".join(rows)


def main() -> int:
    lines, seconds, code = run()
    text = DOC.read_text()
    section = table(lines, seconds, code)
    if START in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        head, _, rest = text.partition("\n## ")
        text = f"{head}\n{section}\n\n## {rest}"
    DOC.write_text(text)
    print(section)
    return code


if __name__ == "__main__":
    sys.exit(main())
