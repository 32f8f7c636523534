"""Admin benchmark: the marketer's pages rendered server-side over a big mirror, timed with Django's client.

    python -m benchmarks.admin_bench --persons 1000000 --activity 10000000 [--db var/bench/admin.sqlite3]

Seeds the mirror straight into SQLite (bulk inserts, no sync), with one person who has 10,000 log entries and
100,000 sync errors, then times each page (median of --repeat loads, a warm-up load first): the dashboard,
the people list (plain, with a search, with each filter), a person's page, that person's activity log, and
the streamed CSV of every error (its peak Python memory too). Prints JSON. `--db` keeps the seeded database
for the next run (seeding a million people takes minutes on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY_LOG = 10_000
ERRORS = 100_000
BATCH = 20_000
TYPES = ("change_data_value", "new_person", "sync_to_sfdc", "add_to_campaign", "sfdc_activity")


def setup_django(db: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "core.test_settings",  # plain static storage, no manifest needed
            "SYNCAPP_ENV_FILE": str(db.parent / "absent.env"),
            "DEBUG": "false",  # as in production: DEBUG keeps every query in memory
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": f"sqlite:///{db}",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert(model, rows: Iterable[dict]) -> int:
    """executemany in batches; columns a row leaves out get the field's default, prepared once."""
    from django.db import connection, transaction

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = stamp(datetime.now(UTC))

    def default(field) -> object:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default() or not field.null:
            return field.get_db_prep_save(field.get_default(), connection)
        return None

    defaults = {f.column: default(f) for f in fields}
    columns = [f.column for f in fields]
    placeholders = ", ".join("%s" for _ in columns)
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) VALUES ({placeholders})'
    count, batch = 0, []
    for row in rows:
        batch.append([row.get(c, defaults[c]) for c in columns])
        if len(batch) >= BATCH:
            count += _flush(connection, transaction, sql, batch)
            batch = []
    return count + (_flush(connection, transaction, sql, batch) if batch else 0)


def _flush(connection, transaction, sql: str, batch: list) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    return len(batch)


