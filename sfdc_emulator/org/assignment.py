"""Lead assignment rules as data (spec streaming-and-assignment §6): one active rule per object.

A rule is `{"name", "object": "Lead", "active", "entries": [...], "default_owner"?}`; each entry is
`{"when": [conditions], "assign_to": user or queue, "notify": bool}` with the validation rules' conditions
(rules.py). Entries are tried in order and the first whose conditions all hold assigns the owner; none → the
default owner (Lead Settings' "Default Lead Owner"), else the record keeps the owner it was saved with.
`notify` stands for the entry's email template: the new owner hears of it only when the write asked for user
email (SOAP EmailHeader.triggerUserEmail; REST never does).

Each rule is an `AssignmentRule` row (queryable, read-only over the API) plus its entries here, in
`_emu_assignment_rules` keyed by the row's id, since rule entries are no sObject in Salesforce either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sfdc_emulator.org import ids
from sfdc_emulator.org.errors import RecordError, RecordFailure
from sfdc_emulator.org.rules import CONDITION_OPS, condition_holds
from sfdc_emulator.org.store import Store
from sfdc_emulator.org.users import user_id_of

RULE_OBJECTS = ("Lead",)
# The default org's active lead rule: DACH leads to the lead queue, French ones to the SDR, else the rep.
DEFAULT_ASSIGNMENT_RULE: dict[str, object] = {
    "name": "Lead Routing",
    "object": "Lead",
    "active": True,
    "entries": [
        {
            "when": [
                {"field": "Country", "op": "in", "value": ["Germany", "DE", "Austria", "AT", "Switzerland"]}
            ],
            "assign_to": "Lead_Queue",
            "notify": True,
        },
        {
            "when": [{"field": "Country", "op": "in", "value": ["France", "FR"]}],
            "assign_to": "rep2",
            "notify": True,
        },
    ],
    "default_owner": "rep",
}


@dataclass(frozen=True)
class Assign:
    """What one write asks of assignment rules: the object's active rule, or the rule with this id."""

    rule_id: str | None = None

    @classmethod
    def from_rest_header(cls, value: str | None) -> Assign | None:
        """`Sforce-Auto-Assign`: absent or TRUE runs the active rule, FALSE none, an id that rule (§6.1)."""
        text = (value or "").strip()
        if not text or text.lower() == "true":
            return cls()
        if text.lower() == "false":
            return None
        return cls(rule_id=text)


@dataclass(frozen=True)
class Assignment:
    owner_id: str
    notify: bool


def owner_for(store: Store, obj_name: str, record: Mapping[str, object], assign: Assign) -> Assignment | None:
    """The owner the rule gives `record` as it will be saved; None when no rule applies."""
    if obj_name not in RULE_OBJECTS:
        return None
    rule = _rule(store, obj_name, assign)
    if rule is None:
        return None
    for entry in rule["entries"]:
        if all(condition_holds(c, record, None) for c in entry.get("when") or []):
            return Assignment(str(entry["assign_to"]), bool(entry.get("notify")))
    default = rule.get("default_owner")
    return Assignment(str(default), False) if default else None


def _rule(store: Store, obj_name: str, assign: Assign) -> dict | None:
    if assign.rule_id is None:
        row = store.fetchone(
            'SELECT r.spec FROM "AssignmentRule" a JOIN _emu_assignment_rules r ON r.id = a.Id '
            "WHERE a.SobjectType = ? AND a.Active = 1 AND a.IsDeleted = 0",
            (obj_name,),
        )
        return json.loads(row[0]) if row else None
    rule_id = ids.normalize(assign.rule_id)
    if rule_id is None:
        raise RecordFailure(RecordError("MALFORMED_ID", f"malformed id {assign.rule_id}"))
    row = store.fetchone("SELECT spec FROM _emu_assignment_rules WHERE id = ?", (rule_id,))
    spec = json.loads(row[0]) if row else None
    # A named rule runs whether active or not (§6.2), but only on its own object.
    return spec if spec is not None and spec["object"] == obj_name else None


# --- the rules as data -------------------------------------------------------------------------------------


