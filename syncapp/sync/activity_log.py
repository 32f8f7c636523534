"""Writing a person's activity log: rows are collected while a page is applied and inserted in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from syncapp.models import ActivityLog, Person
from syncapp.sync.pull.upsert import Inserter

Type = ActivityLog.Type
Outcome = ActivityLog.Outcome
SALESFORCE = "Salesforce"
# Fields that change on every save and mean nothing to a marketer.
NOT_LOGGED = frozenset({"SystemModstamp", "LastModifiedDate", "LastModifiedById", "LastActivityDate", "Id"})


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class ActivityWriter:
    """Collects ActivityLog rows; `flush()` writes them in one bulk insert."""

    sync_run_id: int | None = None
    flow_run_id: int | None = None
    source: str = SALESFORCE
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        person_id: int,
        type_: str,
        primary: str = "",
        *,
        outcome: str = Outcome.SUCCESS,
        occurred_at: datetime | None = None,
        source: str | None = None,
        actor_id: int | None = None,
        **attributes: Any,
    ) -> None:
        self.rows.append(
            {
                "person_id": person_id,
                "occurred_at": occurred_at or timezone.now(),
                "type": type_,
                "outcome": outcome,
                "primary_attribute": primary[:255],
                "attributes": {k: v for k, v in attributes.items() if v not in (None, "", [], {})},
                "source": source or self.source,
                "sync_run_id": self.sync_run_id,
                "flow_run_id": self.flow_run_id,
                "actor_id": actor_id,
            }
        )

    def field_changes(
        self,
        person_id: int,
        old: dict[str, Any],
        new: dict[str, Any],
        changed: list[str],
        *,
        occurred_at: datetime | None = None,
        reason: str = "Salesforce sync",
    ) -> None:
        """One "Change Data Value" row per changed field, with old and new value."""
        for name in changed:
            if name in NOT_LOGGED:
                continue
            self.add(
                person_id,
                Type.CHANGE_DATA_VALUE,
                name,
                occurred_at=occurred_at,
                old_value=display(old.get(name)),
                new_value=display(new.get(name)),
                reason=reason,
            )

    def flush(self) -> int:
        """Insert the collected rows (one executemany; the sync writes millions of them on a first load)."""
        count = len(self.rows)
        if self.rows:
            _inserter().write(self.rows)
            self.rows = []
        return count


_INSERTERS: dict[str, Inserter] = {}


def _inserter() -> Inserter:
    if connection.vendor not in _INSERTERS:
        _INSERTERS[connection.vendor] = Inserter(ActivityLog)
    return _INSERTERS[connection.vendor]


def log_new_people(
    person_ids: list[int] | None = None,
    *,
    after_pk: int | None = None,
    sfdc_type: str,
    sync_run_id: int | None,
) -> None:
    """One "New Person" row per person (`person_ids`, or every person above `after_pk`), built by the
    database from the person rows themselves.

    A first load writes one of these for each of possibly millions of people: an `INSERT … SELECT` saves
    building and binding every row in Python.
    """
    table = connection.ops.quote_name(ActivityLog._meta.db_table)
    people = connection.ops.quote_name(Person._meta.db_table)
    if connection.vendor == "postgresql":
        attributes = "json_build_object('sfdc_type', %s, 'source_type', 'Salesforce')::jsonb"
        now = "now()"
    else:
        attributes = "json_object('sfdc_type', %s, 'source_type', 'Salesforce')"
        now = "strftime('%%Y-%%m-%%d %%H:%%M:%%S', 'now')"
    sql = (
        f"INSERT INTO {table} (person_id, occurred_at, type, outcome, primary_attribute, attributes, "
        "source, sync_run_id) "
        f"SELECT id, COALESCE(sf_created_at, sf_modstamp, {now}), %s, %s, "
        f"CASE WHEN email <> '' THEN email ELSE COALESCE(sf_id, '') END, {attributes}, %s, %s "
        f"FROM {people} WHERE "
    )
    params = [Type.NEW_PERSON, Outcome.SUCCESS, sfdc_type, SALESFORCE, sync_run_id]
    with connection.cursor() as cursor:
        if after_pk is not None:
            cursor.execute(sql + "id > %s", [*params, after_pk])
        ids = person_ids or []
        if ids and connection.vendor == "postgresql":
            cursor.execute(sql + "id = ANY(%s)", [*params, ids])  # one array parameter for the whole page
            return
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            cursor.execute(sql + f"id IN ({', '.join(['%s'] * len(chunk))})", [*params, *chunk])