def seed(persons: int, activity: int) -> dict[str, object]:
    from syncapp import models as m

    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    owners = [f"005{n:012d}AAA" for n in range(200)]
    insert(
        m.SalesforceUser,
        ({"sf_id": sf_id, "name": f"Owner {n}", "kind": "user"} for n, sf_id in enumerate(owners)),
    )
    accounts = [f"001{n:012d}AAA" for n in range(persons // 20)]
    insert(m.Account, ({"sf_id": sf_id, "name": f"Account {n} Ltd"} for n, sf_id in enumerate(accounts)))
    campaigns = [f"701{n:012d}AAA" for n in range(50)]
    insert(
        m.Campaign,
        ({"sf_id": sf_id, "name": f"Campaign {n}", "is_active": 1} for n, sf_id in enumerate(campaigns)),
    )

    def people() -> Iterator[dict]:
        for n in range(persons):
            contact = n % 3 == 0
            sf_id = f"{'003' if contact else '00Q'}{n:012d}AAA"
            yield {
                "sf_id": sf_id,
                "sfdc_type": "contact" if contact else "lead",
                "sf_contact_id" if contact else "sf_lead_id": sf_id,
                "email": f"person{n}@example{n % 97}.com",
                "first_name": f"First{n % 5000}",
                "last_name": f"Last{n}",
                "company": f"Company {n % 40000}",
                "status": "" if contact else rng.choice(("Open - Not Contacted", "Working - Contacted")),
                "owner_sf_id": owners[n % len(owners)],
                "account_sf_id": accounts[n % len(accounts)] if contact else None,
                "sf_modstamp": stamp(now - timedelta(seconds=n * 7)),
                "sf_deleted": 1 if n % 997 == 0 else 0,
                "sync_error": "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone" if n % 1999 == 0 else "",
                "is_converted": 1 if contact and n % 9 == 0 else 0,
            }

    insert(m.Person, people())
    first_id = m.Person.objects.order_by("id").values_list("id", flat=True).first()
    heavy = first_id + 12  # a lead (12 % 3 != 0)
    insert(
        m.CampaignMember,
        (
            {
                "sf_id": f"00v{n:012d}AAA",
                "campaign_sf_id": campaigns[n % 50],
                "person_id": first_id + n * 7 % persons,
            }
            for n in range(min(persons, 50_000))
        ),
    )
    insert(
        m.OutboundChange,
        (
            {"sobject": "Lead", "local_id": first_id + n * 13 % persons, "field": "Title", "new_value": '"x"'}
            for n in range(1000)
        ),
    )

    def log() -> Iterator[dict]:
        attributes = '{"field": "Email", "old_value": "a@example.com", "new_value": "b@example.com"}'
        for n in range(activity):
            person = heavy if n < HEAVY_LOG else first_id + rng.randrange(persons)
            yield {
                "person_id": person,
                "occurred_at": stamp(now - timedelta(seconds=n * 3)),
                "type": TYPES[n % len(TYPES)],
                "outcome": "failed" if n % 500 == 0 else "success",
                "primary_attribute": "Email",
                "attributes": attributes,
                "source": "Salesforce",
            }

    insert(m.ActivityLog, log())
    usage = {"status": "succeeded", "api_calls": 2, "api_used": 40_000, "api_limit": 100_000}
    ago = [now - timedelta(minutes=5 * n) for n in range(2000, 0, -1)]
    runs = [
        {"started_at": stamp(at), "finished_at": stamp(at + timedelta(seconds=40)), **usage} for at in ago
    ]
    insert(m.SyncRun, runs)
    run_ids = list(m.SyncRun.objects.values_list("id", "started_at"))
    insert(
        m.SyncStep,
        (
            {"run_id": run_id, "sobject": sobject, "operation": "pull_updates", "status": "succeeded",
             "started_at": stamp(at), "finished_at": stamp(at), "updated": 3}
            for run_id, at in run_ids
            for sobject in ("User", "Account", "Campaign", "Lead", "Contact", "Opportunity", "Task", "Event")
        ),
    )  # fmt: skip
    insert(
        m.SyncError,
        (
            {"level": "record", "sobject": "Lead", "operation": "push_updates", "sf_id": f"00Q{n:012d}AAA",
             "person_id": first_id + n % persons, "code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
             "message": "Phone must be in international format",
             "occurred_at": stamp(now - timedelta(seconds=n))}
            for n in range(ERRORS)
        ),
    )  # fmt: skip
    # The schema step describes the picklists the list filters offer (else they fall back to DISTINCT scans).
    for sobject, api_name, values in (
        ("Lead", "Status", ("Open - Not Contacted", "Working - Contacted", "Closed - Converted")),
        ("Lead", "LeadSource", ("Web", "Phone Inquiry", "Partner Referral")),
        ("Contact", "LeadSource", ("Web", "Phone Inquiry", "Partner Referral")),
    ):
        m.FieldSetting.objects.create(
            sobject=sobject,
            api_name=api_name,
            type="picklist",
            picklist_values=[{"value": v} for v in values],
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "heavy_person": heavy}


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
    pages = {
        # The baseline: a page that reads nothing from the mirror (session, user, template, middleware).
        "baseline: password change form": "/admin/password_change/",
        "dashboard": "/admin/",
        "people": people,
        "people, search 'Last4242'": f"{people}?q=Last4242",
        "people, search an email": f"{people}?q=person777%40example1.com",
        "people, search a lead id": f"{people}?q=00Q000000000013AAA",
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
    }
    timings = {name: timed(client, url, repeat) for name, url in pages.items()}
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
    db = args.db.resolve() if args.db else workdir / "admin.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    fresh = not db.exists()
    setup_django(db)
    from syncapp.models import Person

    if fresh:
        seeded = seed(args.persons, args.activity)
    else:
        first = Person.objects.order_by("id").values_list("id", flat=True).first()
        seeded = {"seconds": 0, "heavy_person": first + 12, "reused": str(db)}
    result = {
        "persons": Person.objects.count(),
        "activity": args.activity,
        "seed": seeded,
        **measure(args.repeat, seeded["heavy_person"]),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
