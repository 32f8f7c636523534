"""`make bench` runs every benchmark and rewrites only its own sections of docs/benchmarks.md (no timings)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from benchmarks import report
from benchmarks.suite import BENCHMARKS

ROOT = Path(__file__).resolve().parent.parent


def benchmark_modules() -> set[str]:
    """The modules of benchmarks/ that run on their own (`python -m benchmarks.<name>`: they have a main)."""
    found = set()
    for path in (ROOT / "benchmarks").glob("*.py"):
        tree = ast.parse(path.read_text())
        if path.stem != "__main__" and any(
            isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body
        ):
            found.add(path.stem)
    return found


def test_every_benchmark_module_is_in_the_suite_make_bench_runs():
    assert benchmark_modules() == {bench.name for bench in BENCHMARKS}


def test_a_small_dry_run_lists_every_benchmark_with_its_command_or_why_it_is_skipped():
    env = {"PATH": "/usr/bin:/bin", "SIZE": ""}  # no DATABASE_URL: the SQLite plan
    listing = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "small", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert [line.split()[0] for line in listing] == [bench.name for bench in BENCHMARKS]
    for bench, line in zip(BENCHMARKS, listing, strict=True):
        if "small" in bench.sizes:
            assert f"run:  python -m benchmarks.{bench.name} {' '.join(bench.sizes['small'])}" in line
        else:
            assert "skip: not run at this size" in line


def test_a_postgresql_dry_run_says_which_benchmarks_are_sqlite_only():
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    listing = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "small", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "admin_load       run:  python -m benchmarks.admin_load" in listing
    assert "emulator_query   skip: no app database" in listing


def test_a_generated_section_replaces_its_own_text_and_keeps_the_hand_written_rest(tmp_path):
    doc = tmp_path / "benchmarks.md"
    faults = "<!-- faults:start -->\n## faults\n<!-- faults:end -->"
    doc.write_text(f"# Benchmarks\n\nIntro.\n\n{faults}\n\n## 2026-11-22, notes\n")
    first = report.section("sqlite-small", "## Latest", ["header one"], [["| a | 1 |"]])
    report.write("sqlite-small", first, doc)
    report.write("sqlite-small", first.replace("header one", "header two"), doc)
    page = doc.read_text()
    assert page.count("<!-- bench:sqlite-small:start -->") == 1
    assert "header two" in page
    assert "header one" not in page
    assert page.index("Intro.") < page.index("bench:sqlite-small") < page.index("<!-- faults:start -->")
    assert page.endswith("## 2026-11-22, notes\n")
