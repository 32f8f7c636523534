"""Per-object behaviour on top of the generic pull: the Hook base and what every hook receives.

A hook never pulls or writes records itself; it adjusts a page before the upsert (`prepare`,
`extra_columns`) and turns what the page did into activity log rows afterwards (`after`). Each registry
entry names its hook class; `person.py` holds the people's (conversions, merges, deletes), `links.py` the
rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Model

from syncapp.models import Person
from syncapp.models.search import fill_new_search_keys
from syncapp.sync.activity_log import ActivityWriter
from syncapp.sync.pull.values import Column
from syncapp.sync.steps import Counts


class HookedObject(Protocol):
    """What a hook knows of its registry entry."""

    sobject: str
    columns: tuple[Column, ...]
    key: str  # the model field holding the Salesforce id


@dataclass
class RowChange:
    """What one record did to the mirror; hooks turn these into activity log rows and links."""

    sf_id: str
    pk: int | None
    old: dict[str, Any] | None  # every field by API name before, columns included (None: new record)
    new: dict[str, Any]  # every field by API name after
    changed: list[str]
    deleted_now: bool
    modstamp: datetime | None
    rebased: bool = False  # a placeholder (e.g. a converted lead's contact) got its first real record

    @property
    def created(self) -> bool:
        return self.old is None


class Hook:
    """The default: no links, no activity rows of its own."""

    extra_attnames: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    # Whether new records may take the Bulk CSV fast lanes (`pull/fast_lane.py`, `pull/copy_lane.py`), which
    # skip `prepare`, `extra_columns` and `after` for them: a hook that links or logs new records must say
    # how in SQL (`bulk_columns`, `bulk_condition`, `after_bulk_insert`) or turn this off.
    bulk_insert = True

    def __init__(self, entry: HookedObject, writer: ActivityWriter) -> None:
        self.entry = entry
        self.writer = writer

    @classmethod
    def required_fields(cls, sobject: str) -> tuple[str, ...]:
        """Fields this hook reads: they sync whatever Field settings say."""
        return cls.needs

    def prepare(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Counts]:
        """The records left for the generic path, and the counts of those the hook applied itself."""
        return records, Counts()

    def extra_columns(self, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {}

    def after(self, changes: list[RowChange]) -> None:
        return None

    def finish(self) -> None:
        return None

    def bulk_columns(self, ref: Callable[[str], str | None]) -> dict[str, str] | None:
        """SQL for `extra_attnames` in the fast lane (`ref(field)` is the row's parameter for a field)."""
        return {} if not self.extra_attnames else None

    def bulk_condition(self, ref: Callable[[str], str | None]) -> str:
        """SQL true for the rows the fast lane may insert; the others come through `prepare` and `after`."""
        return ""

    def after_lane_insert(
        self, model: type[Model], *, after_pk: int | None, pks: tuple[int, ...], keyed: bool = False
    ) -> None:
        """What follows every fast lane insert: the new rows' search keys (SQL cannot fold accents as Python
        does; `keyed`: the lane made those SQL can), then the hook's own `after_bulk_insert`."""
        fill_new_search_keys(model, after_pk=after_pk, pks=pks, keyed=keyed)
        self.after_bulk_insert(after_pk=after_pk, pks=pks)

    def after_bulk_insert(self, *, after_pk: int | None, pks: tuple[int, ...]) -> None:
        """A fast lane inserted new rows in this transaction: those with a pk above `after_pk` (SQLite, one
        writer), or the given `pks` (PostgreSQL, where other sessions insert concurrently)."""
        return None


def people_by_sf_id(ids: set[str]) -> dict[str, int]:
    """Person pks for a set of lead or contact ids (either kind), in two indexed queries."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    found = dict(Person.objects.filter(sf_contact_id__in=ids).values_list("sf_contact_id", "id"))
    missing = ids - found.keys()
    if missing:
        found.update(Person.objects.filter(sf_lead_id__in=missing).values_list("sf_lead_id", "id"))
    return found
