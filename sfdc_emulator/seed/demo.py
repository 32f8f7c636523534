"""The demo org generator: `seed_demo(store, persons=N, seed=42)`, called by `--seed demo --persons N`.

N people split ~60/40 between leads and contacts, contacts grouped 3-8 per account, opportunities with
contact roles, campaigns with member statuses and members, Subscription__c records, tasks and events, owners
spread over the users and the lead queue, a few leads already converted, and a small share of records that
break the demo org's validation rules (inserted bypassing the rules, as data that predates a rule would be).

Speed: Faker values are drawn once into pools (pools.py) and combined with one seeded random.Random;
rows are built as tuples in column order and written with executemany in large chunks (rows.py), so
1,000,000 people take well under two minutes. Same seed + same `as_of` + same starting org → same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from sfdc_emulator.org.store import Store, q
from sfdc_emulator.seed.pools import build_pools, slug
from sfdc_emulator.seed.related import (
    INDUSTRIES,
    LANGUAGES,
    LEAD_SOURCES,
    PRODUCTS,
    RATINGS,
    Owners,
    RelatedRows,
)
from sfdc_emulator.seed.rows import RowWriter, Stamps

LEAD_SHARE = 0.6
CONVERTED_SHARE = 0.02  # of leads: converted before the sync ever ran
BAD_LEAD_PHONE_SHARE = 0.004  # leads whose phone breaks the "digits only" rule
GERMAN_NO_POSTCODE_SHARE = 0.03  # German contacts without a postal code (breaks the postal-code rule)
BIG_SEED = 50_000  # persons from which indexes are rebuilt after the insert instead of maintained
SEEDED_TABLES = ("Account", "Contact", "Lead", "Opportunity", "OpportunityContactRole", "Campaign",
                 "CampaignMember", "CampaignMemberStatus", "Subscription__c", "Task", "Event")  # fmt: skip
BAD_PHONES = ("+1 555-CALL-NOW", "ask for reception", "n/a", "0800 FLOWERS", "tbd", "+49 30 12x34")

_LEAD_STATUSES = (("Open - Not Contacted", 45), ("Working - Contacted", 35), ("Closed - Not Converted", 20))


@dataclass(frozen=True)
class SeedSummary:
    """Row counts written per sObject."""

    counts: dict[str, int]
    seconds: float

    @property
    def persons(self) -> int:
        return self.counts.get("Lead", 0) + self.counts.get("Contact", 0)


class _Gen(RelatedRows):
    """Contacts (grouped into accounts) and leads, plus everything hanging off them."""

    # --- accounts, contacts, opportunities -----------------------------------------------------------------

    def contacts(self, count: int, convert_from: set[int]) -> list[tuple]:
        """Contacts in account groups of 3-8; returns the data converted leads are rebuilt from."""
        rng, st, w = self.rng, self.st, self.w
        converted_sources: list[tuple] = []
        done = 0
        while done < count:
            size = min(rng.randint(3, 8), count - done)
            loc = self.locale_slots[int(rng.random() * 100)]
            company = loc.companies[int(rng.random() * len(loc.companies))]
            domain = slug(company.split(",")[0].split(" ")[0]) + (
                ".com" if loc.country == "United States" else ".net"
            )
            place = loc.places[int(rng.random() * len(loc.places))]
            account_id = w.new_id("Account")
            owner = self.owner()
            created, modified = st.pair(rng)
            revenue = float(rng.randrange(1, 500) * 100000)
            w.add(
                "Account",
                (account_id, 0, company, created, owner, modified, owner, modified, owner,
                 ("Customer - Direct", "Prospect", "Customer - Channel", "Partner")[int(rng.random() * 4)],
                 place.street, place.city, place.state, place.postal_code, loc.country,
                 self.phone(loc), "https://www." + domain, INDUSTRIES[int(rng.random() * len(INDUSTRIES))],
                 RATINGS[int(rng.random() * 3)], LEAD_SOURCES[int(rng.random() * len(LEAD_SOURCES))],
                 revenue, rng.randrange(5, 5000), ("Gold", "Silver", "Bronze", None)[int(rng.random() * 4)],
                 float(rng.randrange(20, 100))),
            )  # fmt: skip
            members = []
            for _ in range(size):
                index = done
                done += 1
                first, last, salutation, fs, ls = self.person(loc)
                c_created, c_modified = st.pair(rng, not_before=created)
                contact_id = w.new_id("Contact")
                postal = place.postal_code
                if loc.country == "Germany" and rng.random() < GERMAN_NO_POSTCODE_SHARE:
                    postal = None
                email = f"{fs}.{ls}@{domain}"
                phone = self.phone(loc)
                source = LEAD_SOURCES[int(rng.random() * len(LEAD_SOURCES))]
                title = self.p.titles[int(rng.random() * len(self.p.titles))]
                w.add(
                    "Contact",
                    (contact_id, 0, f"{first} {last}", c_created, owner, c_modified, owner, c_modified, owner,
                     last, first, salutation, account_id, title, email, phone,
                     self.phone(loc) if rng.random() < 0.5 else None, place.street, place.city,
                     place.state, postal,
                     loc.country, source, int(rng.random() < 0.05), int(rng.random() < 0.03),
                     LANGUAGES.get(loc.country, "Dutch"), int(rng.random() < 0.7)),
                )  # fmt: skip
                members.append(contact_id)
                if index in convert_from:
                    converted_sources.append(
                        (contact_id, account_id, first, last, salutation, title, email, phone, place, loc,
                         company,
                         source, c_created, owner)
                    )  # fmt: skip
                self.memberships(None, contact_id, c_created)
                self.activities(contact_id, account_id if rng.random() < 0.5 else None, owner, c_created)
            self.opportunities(account_id, company, owner, created, members)
            self.subscriptions(account_id, company, members, created)
        return converted_sources

    # --- leads ---------------------------------------------------------------------------------------------

    def leads(self, count: int, converted_sources: list[tuple]) -> None:
        rng, st, w = self.rng, self.st, self.w
        statuses = [s for s, weight in _LEAD_STATUSES for _ in range(weight)]
        queue = self.owners.queue
        for source in converted_sources:
            (contact_id, account_id, first, last, salutation, title, email, phone, place, loc, company,
             lead_source,
             c_created, owner) = source  # fmt: skip
            created, _ = st.pair(rng)
            created = min(created, c_created)
            w.add(
                "Lead",
                (w.new_id("Lead"), 0, f"{first} {last}", created, owner, c_created, owner, c_created, owner,
                 last, first, salutation, title, company, email, phone, None, place.street, place.city,
                 place.state, place.postal_code, loc.country, lead_source, "Closed - Converted",
                 INDUSTRIES[int(rng.random() * len(INDUSTRIES))], RATINGS[int(rng.random() * 3)], None,
                 None,
                 0, 0, 0, 1, c_created[:10], account_id, contact_id, None, float(rng.randrange(0, 100)),
                 float(rng.randrange(0, 100)), None, None),
            )  # fmt: skip
        for _ in range(count - len(converted_sources)):
            loc = self.locale_slots[int(rng.random() * 100)]
            first, last, salutation, fs, ls = self.person(loc)
            company = loc.companies[int(rng.random() * len(loc.companies))]
            place = loc.places[int(rng.random() * len(loc.places))]
            created, modified = st.pair(rng)
            owner = queue if queue is not None and rng.random() < 0.15 else self.owner()
            actor = owner if owner != queue else self.owner()
            if rng.random() < 0.25:
                email = (
                    f"{fs}.{ls}@{self.p.free_mail_domains[int(rng.random() * len(self.p.free_mail_domains))]}"
                )
            else:
                email = f"{fs[0]}{ls}@{slug(company.split(',')[0].split(' ')[0])}.com"
            if rng.random() < BAD_LEAD_PHONE_SHARE:
                phone = BAD_PHONES[int(rng.random() * len(BAD_PHONES))]
            else:
                phone = self.phone(loc)
            interest = None
            if rng.random() < 0.4:
                interest = ";".join(sorted(rng.sample(PRODUCTS, rng.randint(1, 2)), key=PRODUCTS.index))
            detail = (
                self.p.catch_phrases[int(rng.random() * len(self.p.catch_phrases))]
                if rng.random() < 0.2
                else None
            )
            lead_id = w.new_id("Lead")
            w.add(
                "Lead",
                (lead_id, 0, f"{first} {last}", created, actor, modified, actor, modified, owner,
                 last, first, salutation, self.p.titles[int(rng.random() * len(self.p.titles))], company,
                 email,
                 phone, self.phone(loc) if rng.random() < 0.3 else None, place.street, place.city,
                 place.state,
                 place.postal_code, loc.country, LEAD_SOURCES[int(rng.random() * len(LEAD_SOURCES))],
                 statuses[int(rng.random() * 100)], INDUSTRIES[int(rng.random() * len(INDUSTRIES))],
                 RATINGS[int(rng.random() * 3)], float(rng.randrange(1, 200) * 50000), rng.randrange(1,
                 2000),
                 int(rng.random() < 0.04), int(rng.random() < 0.02), int(rng.random() < 0.1), 0, None,
                 None, None,
                 None, float(rng.randrange(0, 100)), float(rng.randrange(0, 100)), interest,
                 detail),
            )  # fmt: skip
            self.memberships(lead_id, None, created)
            self.activities(lead_id, None, actor, created)


def generate(
    writer: RowWriter, owners: Owners, *, persons: int, seed: int = 42, as_of: dt.datetime | None = None
) -> None:
    """Write the demo rows for `persons` people through `writer` (no store access besides the writer)."""
    if not owners.users:
        raise ValueError("The org has no active user to own the demo records")
    rng = random.Random(seed)
    pools = build_pools()
    gen = _Gen(writer, pools, owners, rng, Stamps(as_of))
    n_leads = round(persons * LEAD_SHARE)
    n_contacts = persons - n_leads
    n_converted = min(round(n_leads * CONVERTED_SHARE), n_contacts)
    gen.campaigns_and_statuses(max(6, min(80, persons // 5000)))
    convert_from = set(rng.sample(range(n_contacts), n_converted)) if n_converted else set()
    converted_sources = gen.contacts(n_contacts, convert_from)
    gen.leads(n_leads, converted_sources)
    writer.flush()


def org_owners(store: Store) -> Owners:
    """Active standard users (the record owners of a real org) and the first lead queue."""
    rows = store.fetchall(
        "SELECT Id FROM \"User\" WHERE IsActive = 1 AND coalesce(UserType, 'Standard') = 'Standard' "
        "ORDER BY Id"
    )
    queue = store.fetchone(
        "SELECT Id FROM \"Group\" WHERE Type = 'Queue' AND IsDeleted = 0 ORDER BY Id LIMIT 1"
    )
    return Owners(users=tuple(r[0] for r in rows), queue=queue[0] if queue else None)


def seed_demo(
    store: Store, persons: int = 5000, seed: int = 42, *, as_of: dt.datetime | None = None
) -> SeedSummary:
    """Fill `store` with the demo org for `persons` people (the CLI's `--seed demo --persons N` calls this).

    Rows go straight into the tables in one transaction, bypassing validation rules (demo history, including
    the records that break today's rules); ids are minted by the store so later API writes never collide.
    """
    started = time.perf_counter()
    owners = org_owners(store)

    def insert(sobject: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        store.conn.executemany(
            f"INSERT INTO {q(sobject)} ({', '.join(q(c) for c in columns)}) VALUES ({marks})", rows
        )

    writer = RowWriter(insert, store.new_ids)
    with store.transaction():
        dropped = _drop_indexes(store) if persons >= BIG_SEED else []
        generate(writer, owners, persons=persons, seed=seed, as_of=as_of)
        for sql in dropped:
            store.conn.execute(sql)
        _campaign_counts(store)
    return SeedSummary(counts=dict(writer.counts), seconds=time.perf_counter() - started)


def _drop_indexes(store: Store) -> list[str]:
    """Drop the secondary indexes of the seeded tables; returns their CREATE statements to rebuild them.

    Why: building an index once over sorted data is much cheaper than maintaining it row by row (about 40% of
    the time of a million-person seed). Only worth it when the seed dwarfs what the tables already hold.
    """
    statements = []
    for table in SEEDED_TABLES:
        existing = store.fetchone(f"SELECT count(*) FROM {q(table)}")
        if existing and existing[0] > BIG_SEED:
            continue
        for name, sql in store.fetchall(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ):
            store.conn.execute(f"DROP INDEX {q(name)}")
            statements.append(sql)
    return statements


def _campaign_counts(store: Store) -> None:
    """Campaign.NumberOfLeads/NumberOfContacts are roll-ups a real org maintains."""
    live = "m.CampaignId = Campaign.Id AND m.IsDeleted = 0"
    store.conn.execute(
        f"UPDATE Campaign SET "
        f"NumberOfLeads = (SELECT count(*) FROM CampaignMember m WHERE {live} AND m.LeadId IS NOT NULL), "
        f"NumberOfContacts = (SELECT count(*) FROM CampaignMember m WHERE {live} AND m.ContactId IS NOT NULL)"
    )


__all__ = ["Owners", "SeedSummary", "generate", "org_owners", "seed_demo"]
