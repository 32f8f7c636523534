"""The admin benchmark's seed writes the same mirror on SQLite and PostgreSQL (run with DATABASE_URL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from benchmarks import admin_seed
from benchmarks.admin_seed import ATTRIBUTES, TYPES, seed_log, seed_people
from benchmarks.seed_sales import seed_sales
from benchmarks.seed_sql import insert
from syncapp import models as m

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PERSONS = 40


@pytest.fixture
def people() -> list[m.Person]:
    insert(m.SalesforceUser, ({"sf_id": f"005{n:012d}AAA", "name": f"Owner {n}"} for n in range(200)))
    insert(m.Account, ({"sf_id": f"001{n:012d}AAA", "name": f"Account {n}"} for n in range(PERSONS // 20)))
    seed_people(PERSONS, NOW)
    return list(m.Person.objects.order_by("id"))


def test_the_seeded_lead_13_is_the_one_the_benchmark_searches_by_id_and_email(people):
    lead = people[13]
    assert (lead.sf_id, lead.sf_lead_id, lead.sf_contact_id) == ("00Q000000000013AAA", lead.sf_id, None)
    assert (lead.sfdc_type, lead.status, lead.email) == (
        "lead",
        "Working - Contacted",
        "person13@example13.com",
    )
    assert (lead.first_name, lead.last_name, lead.company) == ("First13", "Last13", "Company 13")
    assert (lead.owner_id, lead.account_id) == ("005000000000013AAA", None)
    assert lead.sf_modstamp == NOW - timedelta(seconds=13 * 7)
    assert (lead.sf_deleted, lead.is_converted, lead.sync_error) == (False, False, "")


def test_every_third_seeded_person_is_a_contact_of_an_account_and_some_are_deleted_converted_or_rejected(
    people,
):
    first, other = people[0], people[21]
    assert (first.sfdc_type, first.sf_id, first.sf_contact_id) == (
        "contact",
        "003000000000000AAA",
        first.sf_id,
    )
    assert (first.account_id, other.account_id) == ("001000000000000AAA", "001000000000001AAA")
    assert (first.sf_deleted, first.is_converted) == (True, True)
    assert first.sync_error == "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone"
    assert [p.sfdc_type for p in people].count("contact") == 14


def test_the_heavy_persons_log_entries_are_the_newest_and_the_rest_spread_over_everyone(people, monkeypatch):
    monkeypatch.setattr(admin_seed, "HEAVY_LOG", 3)
    first, heavy = people[0].pk, people[12].pk
    seed_log(10, PERSONS, first, heavy, NOW)
    log = list(m.ActivityLog.objects.order_by("id"))
    assert [e.person_id for e in log[:3]] == [heavy] * 3
    assert [e.person_id for e in log[3:]] == [first + (n * 2654435761) % PERSONS for n in range(3, 10)]
    assert [e.occurred_at for e in log] == [NOW - timedelta(seconds=3 * n) for n in range(10)]
    assert [e.type for e in log[:6]] == [*TYPES, TYPES[0]]
    assert (log[0].outcome, log[1].outcome) == ("failed", "success")
    assert log[4].attributes == json.loads(ATTRIBUTES)


def test_the_seeded_sales_data_has_what_the_benchmark_searches_with_its_search_keys():
    seed_people(PERSONS, NOW)
    first = m.Person.objects.order_by("id").values_list("id", flat=True).first()
    seed_sales(PERSONS, first, NOW, lambda step, work: work())

    assert (m.Account.objects.count(), m.Opportunity.objects.count()) == (PERSONS // 5, PERSONS // 10)
    account = m.Account.objects.get(sf_id="001000000000007AAA")
    assert (account.name, account.search_name, account.search_domain) == (
        "Account 7 Ltd",
        "account 7 ltd",
        "account7.example",
    )
    opportunity = m.Opportunity.objects.get(sf_id="006000000000003AAA")
    assert (opportunity.name, opportunity.search_name, opportunity.account_id) == (
        "Opportunity 3",
        "opportunity 3",
        "001000000000003AAA",
    )
    assert opportunity.close_date == (NOW - timedelta(days=3)).date()
    tasks = {t.sf_id: t for t in m.SalesforceActivity.objects.all()}
    assert len(tasks) == PERSONS
    call, email, demo = tasks["00U000000000000AAA"], tasks["00T000000000001AAA"], tasks["00T000000000009AAA"]
    assert (call.kind, call.subject, call.search_subject) == ("event", "Call 0", "call 0")
    assert (demo.kind, demo.subject, demo.search_subject) == ("task", "Démo for First9", "demo for first9")
    assert (demo.who_sf_id, demo.person_id) == ("003000000000009AAA", first + 9)  # a contact
    assert (email.who_sf_id, email.person_id) == ("00Q000000000001AAA", first + 1)  # a lead
