"""Benchmark: demo seed time for N persons and Bulk 2.0 query CSV throughput over real HTTP.

    python -m benchmarks.emulator_bulk --persons 100000 [--db PATH] [--max-records 50000]

Seeds in-process (timed), then serves the database from a separate `python -m sfdc_emulator` process (as
in a real deployment, so the client does not share the server's interpreter) and downloads every Lead over
plain HTTP. Prints one JSON object: seed seconds, rows written, Bulk 2.0 records/s and the server's RSS
growth while streaming (flat memory: it does not grow with the number of records).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from sfdc_emulator.org.org import Org

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Current resident set size of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _login(base_url: str) -> str:
    """A session id from a real SOAP login() as the sync user."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
        'envelope/"><soapenv:Body><login xmlns="urn:partner.soap.sforce.com"><username>sync@emulator.local'
        "</username><password>emulatortoken</password></login></soapenv:Body></soapenv:Envelope>"
    )
    response = requests.post(
        f"{base_url}/services/Soap/u/59.0", data=body, headers={"Content-Type": "text/xml"}, timeout=30
    )
    response.raise_for_status()
    return response.text.split("<sessionId>", 1)[1].split("</sessionId>", 1)[0]


def _wait_for(base_url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the emulator process exited early")
        try:
            requests.get(f"{base_url}/services/data", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise TimeoutError("the emulator did not start listening")


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
    """Seed in-process (timed), then serve the file from `python -m sfdc_emulator` and download over HTTP."""
    with tempfile.TemporaryDirectory() as tmp:
        path = db or str(Path(tmp) / "bench.sqlite3")
        org = Org(path)
        started = time.perf_counter()
        summary = org.seed_demo(persons)
        seed_seconds = time.perf_counter() - started
        org.store.close()
        http_port = _free_port()
        command = [sys.executable, "-m", "sfdc_emulator", "--db", path, "--port", str(_free_port()),
                   "--http-port", str(http_port)]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base_url = f"http://127.0.0.1:{http_port}"
        try:
            _wait_for(base_url, process)
            token = _login(base_url)
            rss_before = _rss_mb(process.pid)
            started = time.perf_counter()
            records, pages, size = download(base_url, token, SOQL, max_records)
            seconds = time.perf_counter() - started
            rss_growth = _rss_mb(process.pid) - rss_before
        finally:
            process.terminate()
            process.wait(timeout=30)
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
