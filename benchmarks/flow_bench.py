"""Flow action benchmark: clicks of Sync Person to SFDC run by a real `qcluster` on the ORM broker.

    python -m benchmarks.flow_bench [--clicks 100] [--bulk 1000]

An emulator process (a small demo org) and a fresh database (SQLite, or PostgreSQL when DATABASE_URL points
at it, with Redis as the broker when REDIS_URL is set); one sync cycle mirrors the org; then a `manage.py
qcluster` process (django-q2, the ORM broker or Redis, the production settings) runs what this process
requests through `services.flow_run_request`, as the admin does:
- `--clicks` single-person requests one after another: seconds from the request's commit until Salesforce
  holds the new lead, and until the FlowRun is finished (lead read back into the mirror, activity row
  written): median and p95;
- one bulk request over `--bulk` people: seconds until every run is finished, and the API calls it cost.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stack import fresh_database
from benchmarks.sync_bench import ROOT, setup_django, start_emulator


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_worker(workdir: Path) -> subprocess.Popen:
    log = (workdir / "qcluster.log").open("w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log
    )


def wait_for(check, *, timeout: float, step: float = 0.005) -> float:
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out: is the qcluster running? see qcluster.log")
        time.sleep(step)
    return time.perf_counter() - started


def clicks(count: int, session, base: str) -> dict[str, object]:
    from django.db import transaction

    from syncapp import services
    from syncapp.models import FlowRun, Person

    in_salesforce, finished = [], []
    for number in range(count):
        person = Person.objects.create(
            last_name=f"Click{number}", company="Bench Ltd", email=f"c{number}@b.example"
        )
        key = f"syncapp-{person.pk}"
        with transaction.atomic():
            [run] = services.flow_run_request(
                action="sync_person_to_sfdc", persons=[person], options={"assign_to": "rules"}
            )
        started = time.perf_counter()

        def lead_exists(key: str = key) -> bool:
            found = session.post(
                f"{base}/query", json={"q": f"SELECT Id FROM Lead WHERE Sync_Key__c = '{key}'"}
            )
            return bool(found.json()["records"])

        wait_for(lead_exists, timeout=60, step=0.01)
        in_salesforce.append(time.perf_counter() - started)
        wait_for(
            lambda pk=run.pk: FlowRun.objects.filter(pk=pk, finished_at__isnull=False).exists(), timeout=60
        )
        finished.append(time.perf_counter() - started)
    statuses = set(FlowRun.objects.values_list("status", flat=True).distinct())
    return {
        "clicks": count,
        "click_statuses": sorted(statuses),
        "click_to_salesforce_median_s": round(statistics.median(in_salesforce), 3),
        "click_to_salesforce_p95_s": round(percentile(in_salesforce, 0.95), 3),
        "click_to_run_finished_median_s": round(statistics.median(finished), 3),
        "click_to_run_finished_p95_s": round(percentile(finished, 0.95), 3),
    }


def bulk(count: int, session, base: str) -> dict[str, object]:
    from django.db import transaction

    from syncapp import services
    from syncapp.models import FlowRun, Person

    people = Person.objects.bulk_create(
        [Person(last_name=f"Bulk{n}", company="Bench Ltd", email=f"bulk{n}@b.example") for n in range(count)]
    )
    used_before = session.get(f"{base}/usage").json()["used"]
    with transaction.atomic():
        runs = services.flow_run_request(
            action="sync_person_to_sfdc", persons=people, options={"assign_to": "rules"}
        )
    ids = [run.pk for run in runs]
    seconds = wait_for(
        lambda: not FlowRun.objects.filter(pk__in=ids, finished_at__isnull=True).exists(),
        timeout=600,
        step=0.1,
    )
    calls = session.get(f"{base}/usage").json()["used"] - used_before
    done = FlowRun.objects.filter(pk__in=ids)
    return {
        "bulk_people": count,
        "bulk_seconds": round(seconds, 2),
        "bulk_succeeded": done.filter(status=FlowRun.Status.SUCCEEDED).count(),
        "bulk_api_calls": calls,
        "bulk_people_per_api_call": round(count / max(1, calls), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flow_bench")
    parser.add_argument("--clicks", type=int, default=100)
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--persons", type=int, default=2000, help="people in the demo org")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="flow-bench-"))
    emulator, port, _ = start_emulator(workdir, args.persons)
    database_url, drop_database = fresh_database(workdir)  # PostgreSQL when DATABASE_URL points at it
    worker = None
    try:
        setup_django(workdir, port, database_url)
        import requests
        from django.core.management import call_command

        from syncapp import services

        call_command("createcachetable", verbosity=0)
        services.sync_cycle_run(trigger="bench")
        worker = start_worker(workdir)
        session = requests.Session()
        session.trust_env = False
        session.verify = str(workdir / "emulator-ca.pem")
        base = f"https://127.0.0.1:{port}/_emulator"
        out: dict[str, object] = {
            "cpus": os.cpu_count(),
            "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
            "broker": "redis" if os.environ.get("REDIS_URL") else "orm",
        }
        clicks(3, session, base)  # warm-up: the cluster's workers start and log in to Salesforce
        out.update(clicks(args.clicks, session, base))
        out.update(bulk(args.bulk, session, base))
        print(json.dumps(out, indent=2))
    finally:
        if worker is not None:
            worker.terminate()  # SIGTERM to the main process only: django-q2 stops cleanly on that
            worker.wait(timeout=60)
        emulator.terminate()
        emulator.wait(timeout=30)
        drop_database()


if __name__ == "__main__":
    main()
