"""Row plumbing for the demo seed: column orders, chunked writer, id minting, whole-second stamps."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator

_SYS = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)
_NAMED = ("Id", "IsDeleted", "Name", *_SYS[2:], "OwnerId")
_OWNED = (*_SYS, "OwnerId")

# Column order of the tuples demo.py builds, per sObject (names are the storage columns = API names).
COLUMNS: dict[str, tuple[str, ...]] = {
    "Campaign": (
        *_NAMED, "Type", "Status", "IsActive", "StartDate", "EndDate", "ParentId", "BudgetedCost",
        "ActualCost",
        "ExpectedRevenue",
    ),
    "CampaignMemberStatus": (*_SYS, "CampaignId", "Label", "SortOrder", "IsDefault", "HasResponded"),
    "CampaignMember": (*_SYS, "CampaignId", "LeadId", "ContactId", "Status", "HasResponded",
    "FirstRespondedDate"),
    "Task": (
        *_OWNED, "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority", "Type", "TaskSubtype",
        "Description", "IsClosed",
    ),
    "Event": (
        *_OWNED, "WhoId", "WhatId", "Subject", "Location", "StartDateTime", "EndDateTime", "ActivityDateTime",
        "ActivityDate", "DurationInMinutes", "IsAllDayEvent", "Type", "ShowAs",
    ),
    "Account": (
        *_NAMED, "Type", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode",
        "BillingCountry",
        "Phone", "Website", "Industry", "Rating", "AccountSource", "AnnualRevenue", "NumberOfEmployees",
        "Customer_Tier__c", "Health_Score__c",
    ),
    "Contact": (
        *_NAMED, "LastName", "FirstName", "Salutation", "AccountId", "Title", "Email", "Phone", "MobilePhone",
        "MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "LeadSource",
        "HasOptedOutOfEmail", "DoNotCall", "Preferred_Language__c", "Marketing_Consent__c",
    ),
    "Opportunity": (
        *_NAMED, "AccountId", "StageName", "CloseDate", "Amount", "Probability", "Type", "LeadSource",
        "IsClosed",
        "IsWon", "CampaignId",
    ),
    "OpportunityContactRole": (*_SYS, "OpportunityId", "ContactId", "Role", "IsPrimary"),
    "Subscription__c": (
        *_NAMED, "Contact__c", "Account__c", "Product__c", "Status__c", "Start_Date__c", "End_Date__c",
        "Seats__c",
        "Monthly_Amount__c", "Auto_Renew__c",
    ),
    "Lead": (
        *_NAMED, "LastName", "FirstName", "Salutation", "Title", "Company", "Email", "Phone", "MobilePhone",
        "Street", "City", "State", "PostalCode", "Country", "LeadSource", "Status", "Industry", "Rating",
        "AnnualRevenue", "NumberOfEmployees", "HasOptedOutOfEmail", "DoNotCall", "IsUnreadByOwner",
        "IsConverted",
        "ConvertedDate", "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "Score__c",
        "Internal_Score__c", "Product_Interest__c", "Lead_Source_Detail__c",
    ),
}  # fmt: skip

InsertFn = Callable[[str, tuple[str, ...], list[tuple]], None]


class RowWriter:
    """Buffers rows per sObject, hands them to `insert` in chunks; ids come from `reserve_ids` in blocks."""

    ID_BLOCK = 4096

    def __init__(
        self, insert: InsertFn, reserve_ids: Callable[[str, int], list[str]], chunk: int = 25_000
    ) -> None:
        self._insert = insert
        self._reserve = reserve_ids
        self._chunk = chunk
        self._buffers: dict[str, list[tuple]] = {}
        self._ids: dict[str, Iterator[str]] = {}
        self.counts: dict[str, int] = {}

    def new_id(self, sobject: str) -> str:
        block = self._ids.get(sobject)
        if block is not None:
            rid = next(block, None)
            if rid is not None:
                return rid
        # Why blocks: the store mints ids (it caches the next sequence per object), so seeding never collides
        # with ids handed out by the API before or after it.
        self._ids[sobject] = iter(self._reserve(sobject, self.ID_BLOCK))
        return next(self._ids[sobject])

    def add(self, sobject: str, row: tuple) -> None:
        buf = self._buffers.get(sobject)
        if buf is None:
            buf = self._buffers[sobject] = []
        buf.append(row)
        if len(buf) >= self._chunk:
            self._flush_one(sobject)

    def _flush_one(self, sobject: str) -> None:
        rows = self._buffers.pop(sobject, None)
        if rows:
            self._insert(sobject, COLUMNS[sobject], rows)
            self.counts[sobject] = self.counts.get(sobject, 0) + len(rows)

    def flush(self) -> None:
        for sobject in list(self._buffers):
            self._flush_one(sobject)


class Stamps:
    """Whole-second UTC datetime strings in the storage form, without datetime objects on the hot path."""

    SPAN_DAYS = 3 * 365

    def __init__(self, as_of: dt.datetime | None = None) -> None:
        if as_of is None:
            # Midnight UTC today: the same seed gives the same data all day; seeded stamps stay in the past.
            now = dt.datetime.now(dt.UTC)
            as_of = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
        first_day = (as_of - dt.timedelta(days=self.SPAN_DAYS + 10)).date()
        self._base = int(
            dt.datetime(first_day.year, first_day.month, first_day.day, tzinfo=dt.UTC).timestamp()
        )
        self._days = [(first_day + dt.timedelta(days=n)).isoformat() for n in range(self.SPAN_DAYS + 1200)]
        self._day_index = {day: n for n, day in enumerate(self._days)}
        self._tod = [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000+0000" for s in range(86400)]
        self._start = self._base + 10 * 86400
        self._end = int(as_of.timestamp()) - 3600

    def fmt(self, t: int) -> str:
        off = t - self._base
        return self._days[off // 86400] + self._tod[off % 86400]

    def parse(self, stamp: str) -> int:
        secs = int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])
        return self._base + self._day_index[stamp[:10]] * 86400 + secs

    def pair(self, rng: random.Random, not_before: str | None = None) -> tuple[str, str]:
        """(CreatedDate, SystemModstamp): created uniform over the span, modified skewed toward creation."""
        lo = self._start if not_before is None else self.parse(not_before)
        hi = self._end
        created = lo + int(rng.random() * (hi - lo))
        modified = created + int(rng.random() ** 3 * (hi - created))
        return self.fmt(created), self.fmt(modified)

    def after(self, rng: random.Random, stamp: str) -> str:
        lo = self.parse(stamp)
        return self.fmt(lo + int(rng.random() * (self._end - lo)))

    def day(self, rng: random.Random, stamp: str) -> str:
        return self.add_days(stamp[:10], int(rng.random() * 30))

    def add_days(self, day: str, n: int) -> str:
        return self._days[self._day_index[day] + n]

    def add_minutes(self, stamp: str, minutes: int) -> str:
        return self.fmt(self.parse(stamp) + minutes * 60)
