"""The org's side of the fault suite: who is in it, and edits made on both sides between cycles."""

from __future__ import annotations

import random


def people_ids(emulator) -> list[tuple[str, str]]:
    leads = emulator.query("SELECT Id FROM Lead WHERE IsConverted = false")
    contacts = emulator.query("SELECT Id FROM Contact")
    return [("Lead", r["Id"]) for r in leads] + [("Contact", r["Id"]) for r in contacts]


def person_count(emulator) -> int:
    return len(emulator.query("SELECT Id FROM Lead")) + len(emulator.query("SELECT Id FROM Contact"))


def make_changes(emulator, workers, rng: random.Random, round_: int, edits: list[dict]) -> list[dict]:
    """Local edits to some people and Salesforce edits of other fields of others, made between cycles."""
    people = people_ids(emulator)
    local = rng.sample(people, min(len(people), 25))
    for sobject, sf_id in rng.sample(people, min(len(people), 25)):
        emulator.update(sobject, sf_id, {"Description": f"org edit {round_}"}, as_user="rep")
    changes = [
        {"sf_id": sf_id, "changes": {"title": f"Title {round_}.{n}"}} for n, (_, sf_id) in enumerate(local)
    ]
    workers.queue_edits(changes)
    for earlier in edits:
        if any(earlier["sf_id"] == sf_id for _, sf_id in local):
            earlier["overwritten_later"] = True
    return [
        {"sobject": sobject, "sf_id": sf_id, "field": "Title", "value": change["changes"]["title"]}
        for (sobject, sf_id), change in zip(local, changes, strict=True)
    ]
