"""`make bench`: every benchmark, each in its own process, figures printed as JSON.

    python -m benchmarks [--persons 1000000] [--quick]

Record the output in docs/benchmarks.md with the command and the date; compare only figures measured in
the same run (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def run(module: str, *args: str) -> dict:
    print(f"$ python -m {module} {' '.join(args)}", flush=True)
    out = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=True)
    start = out.stdout.index("{")
    result = json.loads(out.stdout[start:])
    print(json.dumps(result, indent=2), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 people instead of a million")
    args = parser.parse_args()
    persons = 100_000 if args.quick else args.persons
    run("benchmarks.emulator_query", "--persons", "50000")
    run("benchmarks.emulator_bulk", "--persons", str(min(persons, 1_000_000)))
    run("benchmarks.sync_bench", "--persons", str(persons), "--changed", "10000")
    spread = "60" if args.quick else "120"
    run(
        "benchmarks.streaming_bench",
        "--persons",
        "2000",
        "--edits",
        "100",
        "--spread",
        spread,
        "--idle",
        spread,
    )


if __name__ == "__main__":
    main()
