"""The accounts, opportunities and tasks and events lists: each word starts a name, a website or a subject,
accents and case aside, from the key indexes; a pasted Salesforce id finds exactly its records."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from syncapp.admin import key_search
from syncapp.admin.activity import SalesforceActivityAdmin
from syncapp.admin.crm import AccountAdmin, OpportunityAdmin
from syncapp.admin.key_search import matching_pks
from syncapp.models import Account, Opportunity, SalesforceActivity
from tests import factories as f

ACCOUNTS = reverse("admin:syncapp_account_changelist")
OPPORTUNITIES = reverse("admin:syncapp_opportunity_changelist")
ACTIVITIES = reverse("admin:syncapp_salesforceactivity_changelist")


def listed(client, url: str, term: str, column: str = "name") -> set[str]:
    page = client.get(url, {"q": term})
    assert page.status_code == 200
    return set(re.findall(rf'<th class="field-{column}"><a href="[^"]+">([^<]+)</a>', page.content.decode()))


@pytest.fixture
def accounts(db):
    return {
        "mueller": f.AccountFactory(name="Müller GmbH", website="https://www.Mueller.de/kontakt"),
        "acme": f.AccountFactory(name="Acme Corp", website="acme.com"),
        "rockets": f.AccountFactory(name="Acme Rockets", website="http://rockets.example:8080/launch"),
        "globex": f.AccountFactory(name="Globex", website=""),
    }


@pytest.mark.parametrize(
    ("term", "names"),
    [
        ("mull", {"Müller GmbH"}),  # the start of a name, accents aside
        ("MÜLLER", {"Müller GmbH"}),
        ("acme", {"Acme Corp", "Acme Rockets"}),
        ("acme c", {"Acme Corp"}),  # words that start the name together
        ("mueller.de", {"Müller GmbH"}),  # a website's host, without scheme, www. or path
        ("rockets.ex", {"Acme Rockets"}),
        ("corp", set()),  # a word inside a name is not its start
        ("initech", set()),
    ],
)
def test_an_accounts_search_finds_the_accounts_whose_name_or_website_starts_with_each_word(
    admin_client, accounts, term, names
):
    assert listed(admin_client, ACCOUNTS, term) == names


def test_a_pasted_account_id_finds_exactly_that_account(admin_client, accounts):
    acme = accounts["acme"]

    for term in (acme.sf_id, acme.sf_id[:15]):
        assert listed(admin_client, ACCOUNTS, term) == {"Acme Corp"}


def test_the_accounts_search_says_what_it_matches(admin_client, accounts):
    page = admin_client.get(ACCOUNTS).content.decode()

    assert "name or website (acme.com) starts with it" in page


def test_an_opportunities_search_finds_names_by_their_start_and_an_accounts_id_its_opportunities(
    admin_client, accounts
):
    renewal = f.OpportunityFactory(name="Élan renewal 2027", account=accounts["acme"])
    f.OpportunityFactory(name="Acme expansion", account=accounts["rockets"])

    assert listed(admin_client, OPPORTUNITIES, "elan ren") == {"Élan renewal 2027"}
    assert listed(admin_client, OPPORTUNITIES, "acme") == {"Acme expansion"}
    assert listed(admin_client, OPPORTUNITIES, renewal.sf_id) == {"Élan renewal 2027"}
    assert listed(admin_client, OPPORTUNITIES, accounts["acme"].sf_id) == {"Élan renewal 2027"}
    assert listed(admin_client, OPPORTUNITIES, "renewal") == set()


def test_a_tasks_search_finds_subjects_by_their_start_and_a_persons_id_their_tasks(admin_client, db):
    lead = f.PersonFactory()
    demo = f.SalesforceActivityFactory(subject="Démo für Zoë", person=lead, who_sf_id=lead.sf_id)
    f.SalesforceActivityFactory(subject="Send the demo deck")

    assert listed(admin_client, ACTIVITIES, "demo fur", "__str__") == {"Démo für Zoë"}
    assert listed(admin_client, ACTIVITIES, "SEND", "__str__") == {"Send the demo deck"}
    assert listed(admin_client, ACTIVITIES, demo.sf_id, "__str__") == {"Démo für Zoë"}
    assert listed(admin_client, ACTIVITIES, lead.sf_id, "__str__") == {"Démo für Zoë"}
    assert listed(admin_client, ACTIVITIES, "deck", "__str__") == set()


@pytest.mark.parametrize(
    ("model_admin", "term", "index"),
    [
        (AccountAdmin, "acme corp", r"account_search_(name|domain)"),
        (AccountAdmin, "001000000000042AAA", r"sqlite_autoindex_syncapp_account_\d"),
        (OpportunityAdmin, "renewal", r"opportunity_search_name"),
        (SalesforceActivityAdmin, "call", r"activity_search_subject"),
    ],
)
def test_a_search_reads_the_key_or_id_indexes_not_every_row(db, model_admin, term, index):
    if connection.vendor != "sqlite":
        pytest.skip("query plans are checked on SQLite, whose planner picks by the indexes alone")
    model = {AccountAdmin: Account, OpportunityAdmin: Opportunity}.get(model_admin, SalesforceActivity)
    for condition in model_admin.key_search.conditions(term):
        plan = matching_pks(model, condition).explain()

        assert "SCAN syncapp_" not in plan.replace("USING INDEX", "").replace("USING COVERING INDEX", ""), (
            plan
        )
        assert re.search(index, plan), plan


def test_a_search_whose_first_word_starts_every_name_finds_the_rows_of_its_rarer_words(
    admin_client, db, monkeypatch
):
    monkeypatch.setattr(key_search, "PROBE", 5)  # "account" starts more names than the probe reads
    for n in range(12):
        f.AccountFactory(name=f"Account {n} Ltd", website=f"www.account{n}.example")

    assert listed(admin_client, ACCOUNTS, "account 7") == {"Account 7 Ltd"}
    assert listed(admin_client, ACCOUNTS, "account account1") == {
        "Account 1 Ltd",
        "Account 10 Ltd",
        "Account 11 Ltd",
    }
    assert listed(admin_client, ACCOUNTS, "account 1") == {
        "Account 1 Ltd",
        "Account 10 Ltd",
        "Account 11 Ltd",
    }
