"""docs/benchmarks.md's generated sections: one per database and size, rewritten by each `make bench`.

Each section sits between `<!-- bench:<database>-<size>:start -->` and its `end` marker; the text around them
is written by hand and kept. A section not yet in the page goes right after the page's introduction (before
the first dated, hand-written section), so the newest figures come first.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"


def machine(database: str) -> str:
    """The machine, the software, the commit and how busy the machine was: what a reader needs to compare."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    memory = next((line.split()[1] for line in _read("/proc/meminfo") if line.startswith("MemTotal")), "0")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    versions = f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    if database == "postgresql":
        versions += f", {postgres_version()}"
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {int(memory) / 2**20:.0f} GiB, "
        f"{platform.system()} {platform.release()}; {versions}; commit {commit.stdout.strip() or 'unknown'}"
    )


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        return "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]


def _read(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def section(key: str, heading: str, header: list[str], parts: list[list[str]]) -> str:
    start, end = markers(key)
    lines = [start, heading, "", *header, ""]
    for part in parts:
        lines += [*part, ""]
    return "\n".join([*lines[:-1], end])


def existing(key: str, doc: Path = DOC) -> str:
    """The current text of a section, markers included, or ""."""
    page = doc.read_text()
    start, end = markers(key)
    if start in page and end in page:
        return page[page.index(start) : page.index(end) + len(end)]
    return ""


def write(key: str, text: str, doc: Path = DOC) -> None:
    """Replace the section `key` in the page, or put it before the first dated section."""
    page = doc.read_text()
    start, end = markers(key)
    if start in page and end in page:
        page = page[: page.index(start)] + text + page[page.index(end) + len(end) :]
    else:
        # Before the first section, dated or generated (the faults section opens with its marker).
        found = [i for i in (page.find("\n## "), page.find("\n<!-- ")) if i >= 0]
        at = min(found) if found else len(page)
        page = f"{page[:at].rstrip()}\n\n{text}\n\n{page[at:].lstrip()}"
    doc.write_text(page)


def stamp() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
