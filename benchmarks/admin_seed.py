"""The admin benchmark's mirror, written straight into the database (bulk inserts, no sync): `seed()`.

A million people, ten million log rows, one person with 10,000 of them, 100,000 sync errors, 2,000 cycles: on
SQLite or PostgreSQL (psycopg refuses an int for a boolean column, so booleans are sent as booleans).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

HEAVY_LOG = 10_000
ERRORS = 100_000
BATCH = 20_000
TYPES = ("change_data_value", "new_person", "sync_to_sfdc", "add_to_campaign", "sfdc_activity")


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
    flags = {f.column for f in fields if f.get_internal_type() == "BooleanField"}
    placeholders = ", ".join("%s" for _ in columns)
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) VALUES ({placeholders})'
    count, batch = 0, []
    for row in rows:
        batch.append([bool(row[c]) if c in flags and c in row else row.get(c, defaults[c]) for c in columns])
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
