"""Demo seed, related rows: campaigns with statuses and members, activities, opportunities, subscriptions."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sfdc_emulator.seed.pools import Locale, Pools
from sfdc_emulator.seed.rows import RowWriter, Stamps

LEAD_SOURCES = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
    "Webinar",
    "Trade Show",
)
INDUSTRIES = (
    "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education",
    "Electronics", "Energy", "Engineering", "Finance", "Healthcare", "Hospitality", "Insurance", "Machinery",
    "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Transportation", "Utilities",
)  # fmt: skip
RATINGS = ("Hot", "Warm", "Cold")
PRODUCTS = ("Starter", "Professional", "Enterprise", "Analytics Add-on", "Support Plus")
LANGUAGES = {
    "United States": "English",
    "United Kingdom": "English",
    "Germany": "German",
    "France": "French",
}
# Stage, probability, closed, won: IsClosed/IsWon follow the stage as in a real org.
_STAGES = (
    ("Prospecting", 10, 0, 0), ("Qualification", 10, 0, 0), ("Needs Analysis", 20, 0, 0),
    ("Value Proposition", 50, 0, 0), ("Proposal/Price Quote", 75, 0, 0), ("Negotiation/Review", 90, 0, 0),
    ("Closed Won", 100, 1, 1), ("Closed Won", 100, 1, 1), ("Closed Lost", 0, 1, 0),
)  # fmt: skip
_ROLES = ("Decision Maker", "Economic Buyer", "Technical Buyer", "Influencer", "Evaluator", "Business User")
_CAMPAIGN_KINDS = (
    ("Webinar", ("Sent", "Registered", "Attended")),
    ("Email", ("Sent", "Opened", "Clicked")),
    ("Conference", ("Invited", "Registered", "Attended")),
    ("Trade Show", ("Visited Booth", "Met", "Follow-up")),
    ("Direct Mail", ("Sent", "Responded")),
)
_CAMPAIGN_TOPICS = (
    "Data Sync", "Customer Onboarding", "Analytics Launch", "Spring Promo", "Partner Summit",
    "Security Briefing",
    "Product Tour", "Year-End Review", "Cloud Migration", "Automation Day",
)  # fmt: skip
_TASK_SUBJECTS = (
    ("Call", "Call"),
    ("Send Quote", "Task"),
    ("Email: Follow up", "Email"),
    ("Follow up", "Task"),
)
_TASK_STATUS = ("Not Started", "In Progress", "Completed", "Completed", "Completed")
_EVENT_SUBJECTS = ("Meeting", "Demo", "Lunch", "Discovery Call", "Onsite Visit")


@dataclass(frozen=True)
class Owners:
    """Who can own demo records: active users (reps first) and the lead queue."""

    users: tuple[str, ...]
    queue: str | None


class RelatedRows:
    """A seeding run's shared state (seeded Random, pools, owners, writer) and the rows hanging off people."""

    def __init__(
        self, writer: RowWriter, pools: Pools, owners: Owners, rng: random.Random, stamps: Stamps
    ) -> None:
        self.w = writer
        self.p = pools
        self.owners = owners
        self.rng = rng
        self.st = stamps
        total = pools.cum_weights[-1]
        # 100-slot table: picking a locale is one random() call instead of rng.choices().
        self.locale_slots = tuple(
            next(
                loc
                for loc, cum in zip(pools.locales, pools.cum_weights, strict=True)
                if slot * total / 100 < cum
            )
            for slot in range(100)
        )
        self.campaigns: list[tuple[str, tuple[tuple[str, int], ...]]] = []

    # --- helpers -------------------------------------------------------------------------------------------

    def owner(self) -> str:
        users = self.owners.users
        return users[int(self.rng.random() * len(users))]

    def phone(self, loc: Locale) -> str:
        digits = loc.phone_digits
        return f"{loc.phone_prefix} {self.rng.randrange(10 ** (digits - 1), 10**digits)}"

    def person(self, loc: Locale) -> tuple[str, str, str, str, str]:
        rng = self.rng
        first, first_slug, salutation = loc.first_names[int(rng.random() * len(loc.first_names))]
        last, last_slug = loc.last_names[int(rng.random() * len(loc.last_names))]
        return first, last, salutation, first_slug, last_slug

    # --- campaigns -----------------------------------------------------------------------------------------

    def campaigns_and_statuses(self, count: int) -> None:
        rng, st = self.rng, self.st
        for i in range(count):
            kind, labels = _CAMPAIGN_KINDS[i % len(_CAMPAIGN_KINDS)]
            cid = self.w.new_id("Campaign")
            created, modified = st.pair(rng)
            start = st.day(rng, created)
            year = start[:4]
            quarter = (int(start[5:7]) - 1) // 3 + 1
            topic = _CAMPAIGN_TOPICS[rng.randrange(len(_CAMPAIGN_TOPICS))]
            status = "Completed" if rng.random() < 0.6 else rng.choice(("Planned", "In Progress"))
            owner = self.owner()
            budget = float(rng.randrange(1, 50) * 1000)
            self.w.add(
                "Campaign",
                (cid, 0, f"{year} Q{quarter} {kind} - {topic}", created, owner, modified, owner, modified,
                 owner,
                 kind, status, int(status != "Completed"), start, st.add_days(start, rng.randrange(1, 60)),
                 None, budget, round(budget * rng.uniform(0.6, 1.2), 2), budget * rng.randrange(2, 10)),
            )  # fmt: skip
            statuses = []
            for order, label in enumerate(labels, start=1):
                responded = int(order > 1)
                self.w.add(
                    "CampaignMemberStatus",
                    (self.w.new_id("CampaignMemberStatus"), 0, created, owner, created, owner, created,
                     cid, label, order, int(order == 1), responded),
                )  # fmt: skip
                statuses.append((label, responded))
            self.campaigns.append((cid, tuple(statuses)))

    def memberships(self, lead_id: str | None, contact_id: str | None, created: str) -> None:
        rng = self.rng
        if rng.random() >= 0.3 or not self.campaigns:
            return
        count = 1 if rng.random() < 0.7 else 2
        for campaign_id, statuses in rng.sample(self.campaigns, min(count, len(self.campaigns))):
            label, responded = statuses[int(rng.random() * len(statuses))]
            stamp = self.st.after(rng, created)
            who = self.owner()
            self.w.add(
                "CampaignMember",
                (self.w.new_id("CampaignMember"), 0, stamp, who, stamp, who, stamp, campaign_id, lead_id,
                 contact_id,
                 label, responded, stamp[:10] if responded else None),
            )  # fmt: skip

    def activities(self, who_id: str, what_id: str | None, owner: str, created: str) -> None:
        rng, st = self.rng, self.st
        if rng.random() < 0.25:
            for _ in range(1 if rng.random() < 0.6 else 2):
                stamp = st.after(rng, created)
                subject, subtype = _TASK_SUBJECTS[int(rng.random() * len(_TASK_SUBJECTS))]
                status = _TASK_STATUS[int(rng.random() * len(_TASK_STATUS))]
                self.w.add(
                    "Task",
                    (self.w.new_id("Task"), 0, stamp, owner, stamp, owner, stamp, owner, who_id, what_id,
                     subject,
                     st.add_days(stamp[:10], rng.randrange(0, 10)), status,
                     "High" if rng.random() < 0.15 else "Normal",
                     subtype if subtype != "Task" else "Other", subtype, None, int(status == "Completed")),
                )  # fmt: skip
        if rng.random() < 0.08:
            stamp = st.after(rng, created)
            start = (
                st.add_days(stamp[:10], rng.randrange(1, 20)) + f"T{rng.randrange(8, 17):02d}:00:00.000+0000"
            )
            minutes = (30, 60, 60, 90)[int(rng.random() * 4)]
            end = st.add_minutes(start, minutes)
            self.w.add(
                "Event",
                (self.w.new_id("Event"), 0, stamp, owner, stamp, owner, stamp, owner, who_id, what_id,
                 _EVENT_SUBJECTS[int(rng.random() * len(_EVENT_SUBJECTS))], "Video call" if rng.random() < 0.6
                 else "Customer office", start, end, start, start[:10], minutes, 0, "Meeting", "Busy"),
            )  # fmt: skip

    def opportunities(
        self, account_id: str, company: str, owner: str, created: str, members: list[str]
    ) -> None:
        rng, st, w = self.rng, self.st, self.w
        roll = rng.random()
        count = 0 if roll < 0.35 else 1 if roll < 0.75 else 2 if roll < 0.95 else 3
        for _ in range(count):
            stage, probability, closed, won = _STAGES[int(rng.random() * len(_STAGES))]
            o_created, o_modified = st.pair(rng, not_before=created)
            product = PRODUCTS[int(rng.random() * len(PRODUCTS))]
            campaign = (
                self.campaigns[int(rng.random() * len(self.campaigns))][0] if rng.random() < 0.3 else None
            )
            opp_id = w.new_id("Opportunity")
            w.add(
                "Opportunity",
                (opp_id, 0, f"{company} - {product}", o_created, owner, o_modified, owner, o_modified, owner,
                 account_id, stage, st.add_days(o_created[:10], rng.randrange(10, 180)),
                 float(rng.randrange(5, 400) * 250), float(probability),
                 "New Customer" if rng.random() < 0.6 else "Existing Customer - Upgrade",
                 LEAD_SOURCES[int(rng.random() * len(LEAD_SOURCES))], closed, won, campaign),
            )  # fmt: skip
            for order, contact_id in enumerate(rng.sample(members, min(len(members), rng.randint(1, 2)))):
                w.add(
                    "OpportunityContactRole",
                    (w.new_id("OpportunityContactRole"), 0, o_created, owner, o_created, owner, o_created,
                     opp_id, contact_id, _ROLES[int(rng.random() * len(_ROLES))], int(order == 0)),
                )  # fmt: skip

    def subscriptions(self, account_id: str, company: str, members: list[str], created: str) -> None:
        rng, st, w = self.rng, self.st, self.w
        if rng.random() >= 0.5:
            return
        for _ in range(1 if rng.random() < 0.7 else 2):
            s_created, s_modified = st.pair(rng, not_before=created)
            product = PRODUCTS[int(rng.random() * len(PRODUCTS))]
            status = ("Active", "Active", "Trial", "Cancelled", "Expired")[int(rng.random() * 5)]
            start = s_created[:10]
            seats = float(rng.randrange(1, 200))
            owner = self.owner()
            w.add(
                "Subscription__c",
                (w.new_id("Subscription__c"), 0, f"{company} {product}"[:80], s_created, owner, s_modified,
                 owner,
                 s_modified, owner, members[int(rng.random() * len(members))], account_id, product, status,
                 start,
                 st.add_days(start, 365) if status in ("Cancelled", "Expired") else None, seats,
                 round(seats * rng.choice((9.0, 19.0, 49.0)), 2), int(rng.random() < 0.6)),
            )  # fmt: skip
