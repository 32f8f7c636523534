"""The people lists' search: a word starts a name, email, domain or company, accents and case aside."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from syncapp import services
from syncapp.admin import key_search, people_search
from tests import factories as f

PEOPLE = reverse("admin:syncapp_person_changelist")
LEADS = reverse("admin:syncapp_lead_changelist")
ACTIVITY = reverse("admin:syncapp_activitylog_changelist")
ERRORS = reverse("admin:syncapp_syncerror_changelist")


@pytest.fixture
def people(db):
    rows = {
        "ada": ("Ada", "Lovelace", "ada@analytical.example", "Analytical Engines"),
        "jurgen": ("Jürgen", "Müller", "j.mueller@acme.com", "ACME Corp"),
        "grace": ("Grace", "Hopper", "grace@navy.example", "US Navy"),
        "wile": ("Wile", "Coyote", "wile@acme.com.example", "Desert Inc"),
    }
    return {
        key: f.PersonFactory(first_name=first, last_name=last, email=email, company=company)
        for key, (first, last, email, company) in rows.items()
    }


def found(client, term: str, url: str = PEOPLE) -> set[str]:
    page = client.get(url, {"q": term})
    assert page.status_code == 200
    return set(re.findall(r'<td class="field-email">([^<]+)</td>', page.content.decode()))


@pytest.mark.parametrize(
    ("term", "emails"),
    [
        ("ada", {"ada@analytical.example"}),  # a first name
        ("hop", {"grace@navy.example"}),  # the start of a last name
        ("j.mue", {"j.mueller@acme.com"}),  # the start of an email
        ("acme.com", {"j.mueller@acme.com", "wile@acme.com.example"}),  # an email's domain, from its start
        ("desert", {"wile@acme.com.example"}),  # a company
        ("navy.example", {"grace@navy.example"}),
    ],
)
def test_a_word_finds_the_people_whose_name_email_domain_or_company_starts_with_it(
    admin_client, people, term, emails
):
    assert found(admin_client, term) == emails


def test_accents_and_case_do_not_matter_either_way(admin_client, people):
    assert found(admin_client, "MULLER") == {"j.mueller@acme.com"}
    assert found(admin_client, "jürgen") == {"j.mueller@acme.com"}
    assert found(admin_client, "Ádá") == {"ada@analytical.example"}


def test_every_word_must_match_and_a_quoted_phrase_starts_a_company(admin_client, people):
    assert found(admin_client, "ada lovelace") == {"ada@analytical.example"}
    assert found(admin_client, "ada hopper") == set()
    assert found(admin_client, '"acme corp"') == {"j.mueller@acme.com"}
    assert found(admin_client, "analytical engines") == {"ada@analytical.example"}


def test_a_word_in_the_middle_of_a_name_does_not_match(admin_client, people):
    # Prefixes only: that is what the indexes can answer at a million people, and what the help text says.
    assert found(admin_client, "lace") == set()
    assert found(admin_client, "love") == {"ada@analytical.example"}


def test_the_search_help_says_what_a_word_matches(admin_client, people):
    page = admin_client.get(PEOPLE).content.decode()

    assert "first name, last name, email, email domain (acme.com) or company starts with it" in page


def test_the_lead_list_searches_only_leads(admin_client, people):
    contact = f.PersonFactory(
        contact=True, first_name="Adam", last_name="Smith", email="adam@contact.example"
    )

    assert found(admin_client, "ada", LEADS) == {"ada@analytical.example"}
    assert found(admin_client, "ada") == {"ada@analytical.example", contact.email}


def test_a_name_edited_in_the_admin_is_found_by_its_new_name_at_once(admin_client, people):
    services.person_update(person=people["ada"], changes={"last_name": "Byron"}, actor="test")

    assert found(admin_client, "byron") == {"ada@analytical.example"}
    assert found(admin_client, "lovelace") == set()


def test_a_word_matching_more_people_than_the_cap_lists_them_newest_first(admin_client, people, monkeypatch):
    monkeypatch.setattr(key_search, "MATCHES_CAP", 1)

    assert found(admin_client, "acme.com") == {"j.mueller@acme.com", "wile@acme.com.example"}


@pytest.mark.parametrize("term", ['"', "'", "  ", "%", "_", "\\", '""', "a" * 500])
def test_odd_searches_list_normally(admin_client, people, term):
    assert admin_client.get(PEOPLE, {"q": term}).status_code == 200


def test_the_everyone_activity_log_finds_the_entries_of_the_people_a_search_finds(admin_client, people):
    f.ActivityLogFactory(person=people["ada"], primary_attribute="Phone")
    f.ActivityLogFactory(person=people["grace"], primary_attribute="Phone")

    page = admin_client.get(ACTIVITY, {"q": "lovelace"}).content.decode()

    assert "Ada Lovelace" in page
    assert "Grace Hopper" not in page


def test_a_pasted_salesforce_id_finds_that_records_errors(admin_client, people):
    wanted = f.SyncErrorFactory(sf_id="001000000000042AAA", message="Account name too long")
    f.SyncErrorFactory(sf_id="001000000000043AAA", message="Mentions 001000000000042AAA in passing")

    for term in (wanted.sf_id, wanted.sf_id[:15]):
        page = admin_client.get(ERRORS, {"q": term}).content.decode()
        assert "Account name too long" in page
        assert "in passing" not in page
    assert "in passing" in admin_client.get(ERRORS, {"q": "passing"}).content.decode()


@pytest.mark.parametrize("term", ["ada", "ada lovelace", "acme.com", "00Q000000000042AAA"])
def test_a_search_reads_the_search_key_or_id_indexes_not_every_person(db, term):
    if connection.vendor != "sqlite":
        pytest.skip("query plans are checked on SQLite, whose planner picks by the indexes alone")
    for condition in people_search.search_conditions(term):
        plan = people_search.people_pks(condition).explain()

        assert "SCAN syncapp_person" not in plan.replace("USING INDEX", "").replace(
            "USING COVERING INDEX", ""
        ), plan
        assert re.search(r"INDEX (person_search_\w+|sqlite_autoindex_syncapp_person_\d)", plan), plan


def test_a_word_matching_a_large_share_of_everyone_lists_them_newest_first(admin_client, people, monkeypatch):
    monkeypatch.setattr(key_search, "MATCHES_CAP", 1)
    monkeypatch.setattr(key_search, "DENSE", 2)

    page = admin_client.get(PEOPLE, {"q": "acme.com"}).content.decode()

    assert re.findall(r'<td class="field-email">([^<]+)</td>', page) == [
        "wile@acme.com.example",
        "j.mueller@acme.com",
    ]
