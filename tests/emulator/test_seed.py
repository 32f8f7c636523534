"""The demo org generator: deterministic, realistic proportions, consistent links, rule-breaking records."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce  # noqa: TID251
from simple_salesforce.exceptions import SalesforceMalformedRequest  # noqa: TID251

from sfdc_emulator.org.org import Org
from sfdc_emulator.seed import demo as seed_module
from sfdc_emulator.seed.demo import seed_demo
from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session

AS_OF = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
TABLES = ("Account", "Contact", "Lead", "Opportunity", "OpportunityContactRole", "Campaign", "CampaignMember",
          "CampaignMemberStatus", "Subscription__c", "Task", "Event")  # fmt: skip


def dump(org: Org) -> dict[str, list[tuple]]:
    return {t: org.store.fetchall(f'SELECT * FROM "{t}" ORDER BY Id') for t in TABLES}


def test_the_same_seed_gives_the_same_org_and_another_seed_does_not() -> None:
    orgs = [Org() for _ in range(3)]
    for org, seed in zip(orgs, (7, 7, 8), strict=True):
        seed_demo(org.store, persons=300, seed=seed, as_of=AS_OF)
    first, again, other = (dump(org) for org in orgs)
    assert first == again
    assert first["Lead"] != other["Lead"]
    assert sum(len(rows) for rows in first.values()) > 300


@pytest.fixture(scope="module")
def demo_server() -> Iterator[RunningEmulator]:
    running = RunningEmulator.start(seed="demo", persons=2000)
    yield running
    running.stop()


@pytest.fixture
def seeded(demo_server: RunningEmulator) -> Salesforce:
    """simple-salesforce as the sync user on a 2,000-person demo org, reset before each test."""
    demo_server.reset()
    return Salesforce(
        session_id=demo_server.token(), instance=demo_server.instance, session=https_session(demo_server)
    )


def test_the_seed_endpoint_fills_the_org_with_sixty_percent_leads(
    emulator: RunningEmulator, sf: Salesforce
) -> None:
    summary = emulator.seed(persons=200)
    assert (summary["counts"]["Lead"], summary["counts"]["Contact"]) == (120, 80)
    assert count(sf, "SELECT COUNT() FROM Lead") == 120


def count(sf: Salesforce, soql: str) -> int:
    return sf.query(soql)["totalSize"]


def test_people_split_sixty_forty_and_contacts_are_grouped_three_to_eight_per_account(
    seeded: Salesforce,
) -> None:
    assert count(seeded, "SELECT COUNT() FROM Lead") == 1200
    assert count(seeded, "SELECT COUNT() FROM Contact") == 800
    groups = seeded.query_all("SELECT AccountId, COUNT(Id) n FROM Contact GROUP BY AccountId")["records"]
    sizes = sorted(g["n"] for g in groups)
    assert all(g["AccountId"] for g in groups)
    assert set(sizes[1:]) <= set(range(3, 9))  # the last account may take the remainder
    assert count(seeded, "SELECT COUNT() FROM Account") == len(groups)


def test_demo_org_has_opportunities_campaigns_custom_objects_and_activities(seeded: Salesforce) -> None:
    related = ("Opportunity", "OpportunityContactRole", "CampaignMember", "Subscription__c", "Task", "Event")
    for sobject in related:
        assert count(seeded, f"SELECT COUNT() FROM {sobject}") > 50, sobject
    assert count(seeded, "SELECT COUNT() FROM Campaign") >= 6
    members = seeded.query_all("SELECT CampaignId, LeadId, ContactId, Status FROM CampaignMember")["records"]
    statuses = {(s["CampaignId"], s["Label"]) for s in seeded.query_all(
        "SELECT CampaignId, Label FROM CampaignMemberStatus")["records"]}  # fmt: skip
    assert all((m["CampaignId"], m["Status"]) in statuses for m in members)
    assert all(bool(m["LeadId"]) != bool(m["ContactId"]) for m in members)
    roles = seeded.query_all("SELECT Contact.AccountId, Opportunity.AccountId FROM OpportunityContactRole")[
        "records"
    ]
    assert all(r["Contact"]["AccountId"] == r["Opportunity"]["AccountId"] for r in roles)
    subscriptions = seeded.query_all("SELECT Account__c, Contact__r.AccountId FROM Subscription__c")[
        "records"
    ]
    assert all(s["Account__c"] == s["Contact__r"]["AccountId"] for s in subscriptions)
    assert count(seeded, "SELECT COUNT() FROM Task WHERE WhoId = null") == 0


def test_owners_are_spread_over_users_and_the_lead_queue(seeded: Salesforce) -> None:
    owners = seeded.query_all("SELECT OwnerId, COUNT(Id) n FROM Lead GROUP BY OwnerId")["records"]
    prefixes = {o["OwnerId"][:3] for o in owners}
    assert prefixes == {"005", "00G"}
    assert len(owners) >= 4


def test_some_leads_are_already_converted_into_existing_contacts(seeded: Salesforce) -> None:
    converted = seeded.query_all(
        "SELECT ConvertedContactId, ConvertedAccountId, ConvertedContact.AccountId, Status FROM Lead "
        "WHERE IsConverted = true"
    )["records"]
    assert 10 <= len(converted) <= 40
    assert all(c["Status"] == "Closed - Converted" for c in converted)
    assert all(c["ConvertedContact"]["AccountId"] == c["ConvertedAccountId"] for c in converted)


def test_a_few_records_break_the_validation_rules_and_saving_them_is_refused(seeded: Salesforce) -> None:
    phones = seeded.query_all("SELECT Id, Phone FROM Lead WHERE IsConverted = false")["records"]
    bad_phones = [p["Id"] for p in phones if p["Phone"] and not re.fullmatch(r"[0-9+\- ]+", p["Phone"])]
    assert 0 < len(bad_phones) < len(phones) * 0.02
    no_postcode = count(
        seeded, "SELECT COUNT() FROM Contact WHERE MailingCountry = 'Germany' AND MailingPostalCode = null"
    )
    germans = count(seeded, "SELECT COUNT() FROM Contact WHERE MailingCountry = 'Germany'")
    assert 0 < no_postcode < germans * 0.2
    with pytest.raises(SalesforceMalformedRequest) as info:
        seeded.Lead.update(bad_phones[0], {"Title": "Buyer"})
    assert info.value.content[0]["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def test_seeded_stamps_are_whole_seconds_in_the_past_and_never_before_creation(seeded: Salesforce) -> None:
    records = seeded.query("SELECT CreatedDate, LastModifiedDate, SystemModstamp FROM Contact LIMIT 500")[
        "records"
    ]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    for r in records:
        assert r["CreatedDate"] <= r["LastModifiedDate"] == r["SystemModstamp"] < now
        assert r["SystemModstamp"].endswith(".000+0000")


def test_api_writes_after_seeding_get_fresh_ids(seeded: Salesforce) -> None:
    created = seeded.Lead.create({"LastName": "New", "Company": "Acme"})["id"]
    assert count(seeded, f"SELECT COUNT() FROM Lead WHERE Id = '{created}'") == 1
    assert count(seeded, "SELECT COUNT() FROM Lead") == 1201


def test_a_big_seed_rebuilds_every_index_it_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed_module, "BIG_SEED", 100)
    org = Org()
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = org.store.fetchall(indexes)
    seed_demo(org.store, persons=300, seed=1, as_of=AS_OF)
    assert org.store.fetchall(indexes) == before
    plan = org.store.fetchall("EXPLAIN QUERY PLAN SELECT Id FROM Contact WHERE AccountId = 'x'")
    assert "USING INDEX" in str(plan)
