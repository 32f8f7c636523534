"""Emails the org would send (assignment and conversion notifications), recorded for tests; nothing leaves.

Each entry is one message: to whom (user or queue id and its address), why (`reason`), about which record,
its subject and the org-clock time. Recorded in the writing transaction, so a rolled-back save sends nothing.
"""

from __future__ import annotations

import json

from sfdc_emulator.org import ids
from sfdc_emulator.org.store import Store

REASONS = ("lead_assignment", "owner_change", "lead_convert")
SUBJECTS = {
    "lead_assignment": "Lead {name} has been assigned to you",
    "owner_change": "Lead {name} has been transferred to you",
    "lead_convert": "Lead {name} has been converted",
}


def record_email(store: Store, *, to_id: str, reason: str, record_id: str, name: str | None) -> None:
    """Queue one notification for `to_id` (a user, or a queue: its email address when it has one)."""
    prefix = ids.prefix_of(to_id)
    table = "User" if prefix == "005" else "Group"
    row = store.fetchone(f'SELECT Email FROM "{table}" WHERE Id = ?', (to_id,))
    obj = store.schema.by_prefix(ids.prefix_of(record_id))
    entry = {
        "to_id": to_id,
        "to_address": row[0] if row else None,
        "reason": reason,
        "record_id": record_id,
        "sobject": obj.name if obj is not None else None,
        "subject": SUBJECTS[reason].format(name=name or record_id),
        "sent_at": store.clock.stamp(),
    }
    store.execute("INSERT INTO _emu_emails (spec) VALUES (?)", (json.dumps(entry),))


def recorded_emails(store: Store) -> list[dict[str, object]]:
    """Every recorded email, oldest first."""
    return [json.loads(r[0]) for r in store.fetchall("SELECT spec FROM _emu_emails ORDER BY seq")]


def clear_emails(store: Store) -> None:
    store.execute("DELETE FROM _emu_emails")
