"""The admin benchmark's mirror: a million people and ten million log rows, made by the database itself.

People and log rows come from one `INSERT … SELECT` each over a counter (no Python per row: the per-row
`executemany` of the first version needed 281 s for a fifth of this size), and so do accounts,
opportunities, tasks and events (`seed_sales.py`): the same rows on SQLite and PostgreSQL (`seed_sql.py`
picks the few expressions the two write differently). The person table's indexes
and the log's are set aside and rebuilt as the pull does for a first load (`sync/indexes.py`), and the
search keys are filled by the same function as after the pull's fast lane (`fill_search_keys`), so the seed
also times those two steps at full size. The smaller tables (members, errors, runs) go through `executemany`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from benchmarks.seed_sales import seed_sales
from benchmarks.seed_sql import dialect, insert, insert_counted, stamp

HEAVY_LOG = 10_000
ERRORS = 100_000
TYPES = ("change_data_value", "new_person", "sync_to_sfdc", "add_to_campaign", "sfdc_activity")
ATTRIBUTES = '{"field": "Email", "old_value": "a@example.com", "new_value": "b@example.com"}'


def seed_people(persons: int, now: datetime) -> None:
    from syncapp import models as m

    sql = dialect()
    contact = "n %% 3 = 0"  # `%%`: SQL's modulo, escaped for the `%(name)s` placeholders
    insert_counted(
        m.Person,
        persons,
        {
            "sf_id": f"CASE WHEN {contact} THEN {sql.sf_id('003', 'n')} ELSE {sql.sf_id('00Q', 'n')} END",
            "sfdc_type": f"CASE WHEN {contact} THEN 'contact' ELSE 'lead' END",
            "sf_contact_id": f"CASE WHEN {contact} THEN {sql.sf_id('003', 'n')} END",
            "sf_lead_id": f"CASE WHEN {contact} THEN NULL ELSE {sql.sf_id('00Q', 'n')} END",
            "email": "'person' || n || '@example' || (n %% 97) || '.com'",
            "first_name": "'First' || (n %% 5000)",
            "last_name": "'Last' || n",
            "company": "'Company ' || (n %% 40000)",
            "status": f"CASE WHEN {contact} THEN '' WHEN (n * 7919) %% 2 = 0 THEN 'Open - Not Contacted' "
            "ELSE 'Working - Contacted' END",
            "owner_sf_id": sql.sf_id("005", "n %% 200"),
            "account_sf_id": f"CASE WHEN {contact} THEN {sql.sf_id('001', 'n %% %(accounts)s')} END",
            "sf_modstamp": sql.before("n * 7"),
            "sf_deleted": "n %% 997 = 0",
            "sync_error": "CASE WHEN n %% 1999 = 0 THEN %(rejection)s ELSE '' END",
            "is_converted": f"{contact} AND n %% 9 = 0",
        },
        {
            "now": now_param(now),
            "accounts": max(persons // 20, 1),
            "rejection": "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone",
        },
    )


def now_param(now: datetime) -> str:
    """`now` to the second, with its offset: both databases read it as the same instant."""
    return now.isoformat(sep=" ", timespec="seconds")


def seed_log(activity: int, persons: int, first_id: int, heavy: int, now: datetime) -> None:
    from syncapp import models as m

    kinds = " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(TYPES))
    insert_counted(
        m.ActivityLog,
        activity,
        {
            # The heavy person's 10,000 entries are the newest; the rest spread over everyone (a
            # multiplicative hash, not random(): the same mirror every time).
            "person_id": f"CASE WHEN n < {HEAVY_LOG} THEN %(heavy)s "
            "ELSE %(first)s + (n * 2654435761) %% %(persons)s END",
            "occurred_at": dialect().before("n * 3"),
            "type": f"CASE n %% {len(TYPES)} {kinds} END",
            "outcome": "CASE WHEN n %% 500 = 0 THEN 'failed' ELSE 'success' END",
            "primary_attribute": "'Email'",
            "attributes": "%(attributes)s",
            "source": "'Salesforce'",
        },
        {
            "heavy": heavy,
            "first": first_id,
            "persons": persons,
            "now": now_param(now),
            "attributes": ATTRIBUTES,
        },
    )


def timed(step: str, seconds: dict[str, float], work) -> object:
    started = time.perf_counter()
    result = work()
    seconds[step] = round(time.perf_counter() - started, 1)
    return result


def seed(persons: int, activity: int) -> dict[str, object]:
    from django.db import connection

    from syncapp import models as m
    from syncapp.models.search import fill_search_keys
    from syncapp.sync.indexes import defer_indexes, rebuild_indexes

    now = datetime.now(UTC)
    seconds: dict[str, float] = {}
    with connection.cursor() as cursor:
        for statement in dialect().bulk_session:
            cursor.execute(statement)
    owners = [f"005{n:012d}AAA" for n in range(200)]
    insert(
        m.SalesforceUser, ({"sf_id": i, "name": f"Owner {n}", "kind": "user"} for n, i in enumerate(owners))
    )
    campaigns = [f"701{n:012d}AAA" for n in range(50)]
    insert(
        m.Campaign,
        ({"sf_id": sf_id, "name": f"Campaign {n}", "is_active": True} for n, sf_id in enumerate(campaigns)),
    )
    for model in (m.Person, m.ActivityLog, m.Account, m.Opportunity, m.SalesforceActivity):
        defer_indexes(model)  # rebuilt once filled (and their search keys with them), in one sort each
    timed("people", seconds, lambda: seed_people(persons, now))
    first_id = m.Person.objects.order_by("id").values_list("id", flat=True).first()
    heavy = first_id + 12  # a lead (12 % 3 != 0)
    timed("search keys (fill_search_keys)", seconds, lambda: fill_search_keys(m.Person, after_pk=0))
    timed("activity log", seconds, lambda: seed_log(activity, persons, first_id, heavy, now))
    seed_sales(persons, first_id, now, lambda step, work: timed(step, seconds, work))
    rebuilt = timed("indexes (rebuild_indexes)", seconds, rebuild_indexes)
    seconds.update({f"  of which {table}": round(s, 1) for table, s in rebuilt.items()})
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
    seed_sync_state(now, first_id, persons)
    timed("ANALYZE", seconds, lambda: connection.cursor().execute("ANALYZE"))
    return {"seconds": seconds, "heavy_person": heavy}


def seed_sync_state(now: datetime, first_id: int, persons: int) -> None:
    """2,000 cycles of 8 steps, 100,000 record errors, and the picklists the list filters offer."""
    from syncapp import models as m

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
    insert(m.SyncError, errors(now, first_id, persons))
    # The schema step describes the picklists the list filters offer (else they fall back to DISTINCT scans).
    for sobject, api_name, values in (
        ("Lead", "Status", ("Open - Not Contacted", "Working - Contacted", "Closed - Converted")),
        ("Lead", "LeadSource", ("Web", "Phone Inquiry", "Partner Referral")),
        ("Contact", "LeadSource", ("Web", "Phone Inquiry", "Partner Referral")),
        ("Account", "Type", ("Customer - Direct", "Prospect")),
        ("Account", "Industry", ("Banking", "Retail", "Technology")),
        ("Opportunity", "StageName", ("Prospecting", "Closed Won")),
        ("Task", "Status", ("Not Started", "Completed")),
        ("Event", "Status", ("Not Started", "Completed")),
    ):
        m.FieldSetting.objects.create(
            sobject=sobject,
            api_name=api_name,
            type="picklist",
            picklist_values=[{"value": v} for v in values],
        )


def errors(now: datetime, first_id: int, persons: int) -> Iterator[dict]:
    for n in range(ERRORS):
        yield {
            "level": "record",
            "sobject": "Lead",
            "operation": "push_updates",
            "sf_id": f"00Q{n:012d}AAA",
            "person_id": first_id + n % persons,
            "code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": "Phone must be in international format",
            "occurred_at": stamp(now - timedelta(seconds=n)),
        }
