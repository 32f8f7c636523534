"""Benchmark: demo seed time for N persons and Bulk 2.0 query CSV throughput over real HTTP.

    python -m sfdc_emulator.bench_bulk --persons 100000 [--db PATH] [--max-records 50000]

Prints one JSON object: seed seconds, rows written, Bulk 2.0 records/s and the peak RSS growth while
downloading (flat memory means it does not grow with the number of records).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from sfdc_emulator.org import Org
from sfdc_emulator.server.app import EmulatorServer

SOQL = (
    "SELECT Id, FirstName, LastName, Email, Company, Status, Owner.Name, IsConverted, SystemModstamp "
    "FROM Lead"
)


@dataclass(frozen=True)
class BulkBenchResult:
    persons: int
    seed_seconds: float
    rows_written: int
    records: int
    pages: int
    download_seconds: float
    records_per_second: float
    megabytes: float
    rss_growth_mb: float


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def download(base_url: str, token: str, soql: str, max_records: int) -> tuple[int, int, int]:
    """Create a query job and stream every page; returns (records, pages, bytes)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    job = session.post(
        f"{base_url}/services/data/v59.0/jobs/query", json={"operation": "query", "query": soql}
    )
    job.raise_for_status()
    url = f"{base_url}/services/data/v59.0/jobs/query/{job.json()['id']}/results"
    locator, records, pages, size = None, 0, 0, 0
    while True:
        params: dict[str, object] = {"maxRecords": max_records}
        if locator:
            params["locator"] = locator
        with session.get(url, params=params, headers={"Accept": "text/csv"}, stream=True) as page:
            page.raise_for_status()
            for chunk in page.iter_content(chunk_size=1 << 16):
                size += len(chunk)
            records += int(page.headers["Sforce-NumberOfRecords"])
            locator = page.headers["Sforce-Locator"]
        pages += 1
        if locator == "null":
            return records, pages, size


def run(persons: int, db: str | None = None, max_records: int = 50_000) -> BulkBenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = db or str(Path(tmp) / "bench.db")
        org = Org(path)
        started = time.perf_counter()
        summary = org.seed_demo(persons)
        seed_seconds = time.perf_counter() - started
        server = EmulatorServer(org, port=None, http_port=0)
        server.start()
        try:
            token = org.auth.issue(org.sync_user_id).token
            rss_before = _rss_mb()
            started = time.perf_counter()
            records, pages, size = download(server.http_url or "", token, SOQL, max_records)
            seconds = time.perf_counter() - started
            rss_growth = _rss_mb() - rss_before
        finally:
            server.stop()
            org.store.close()
    return BulkBenchResult(
        persons=persons,
        seed_seconds=round(seed_seconds, 2),
        rows_written=sum(summary["counts"].values()),  # type: ignore[union-attr]
        records=records,
        pages=pages,
        download_seconds=round(seconds, 2),
        records_per_second=round(records / seconds) if seconds else 0,
        megabytes=round(size / 1e6, 1),
        rss_growth_mb=round(rss_growth, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary file)")
    parser.add_argument("--max-records", type=int, default=50_000)
    args = parser.parse_args()
    print(json.dumps(asdict(run(args.persons, args.db, args.max_records)), indent=2))


if __name__ == "__main__":
    main()
