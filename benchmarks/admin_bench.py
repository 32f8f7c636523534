"""Admin benchmark: the marketer's pages rendered server-side over a big mirror, timed with Django's client.

    python -m benchmarks.admin_bench --persons 1000000 --activity 10000000 [--db var/bench/admin.sqlite3]

Seeds the mirror straight into the database (`admin_seed.py`: SQL inserts, no sync), with one person who has
10,000 log entries, 100,000 sync errors, an account per five people, an opportunity per ten and a task or
event per person, then times each page (median of --repeat loads, a warm-up load first): the dashboard, the
people list (plain, with searches, with each filter), a person's page, that person's activity log, the
other lists and their searches (accounts, opportunities, tasks and events, errors, campaigns), and the
streamed CSV of every error (its peak Python memory too). Prints JSON. `--db` keeps the seeded database
for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.admin_seed import seed
from benchmarks.stack import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str, folder: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "core.test_settings",  # plain static storage, no manifest needed
            "SYNCAPP_ENV_FILE": str(folder / "absent.env"),
            "DEBUG": "false",  # as in production: DEBUG keeps every query in memory
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `repeat` loads (after one warm-up). On a shared machine the CPU
    time of this process is the steadier figure: the wall time also counts the other tenants' turns."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, url
        assert body, url
    return round(statistics.median(wall) * 1000, 1), round(statistics.median(cpu) * 1000, 1)


def csv_export(client, url: str) -> dict[str, float]:
    """One timed pass, then one under tracemalloc for the peak of Python memory (which slows it a lot)."""
    start = time.perf_counter()
    rows = sum(chunk.count(b"\n") for chunk in client.get(url).streaming_content) - 1
    seconds = time.perf_counter() - start
    tracemalloc.start()
    for _ in client.get(url).streaming_content:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "seconds": round(seconds, 2), "peak_python_mb": round(peak / 2**20, 1)}


def measure(repeat: int, heavy: int) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    people = "/admin/syncapp/person/"
    tasks = "/admin/syncapp/salesforceactivity/"
    pages = {
        # The baseline: a page that reads nothing from the mirror (session, user, template, middleware).
        "baseline: password change form": "/admin/password_change/",
        "dashboard": "/admin/",
        "people": people,
        "people, search 'Last4242'": f"{people}?q=Last4242",
        "people, search an email": f"{people}?q=person777%40example1.com",
        "people, search a lead id": f"{people}?q=00Q000000000013AAA",
        "people, search an email domain": f"{people}?q=example42.com",
        "people, search a first name (200 people)": f"{people}?q=first4242",
        "people, search first and last name": f"{people}?q=First4242+Last4242",
        "people, search a company phrase": f"{people}?q=%22Company+4242%22",
        "people, search a common prefix (222,000 people)": f"{people}?q=First4",
        "leads, search a last name": "/admin/syncapp/lead/?q=Last4243",
        "people, sync: in sync": f"{people}?sync=ok",
        "people, sync: pending": f"{people}?sync=pending",
        "people, sync: rejected": f"{people}?sync=error",
        "people, sync: only here": f"{people}?sync=local",
        "people, sync: deleted in SF": f"{people}?sync=deleted",
        "people, SFDC type": f"{people}?sfdc_type__exact=lead",
        "people, lead status": f"{people}?status=Working+-+Contacted",
        "people, owner": f"{people}?owner__exact=005000000000007AAA",
        "people, account": f"{people}?account__exact=001000000000003AAA",
        "people, campaign": f"{people}?campaign=701000000000004AAA",
        "people, converted": f"{people}?is_converted__exact=1",
        "leads": "/admin/syncapp/lead/",
        "person page (10,000 log entries)": f"{people}{heavy}/change/",
        "activity log, page 1 of 200": f"{people}{heavy}/activity/",
        "activity log, page 150": f"{people}{heavy}/activity/?p=150",
        "activity log, one type": f"{people}{heavy}/activity/?type=new_person",
        "sync errors list": "/admin/syncapp/syncerror/",
        "sync errors, search a lead id": "/admin/syncapp/syncerror/?q=00Q000000004242AAA",
        "sync errors, search a message word": "/admin/syncapp/syncerror/?q=international",
        "accounts": "/admin/syncapp/account/",
        "accounts, search a name": "/admin/syncapp/account/?q=Account+4242",
        "accounts, search a website": "/admin/syncapp/account/?q=account4242.example",
        "accounts, search an account id": "/admin/syncapp/account/?q=001000000004242AAA",
        "opportunities": "/admin/syncapp/opportunity/",
        "opportunities, search a name": "/admin/syncapp/opportunity/?q=Opportunity+4242",
        "tasks and events": tasks,
        "tasks and events, search a subject": f"{tasks}?q=Meeting+with+Last4242",
        "tasks and events, search a common word (a fifth of them)": f"{tasks}?q=call",
        "tasks and events, search a lead id": f"{tasks}?q=00Q000000000013AAA",
        "campaigns, search a name": "/admin/syncapp/campaign/?q=Campaign+42",
        "activity log (everyone)": "/admin/syncapp/activitylog/",
        "activity log (everyone), search an email": "/admin/syncapp/activitylog/?q=person777%40example1.com",
    }
    timings = {}
    for name, url in pages.items():
        timings[name] = timed(client, url, repeat)
        print(f"{name}: {timings[name]} ms (wall, CPU)", file=sys.stderr, flush=True)  # a long run's progress
    return {
        "median_wall_ms": {name: wall for name, (wall, _) in timings.items()},
        "median_cpu_ms": {name: cpu for name, (_, cpu) in timings.items()},
        "errors_csv": csv_export(client, "/admin/syncapp/syncerror/export.csv"),
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.admin_bench")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--activity", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, help="keep the seeded database here and reuse it next time")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="admin-bench-"))
    database_url, drop_database = fresh_database(workdir)
    fresh = True
    if database_url.startswith("sqlite") and args.db:
        db = args.db.resolve()
        db.parent.mkdir(parents=True, exist_ok=True)
        fresh, database_url = not db.exists(), f"sqlite:///{db}"
    setup_django(database_url, workdir)
    from syncapp.models import Person

    try:
        if fresh:
            seeded = seed(args.persons, args.activity)
        else:
            first = Person.objects.order_by("id").values_list("id", flat=True).first()
            seeded = {"seconds": 0, "heavy_person": first + 12, "reused": str(args.db)}
        result = {
            "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
            "persons": Person.objects.count(),
            "activity": args.activity,
            "seed": seeded,
            **measure(args.repeat, seeded["heavy_person"]),
        }
    finally:
        drop_database()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
