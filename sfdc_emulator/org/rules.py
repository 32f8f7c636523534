"""The org's declarative validation rules (built-in field checks live in checks.py).

Validation rules are data, never code: a fixed catalogue of parametrised kinds evaluated against the record as
it
would be saved (storage encoding). A rule fires (FIELD_CUSTOM_VALIDATION_EXCEPTION with its message and field)
when every `when` condition holds and its check fails. Kinds:
  regex     {"field", "pattern"}            non-blank value must fully match the pattern
  required  {"field"}                       value must not be blank
  range     {"field", "min"?, "max"?}       non-blank number within bounds
  one_of    {"field", "values"}             non-blank value among `values` (case-insensitive)
  compare   {"field", "op", "other_field"}  when both are set, `field op other_field` must hold
  (lt/lte/gt/gte/…)
  condition {}                              fires whenever `when` holds (like a formula rule)
Conditions: {"field", "op": equals|not_equals|in|not_in|blank|not_blank|matches|gt|gte|lt|lte|changed,
"value"}.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping

from sfdc_emulator.org.errors import RecordError
from sfdc_emulator.org.schema import ObjectDef

RULE_KINDS = ("regex", "required", "range", "one_of", "compare", "condition")
CONDITION_OPS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "blank",
    "not_blank",
    "matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "changed",
)

DEFAULT_RULES: tuple[dict[str, object], ...] = (
    {
        "name": "Lead_Phone_Format",
        "object": "Lead",
        "kind": "regex",
        "field": "Phone",
        "pattern": r"[0-9+\- ]+",
        "message": "Phone may only contain digits, spaces, + and -.",
        "error_field": "Phone",
    },
    {
        "name": "Contact_Germany_Postal_Code",
        "object": "Contact",
        "kind": "required",
        "field": "MailingPostalCode",
        "when": [{"field": "MailingCountry", "op": "in", "value": ["Germany", "DE", "Deutschland"]}],
        "message": "A contact in Germany needs a mailing postal code.",
        "error_field": "MailingPostalCode",
    },
    {
        "name": "Subscription_End_After_Start",
        "object": "Subscription__c",
        "kind": "compare",
        "field": "End_Date__c",
        "op": "gte",
        "other_field": "Start_Date__c",
        "message": "End Date must be on or after Start Date.",
        "error_field": "End_Date__c",
    },
    {
        "name": "Opportunity_Amount_Not_Negative",
        "object": "Opportunity",
        "kind": "range",
        "field": "Amount",
        "min": 0,
        "message": "Amount cannot be negative.",
        "error_field": "Amount",
    },
)


def _blank(value: object) -> bool:
    return value is None or value == ""


def _cmp(op: str, a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    try:
        return {
            "equals": a == b,
            "not_equals": a != b,
            "gt": a > b,  # type: ignore[operator]
            "gte": a >= b,  # type: ignore[operator]
            "lt": a < b,  # type: ignore[operator]
            "lte": a <= b,  # type: ignore[operator]
        }[op]
    except TypeError:
        return False


def condition_holds(cond: Mapping[str, object], record: Mapping[str, object], old: Mapping | None) -> bool:
    field, op, expected = str(cond["field"]), str(cond["op"]), cond.get("value")
    value = record.get(field)
    if op == "blank":
        return _blank(value)
    if op == "not_blank":
        return not _blank(value)
    if op == "changed":
        return old is None or old.get(field) != value
    if op in ("in", "not_in"):
        options = [str(v).lower() for v in expected or []]  # type: ignore[union-attr]
        inside = value is not None and str(value).lower() in options
        return inside if op == "in" else not inside
    if op == "matches":
        return value is not None and re.fullmatch(str(expected), str(value)) is not None
    if isinstance(expected, bool):
        expected = int(expected)
    return value is not None and _cmp(op, value, expected)


def rule_fires(rule: Mapping[str, object], record: Mapping[str, object], old: Mapping | None) -> bool:
    if not all(condition_holds(c, record, old) for c in rule.get("when") or []):  # type: ignore[union-attr]
        return False
    kind = rule["kind"]
    value = record.get(str(rule.get("field", "")))
    if kind == "condition":
        return True
    if kind == "required":
        return _blank(value)
    if _blank(value):
        return False
    if kind == "regex":
        return re.fullmatch(str(rule["pattern"]), str(value)) is None
    if kind == "range":
        low, high = rule.get("min"), rule.get("max")
        return (low is not None and value < low) or (high is not None and value > high)  # type: ignore[operator]
    if kind == "one_of":
        return str(value).lower() not in [str(v).lower() for v in rule["values"]]  # type: ignore[union-attr]
    if kind == "compare":
        other = record.get(str(rule["other_field"]))
        return not _blank(other) and not _cmp(str(rule["op"]), value, other)
    return False


def check_rule_spec(spec: Mapping[str, object], obj: ObjectDef) -> dict[str, object]:
    """Validate a rule definition (ValueError with a sentence); returns it with canonical field names."""
    rule = dict(spec)
    for key in ("name", "kind", "message"):
        if not rule.get(key):
            raise ValueError(f"a validation rule needs '{key}'")
    if rule["kind"] not in RULE_KINDS:
        raise ValueError(f"unknown rule kind {rule['kind']!r}; use one of {', '.join(RULE_KINDS)}")
    rule["object"] = obj.name
    for key in ("field", "other_field", "error_field"):
        if rule.get(key):
            fd = obj.field(str(rule[key]))
            if fd is None:
                raise ValueError(f"{obj.name} has no field {rule[key]!r}")
            rule[key] = fd.name
    if rule["kind"] != "condition" and not rule.get("field"):
        raise ValueError(f"a {rule['kind']} rule needs 'field'")
    if rule["kind"] == "regex":
        re.compile(str(rule.get("pattern", "")))
    conds = rule.get("when") or []
    if not isinstance(conds, list):
        raise ValueError("'when' must be a list of conditions")
    for cond in conds:
        fd = obj.field(str(cond.get("field", "")))
        if fd is None or cond.get("op") not in CONDITION_OPS:
            raise ValueError(
                f"bad condition {cond!r}: needs a field of {obj.name} and an op in {CONDITION_OPS}"
            )
        cond["field"] = fd.name
    rule.setdefault("active", True)
    return rule


class ValidationRules:
    """The org's validation rules, persisted in `_emu_validation_rules` and cached per object."""

    def __init__(self, store: object) -> None:
        self.store = store
        self._cache: dict[str, list[dict[str, object]]] | None = None
        self._lock = threading.Lock()

    def all(self) -> list[dict[str, object]]:
        rows = self.store.fetchall("SELECT spec FROM _emu_validation_rules ORDER BY name")  # type: ignore[attr-defined]
        return [json.loads(r[0]) for r in rows]

    def for_object(self, obj_name: str) -> list[dict[str, object]]:
        with self._lock:
            if self._cache is None:
                cache: dict[str, list[dict[str, object]]] = {}
                for rule in self.all():
                    if rule.get("active", True):
                        cache.setdefault(str(rule["object"]), []).append(rule)
                self._cache = cache
            return self._cache.get(obj_name, [])

    def put(self, rule: Mapping[str, object]) -> None:
        self.store.execute(  # type: ignore[attr-defined]
            "INSERT INTO _emu_validation_rules (name, object, spec) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET object = excluded.object, spec = excluded.spec",
            (rule["name"], rule["object"], json.dumps(rule)),
        )
        self.invalidate()

    def remove(self, name: str) -> bool:
        cur = self.store.execute("DELETE FROM _emu_validation_rules WHERE name = ?", (name,))  # type: ignore[attr-defined]
        self.invalidate()
        return cur.rowcount > 0

    def invalidate(self) -> None:
        with self._lock:
            self._cache = None


def validation_errors(
    rules: list[dict[str, object]], record: Mapping, old: Mapping | None
) -> list[RecordError]:
    errors = []
    for rule in rules:
        on = rule.get("on", "both")
        if (on == "insert" and old is not None) or (on == "update" and old is None):
            continue
        if rule_fires(rule, record, old):
            field = rule.get("error_field")
            errors.append(
                RecordError(
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION", str(rule["message"]), (str(field),) if field else ()
                )
            )
    return errors
