"""Conflict rules, decided at pull time: pure functions, no database, no Salesforce.

For each incoming field that has a pending local change, Salesforce changed it too iff the incoming value
differs from the change's base value (the Salesforce value the local edit started from). Then:
- Salesforce did not touch it: the local value stays and will be pushed;
- both sides now hold the same value: the edit is delivered (Salesforce holds it, whichever path put it
  there: a push whose answer a crash lost, or the same edit made in Salesforce), so its outbox row is
  "sent", never "superseded";
- both changed it differently: the object's policy decides. "salesforce" drops the local change;
  "local" keeps it (and acknowledges Salesforce's value as the new base, so the conflict is reported
  once, not every cycle until the push lands).
A Salesforce change to a field with no pending local change always lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SALESFORCE_WINS = "salesforce"
LOCAL_WINS = "local"


@dataclass(frozen=True)
class PendingChange:
    change_id: int
    base: Any
    value: Any


@dataclass(frozen=True)
class Conflict:
    field: str
    salesforce_value: Any
    local_value: Any
    winner: str

    def sentence(self) -> str:
        if self.winner == SALESFORCE_WINS:
            return (
                f"Salesforce won the conflict on {self.field}: kept {self.salesforce_value!r}, "
                f"dropped local {self.local_value!r}."
            )
        return (
            f"The local change won the conflict on {self.field}: kept {self.local_value!r}, "
            f"Salesforce's {self.salesforce_value!r} will be overwritten."
        )


@dataclass(frozen=True)
class Resolution:
    fields: dict[str, Any]  # what the mirror stores: incoming values, with kept local values
    superseded: tuple[int, ...] = ()  # local changes dropped for Salesforce's different value
    delivered: tuple[int, ...] = ()  # local changes Salesforce already holds: sent
    rebased: tuple[tuple[int, Any], ...] = ()  # (change id, new base value)
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)


def resolve(incoming: dict[str, Any], pending: dict[str, PendingChange], policy: str) -> Resolution:
    fields = dict(incoming)
    superseded: list[int] = []
    delivered: list[int] = []
    rebased: list[tuple[int, Any]] = []
    conflicts: list[Conflict] = []
    for name, change in pending.items():
        if name not in incoming:
            continue  # the field is not in this pull (hidden, or not requested): nothing to decide
        theirs = incoming[name]
        if theirs == change.base:
            fields[name] = change.value  # Salesforce did not touch it: the local edit stands
        elif theirs == change.value:
            delivered.append(change.change_id)  # Salesforce holds the local value: delivered
        elif policy == LOCAL_WINS:
            fields[name] = change.value
            rebased.append((change.change_id, theirs))
            conflicts.append(Conflict(name, theirs, change.value, LOCAL_WINS))
        else:
            superseded.append(change.change_id)
            conflicts.append(Conflict(name, theirs, change.value, SALESFORCE_WINS))
    return Resolution(
        fields=fields,
        superseded=tuple(superseded),
        delivered=tuple(delivered),
        rebased=tuple(rebased),
        conflicts=tuple(conflicts),
    )