def check_assignment_spec(spec: Mapping[str, object], store: Store) -> dict[str, object]:
    """Validate a rule definition (ValueError with a sentence); owners resolved to ids."""
    rule = dict(spec)
    if not rule.get("name"):
        raise ValueError("an assignment rule needs 'name'")
    obj_name = str(rule.get("object") or "Lead")
    if obj_name not in RULE_OBJECTS:
        raise ValueError(f"assignment rules exist for {', '.join(RULE_OBJECTS)} only, not {obj_name!r}")
    obj = store.object(obj_name)
    entries = rule.get("entries") or []
    if not isinstance(entries, list):
        raise ValueError("'entries' must be a list")
    checked = []
    for entry in entries:
        conds = [dict(c) for c in entry.get("when") or []]
        for cond in conds:
            fd = obj.field(str(cond.get("field", "")))
            if fd is None or cond.get("op") not in CONDITION_OPS:
                raise ValueError(
                    f"bad condition {cond!r}: needs a field of {obj_name} and an op in {CONDITION_OPS}"
                )
            cond["field"] = fd.name
        owner = _owner_id(store, entry.get("assign_to"), obj_name)
        checked.append({"when": conds, "assign_to": owner, "notify": bool(entry.get("notify"))})
    rule.update(object=obj_name, active=bool(rule.get("active", True)), entries=checked)
    if rule.get("default_owner"):
        rule["default_owner"] = _owner_id(store, rule["default_owner"], obj_name)
    return rule


def _owner_id(store: Store, who: object, obj_name: str) -> str:
    """A user (key, username or id) or a queue (name, developer name or id) that may own `obj_name`."""
    text = str(who or "")
    try:
        return user_id_of(store, text)
    except KeyError:
        pass
    row = store.fetchone(
        "SELECT Id FROM \"Group\" WHERE Type = 'Queue' AND IsDeleted = 0 "
        "AND (Id = ? OR Name = ? OR DeveloperName = ?)",
        (ids.normalize(text) or "", text, text),
    )
    if row is None:
        raise ValueError(f"no user or queue {text!r}")
    if not queue_supports(store, row[0], obj_name):
        raise ValueError(f"queue {text!r} does not support {obj_name}")
    return row[0]


def queue_supports(store: Store, queue_id: str, obj_name: str) -> bool:
    """Whether a queue may own records of `obj_name` (its QueueSobject rows, Setup's Supported Objects)."""
    row = store.fetchone(
        'SELECT 1 FROM "QueueSobject" WHERE QueueId = ? AND SobjectType = ? AND IsDeleted = 0',
        (queue_id, obj_name),
    )
    return row is not None


def put_rule(store: Store, rule: Mapping[str, object], *, user_id: str) -> str:
    """Create or replace the rule named `rule["name"]`; an active rule deactivates the object's others."""
    stamp = store.clock.stamp()
    with store.transaction():
        if rule["active"]:
            for (other,) in store.fetchall(
                'SELECT Id FROM "AssignmentRule" WHERE SobjectType = ? AND Active = 1 AND Name != ?',
                (rule["object"], rule["name"]),
            ):
                _save(store, other, {"Active": 0}, user_id, stamp)
        found = store.fetchone(
            'SELECT Id FROM "AssignmentRule" WHERE Name = ? AND IsDeleted = 0', (rule["name"],)
        )
        values = {"Active": int(bool(rule["active"])), "SobjectType": rule["object"]}
        if found is None:
            [rule_id] = store.bulk_insert(
                "AssignmentRule", [{"Name": rule["name"], **values}], user_id=user_id
            )
        else:
            rule_id = found[0]
            _save(store, rule_id, values, user_id, stamp)
        spec = {**rule, "id": rule_id}
        store.execute(
            "INSERT INTO _emu_assignment_rules (id, spec) VALUES (?, ?) "
            "ON CONFLICT(id) DO UPDATE SET spec = excluded.spec",
            (rule_id, json.dumps(spec)),
        )
    return rule_id


def _save(store: Store, rule_id: str, values: dict, user_id: str, stamp: str) -> None:
    stamps = {"LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp}
    store.update_row("AssignmentRule", rule_id, {**values, **stamps})
    row = store.fetchone("SELECT spec FROM _emu_assignment_rules WHERE id = ?", (rule_id,))
    if row is not None and "Active" in values:
        spec = {**json.loads(row[0]), "active": bool(values["Active"])}
        store.execute("UPDATE _emu_assignment_rules SET spec = ? WHERE id = ?", (json.dumps(spec), rule_id))


def all_rules(store: Store) -> list[dict[str, object]]:
    rows = store.fetchall(
        'SELECT r.spec FROM _emu_assignment_rules r JOIN "AssignmentRule" a ON a.Id = r.id '
        "WHERE a.IsDeleted = 0 ORDER BY a.Name"
    )
    return [json.loads(r[0]) for r in rows]


def remove_rule(store: Store, name: str) -> bool:
    found = store.fetchone('SELECT Id FROM "AssignmentRule" WHERE Name = ? AND IsDeleted = 0', (name,))
    if found is None:
        return False
    with store.transaction():
        store.execute('DELETE FROM "AssignmentRule" WHERE Id = ?', (found[0],))
        store.execute("DELETE FROM _emu_assignment_rules WHERE id = ?", (found[0],))
    return True
