"""`make bench`: every benchmark of benchmarks/suite.py, each in its own process, into docs/benchmarks.md.

    python -m benchmarks [--size full|small] [--only NAME ...] [--dry-run] [--no-write]

Full size is the default (a million people: allow a few hours); `--size small` is a quick check of a few
minutes. Without DATABASE_URL the app's database is SQLite and every benchmark runs; with DATABASE_URL
pointing at PostgreSQL (and REDIS_URL at Redis) the benchmarks that use the app's database and support it run
on PostgreSQL. Each (database, size) has its own section in docs/benchmarks.md, rewritten with the machine,
the date, each benchmark's command and its figures next to the baselines measured in the same run. A
benchmark that fails is reported in its place (exit code and the end of its output) and the others still run;
the exit code is then 1. `--dry-run` lists what would run, with the commands, and runs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks import report
from benchmarks.stack import database_kind
from benchmarks.suite import BENCHMARKS, Benchmark


def selected(size: str, database: str, only: list[str] | None) -> list[tuple[Benchmark, str]]:
    """(benchmark, why it is skipped or "") for every benchmark, in order."""
    out = []
    for bench in BENCHMARKS:
        why = ""
        if only and bench.name not in only:
            why = "not asked for (--only)"
        elif size not in bench.sizes:
            why = f"not run at this size: {bench.note}" if bench.note else "not run at this size"
        elif database != "sqlite" and not bench.app_database:
            why = "no app database (the emulator alone): measured in the SQLite run"
        elif database not in bench.databases:
            why = "SQLite only so far"
        out.append((bench, why))
    return out


def parse(stdout: str) -> dict:
    """The benchmark's JSON: the last object printed from the start of a line (logs may come before it)."""
    at = stdout.rfind("\n{")
    return json.loads(stdout[at + 1 :] if at >= 0 else stdout[stdout.index("{") :])


def run(bench: Benchmark, size: str) -> tuple[list[str], bool]:
    print(f"$ {bench.command(size)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", bench.module, *bench.sizes[size]],
        cwd=report.ROOT,
        capture_output=bench.name != "faults",  # the fault suite writes its own section and shows pytest
        text=True,
    )
    took = f"{time.monotonic() - started:.0f} s"
    if done.returncode or bench.name == "faults":
        print(done.stderr[-3000:] if done.stderr else "", file=sys.stderr)
        if bench.name == "faults":
            return [f"Ran in {took}, pytest exit code {done.returncode}: see the fault suite's section."], (
                done.returncode == 0
            )
        tail = (done.stderr or done.stdout or "").strip().splitlines()[-8:]
        return [f"**Failed** after {took} (exit code {done.returncode}):", "", "```", *tail, "```"], False
    result = parse(done.stdout)
    print(json.dumps(result, indent=2), flush=True)
    try:
        return [f"Ran in {took}.", "", *bench.render(result)], True
    except (KeyError, TypeError, ValueError) as exc:  # the figures are kept even if the table misses one
        return [
            f"Ran in {took}; its table could not be drawn ({exc!r}):",
            "",
            "```",
            json.dumps(result),
            "```",
        ], (False)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("full", "small"), default=os.environ.get("SIZE") or "full")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these benchmarks only")
    parser.add_argument("--dry-run", action="store_true", help="list the benchmarks and commands, run none")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave the page alone")
    args = parser.parse_args()
    database = database_kind()
    plan = selected(args.size, database, args.only)
    if args.dry_run:
        for bench, why in plan:
            command = bench.command(args.size) if args.size in bench.sizes else "-"
            print(f"{bench.name:16} {'skip: ' + why if why else 'run:  ' + command}")
        return 0
    key = f"{database}-{args.size}"
    label = "PostgreSQL" if database == "postgresql" else "SQLite"
    where = " with DATABASE_URL at PostgreSQL" if database != "sqlite" else ""
    header = [
        f"`make bench SIZE={args.size}`{where} on {report.stamp()}; {report.machine(database)}. Load average "
        f"at the start: {os.getloadavg()[0]:.1f} (shared machine: compare within this section only).",
    ]
    parts, ok = [], True
    for bench, why in plan:
        # Each benchmark has markers of its own inside the section: `--only` keeps the others' last figures.
        start, end = report.markers(f"{key}:{bench.name}")
        kept = report.existing(f"{key}:{bench.name}") if args.only and bench.name not in args.only else ""
        if kept:
            parts.append([kept])
            continue
        if why:
            parts.append([start, f"### {bench.title}: skipped ({why})", end])
            continue
        lines, passed = run(bench, args.size)
        ok &= passed
        parts.append([start, f"### {bench.title}: `{bench.command(args.size)}`", "", *lines, end])
    heading = f"## Latest `make bench` on {label}, {args.size} size (generated: do not edit by hand)"
    text = report.section(key, heading, header, parts)
    print(text)
    if not args.no_write:
        report.write(key, text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
