"""REST query throughput: `python -m benchmarks.emulator_query [--persons N]` (run by `make bench`)."""

from __future__ import annotations

import argparse
import json
import time

import requests

from sfdc_emulator.testing import RunningEmulator

QUERY = (
    "SELECT Id, FirstName, LastName, Email, Phone, Company, Status, LeadSource, OwnerId, IsConverted, "
    "CreatedDate, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id"
)


def measure(base_url: str, token: str, verify: str | bool, soql: str = QUERY) -> tuple[int, float]:
    """Follow every page of `soql` over one keep-alive connection; returns (records, seconds)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    session.headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    page = session.get(f"{base_url}/services/data/v59.0/queryAll/", params={"q": soql}, timeout=120).json()
    count = len(page["records"])
    while not page["done"]:
        page = session.get(base_url + page["nextRecordsUrl"], timeout=120).json()
        count += len(page["records"])
    return count, time.perf_counter() - started


def run(persons: int) -> dict[str, object]:
    started = time.perf_counter()
    emulator = RunningEmulator.start(seed="demo", persons=persons)
    seeded = time.perf_counter() - started
    try:
        token = emulator.token()
        out: dict[str, object] = {"persons": persons, "seed_seconds": round(seeded, 2)}
        for name, url, verify in (
            ("https", emulator.base_url, emulator.ca_file),
            ("http", emulator.http_url, False),
        ):
            records, seconds = measure(url, token, verify)
            out[f"{name}_records"] = records
            out[f"{name}_records_per_second"] = round(records / seconds)
        return out
    finally:
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    args = parser.parse_args()
    print(json.dumps(run(args.persons), indent=2))


if __name__ == "__main__":
    main()
