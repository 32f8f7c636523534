"""Record by record, every synced field of every compared object: the emulator's org against the mirror.

One module for every fault scenario. `compare` takes the org (read over the emulator's control API) and a
mirror dump (`mirror.dump`, taken in a worker process) and returns what differs, what is missing or extra,
which people are doubled, and which local edits were lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncapp.sync.pull.values import canonical_datetime, without_nul

# Fields whose values the mirror derives or Salesforce computes at read time: not a mirrored value.
SKIPPED = frozenset({"attributes"})


@dataclass
class Report:
    compared: int = 0  # records compared field by field
    fields: int = 0  # field values compared
    mismatches: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in Salesforce, not in the mirror
    extra: list[str] = field(default_factory=list)  # in the mirror, not (or no longer) in Salesforce
    doubled: list[str] = field(default_factory=list)  # one Salesforce record held by two people
    duplicates: list[str] = field(default_factory=list)  # a Salesforce record created twice
    lost_edits: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)  # outbox rows still pending after a clean cycle
    refused: list[str] = field(default_factory=list)  # edits Salesforce rejected (a validation rule…): told

    @property
    def clean(self) -> bool:
        return not (
            self.mismatches
            or self.missing
            or self.extra
            or self.doubled
            or self.duplicates
            or self.lost_edits
            or self.unsettled
        )

    def summary(self) -> str:
        problems = {
            "mismatches": self.mismatches,
            "missing": self.missing,
            "extra": self.extra,
            "doubled": self.doubled,
            "duplicates": self.duplicates,
            "lost edits": self.lost_edits,
            "unsettled": self.unsettled,
        }
        lines = [f"{self.compared} records, {self.fields} values compared"]
        lines += [f"{name}: {len(found)}, e.g. {found[:5]}" for name, found in problems.items() if found]
        return "\n".join(lines)


def normal(value: Any) -> Any:
    """One spelling per value: the mirror stores NUL as its symbol, datetimes in REST form, numbers as
    numbers whether CSV or JSON delivered them."""
    if isinstance(value, str):
        value = without_nul(value)
        if len(value) in (24, 28) and value[4:5] == "-" and value[10:11] == "T":
            return canonical_datetime(value)
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def org_records(emulator: Any, sobject: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """Every live record of `sobject` in the org, with the fields the mirror syncs."""
    wanted = [n for n in names if n not in SKIPPED] or ["Id"]
    records = emulator.query(f"SELECT {', '.join(wanted)} FROM {sobject}")
    if sobject == "Lead":  # a converted lead lives on as its contact
        records = [r for r in records if not r.get("IsConverted")]
    return {r["Id"]: r for r in records}


def compare(emulator: Any, dump: dict[str, Any], edits: list[dict[str, Any]] = ()) -> Report:
    report = Report()
    # A value Salesforce refused stays in the mirror beside its rejection (the person page and the activity
    # log say so) until someone changes it: that field is not expected to match.
    refused = {(r["sf_id"], r["field"]) for r in dump["outbox"] if r["state"] == "rejected"}
    for sobject, held in dump["objects"].items():
        org = org_records(emulator, sobject, held["names"])
        mirror = held["records"]
        report.missing += [f"{sobject} {sf_id}" for sf_id in org.keys() - mirror.keys()]
        report.extra += [f"{sobject} {sf_id}" for sf_id in mirror.keys() - org.keys()]
        for sf_id in org.keys() & mirror.keys():
            report.compared += 1
            theirs, ours = org[sf_id], mirror[sf_id]
            for name in held["names"]:
                if name in SKIPPED or name not in theirs or (sf_id, name) in refused:
                    continue
                report.fields += 1
                if normal(theirs[name]) != normal(ours["fields"].get(name)):
                    report.mismatches.append(
                        f"{sobject} {sf_id} {name}: org {theirs[name]!r}, mirror {ours['fields'].get(name)!r}"
                    )
            for name, column in ours["columns"].items():
                expected = normal(theirs.get(name)) or ""
                if (
                    name in theirs and (sf_id, name) not in refused and not expected.startswith(column or "")
                ):  # a column may cut a long value
                    report.mismatches.append(f"{sobject} {sf_id} column {name}: {column!r} vs {expected!r}")
    _people(dump, report)
    _edits(emulator, dump, edits, report)
    return report


def _people(dump: dict[str, Any], report: Report) -> None:
    seen: dict[str, int] = {}
    for _, lead_id, contact_id, _, _ in dump["people"]:
        for sf_id in (lead_id, contact_id):
            if sf_id:
                seen[sf_id] = seen.get(sf_id, 0) + 1
    report.doubled += [sf_id for sf_id, n in seen.items() if n > 1]


def _edits(emulator: Any, dump: dict[str, Any], edits: list[dict[str, Any]], report: Report) -> None:
    """Every local edit reached Salesforce (or lost a conflict Salesforce wins), and its row says so."""
    report.unsettled += [
        f"{r['sobject']} {r['sf_id']} {r['field']}" for r in dump["outbox"] if r["state"] == "pending"
    ]
    states = {(r["sf_id"], r["field"], r["new_value"]): r["state"] for r in dump["outbox"]}
    for edit in edits:
        value = emulator.record(edit["sobject"], edit["sf_id"]).get(edit["field"])
        state = states.get((edit["sf_id"], edit["field"], edit["value"]))
        if edit.get("may_lose") and state == "superseded":
            continue
        if edit.get("expect") == "rejected":  # Salesforce refused it: said so, and nothing else was lost
            if state != "rejected" or value == edit["value"]:
                report.lost_edits.append(
                    f"{edit['sobject']} {edit['sf_id']} {edit['field']}: {state}, not rejected"
                )
            continue
        if state == "rejected":  # a record-level refusal is an answer, shown on the person: not lost
            report.refused.append(f"{edit['sobject']} {edit['sf_id']} {edit['field']}")
            continue
        if value != edit["value"] and not edit.get("overwritten_later"):
            report.lost_edits.append(
                f"{edit['sobject']} {edit['sf_id']} {edit['field']}={edit['value']!r}: {value!r}"
            )
        elif state not in ("sent", None) and not edit.get("overwritten_later"):
            report.lost_edits.append(
                f"{edit['sobject']} {edit['sf_id']} {edit['field']}: outbox says {state}"
            )
