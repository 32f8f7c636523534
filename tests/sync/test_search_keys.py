"""Every write keeps a person's search keys equal to its columns, so the people lists' search finds them."""

from __future__ import annotations

import sqlite3

import pytest

from syncapp.models import Account, Opportunity, Person, SalesforceActivity, SyncSettings
from syncapp.models.search import SqliteKeysByPython, fill_search_keys, search_key, search_key_fields

pytestmark = pytest.mark.django_db


def stale_keys() -> list[tuple[str, str, str, str]]:
    """(sf_id, key column, stored, expected) for every person whose keys disagree with its columns."""
    wrong = []
    for person in Person.objects.all():
        expected = {
            "search_first_name": search_key(person.first_name, max_length=80),
            "search_last_name": search_key(person.last_name, max_length=80),
            "search_email": search_key(person.email),
            "search_domain": search_key(person.email, part="domain"),
            "search_company": search_key(person.company),
        }
        wrong += [
            (person.sf_id, k, getattr(person, k), v) for k, v in expected.items() if getattr(person, k) != v
        ]
    return wrong


def stale_mirror_keys() -> list[tuple[str, str, str, str]]:
    """(sf_id, key column, stored, expected) for every account, opportunity, task and event whose keys
    disagree with their columns."""
    wrong = []
    for model in (Account, Opportunity, SalesforceActivity):
        for row in model.objects.all():
            for key in search_key_fields(model):
                expected = key.key_of(getattr(row, key.source))
                if getattr(row, key.attname) != expected:
                    wrong.append((row.sf_id, key.attname, getattr(row, key.attname), expected))
    return wrong


def test_a_websites_key_is_its_host_without_scheme_www_port_or_path():
    assert search_key("https://www.Acme.com/about?x=1", part="host") == "acme.com"
    assert search_key("HTTP://Shop.Acme.CO.UK:8443", part="host") == "shop.acme.co.uk"
    assert search_key("acme.com", part="host") == "acme.com"
    assert search_key("www.münchen.de/", part="host") == "munchen.de"
    assert search_key("", part="host") == ""


def test_search_keys_drop_accents_and_case_and_keep_an_emails_domain():
    assert search_key("  Zoë  ÖSTERBERG-Smith ") == "zoe osterberg-smith"
    assert search_key("ADA@Analytical.Example") == "ada@analytical.example"
    assert search_key("ada@Analytical.Example", part="domain") == "analytical.example"
    assert search_key("no email here", part="domain") == ""
    assert search_key("Straße") == "strasse"
    assert search_key(None) == ""
    assert search_key("x" * 300) == "x" * 255


@pytest.mark.parametrize("bulk_threshold", [1_000_000, 10], ids=["REST pages", "Bulk CSV (fast lane)"])
def test_a_first_load_gives_every_person_search_keys_from_its_columns(sync, emulator, bulk_threshold):
    emulator.create(
        "Lead", {"FirstName": "Zoë", "LastName": "Müller", "Company": "Ünïcode AG", "Email": "Z@Ex.COM"}
    )
    settings = SyncSettings.load()
    settings.bulk_threshold = bulk_threshold
    settings.save()

    sync()

    zoe = Person.objects.get(last_name="Müller")
    assert (zoe.search_first_name, zoe.search_last_name) == ("zoe", "muller")
    assert (zoe.search_email, zoe.search_domain, zoe.search_company) == ("z@ex.com", "ex.com", "unicode ag")
    assert Person.objects.count() > 50
    assert stale_keys() == []


def test_a_name_changed_in_salesforce_changes_its_search_key(sync, emulator):
    sync()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False).first()

    emulator.update(
        "Lead", lead.sf_lead_id, {"LastName": "Ørsted", "Email": "new@Wind.example"}, as_user="rep"
    )
    sync()

    lead.refresh_from_db()
    assert (lead.search_last_name, lead.search_domain) == ("orsted", "wind.example")
    assert stale_keys() == []


def test_an_account_rename_changes_its_contacts_company_key(sync, emulator):
    sync()
    contact = Person.objects.filter(sfdc_type="contact").exclude(account=None).first()

    emulator.update("Account", contact.account_id, {"Name": "Société Générale"}, as_user="rep")
    sync()

    contact.refresh_from_db()
    assert contact.search_company == "societe generale"
    assert Account.objects.get(sf_id=contact.account_id).name == "Société Générale"
    assert stale_keys() == []


def test_a_save_of_some_fields_and_a_bulk_create_keep_the_keys(db):
    person = Person.objects.create(first_name="Ada", last_name="Lovelace", email="ada@analytical.example")
    person.first_name = "Ádá"
    person.save(update_fields=["first_name"])
    Person.objects.bulk_create([Person(last_name="Hopper", company="US Navy", email="grace@navy.example")])

    person.refresh_from_db()
    assert person.search_first_name == "ada"
    assert Person.objects.get(last_name="Hopper").search_company == "us navy"
    assert stale_keys() == []


@pytest.mark.parametrize("bulk_threshold", [1_000_000, 10], ids=["REST pages", "Bulk CSV (fast lane)"])
def test_a_pull_keeps_the_keys_of_accounts_opportunities_tasks_and_events(sync, emulator, bulk_threshold):
    settings = SyncSettings.load()
    settings.bulk_threshold = bulk_threshold
    settings.save()
    sync()
    account = Account.objects.exclude(website="").first()
    task = SalesforceActivity.objects.filter(kind="task").first()
    assert account is not None
    assert task is not None
    assert Opportunity.objects.exists()
    assert stale_mirror_keys() == []

    emulator.update(
        "Account",
        account.sf_id,
        {"Name": "Ñandú Ltd", "Website": "https://www.Nandu.example/"},
        as_user="rep",
    )
    emulator.update("Task", task.sf_id, {"Subject": "Rückruf"}, as_user="rep")
    sync()

    account.refresh_from_db()
    task.refresh_from_db()
    assert (account.search_name, account.search_domain) == ("nandu ltd", "nandu.example")
    assert task.search_subject == "ruckruf"
    assert stale_mirror_keys() == []


def test_a_save_of_some_fields_keeps_an_accounts_keys(db):
    account = Account.objects.create(name="Acme", website="acme.com")
    account.name, account.website = "Ångström AB", "https://angstrom.example/se"
    account.save(update_fields=["name", "website"])

    account.refresh_from_db()
    assert (account.search_name, account.search_domain) == ("angstrom ab", "angstrom.example")


TRICKY = [
    "Ada",
    "  Ada",
    "Ada ",
    "Mary  Ann",
    "Mary Ann",
    "ÁDÁ Lovelace",
    "Tab\there",
    "Del\x7fete",
    "O'Brien-Smith",
    "",
]
EMAILS = ["Ada@Example.COM", "a@b@c.example", "x@ y.example", "x@y .example", "no-at-all", "x @y.example", ""]


def test_the_fast_lanes_keys_equal_pythons_for_plain_and_unusual_values(db):
    people = [
        Person(first_name=name, last_name=other, email=email, company=f"{other} Co{'x' * 250}"[:255])
        for name in TRICKY
        for other in ("Plain", TRICKY[len(TRICKY) // 2], "")
        for email in EMAILS
    ]
    Person.objects.bulk_create(people)
    keys = ["search_first_name", "search_last_name", "search_email", "search_domain", "search_company"]
    Person.objects.update(**{key: "" for key in keys})  # as the fast lanes leave them

    assert fill_search_keys(Person, after_pk=0) > 0
    assert stale_keys() == []


def test_sqlite_keys_by_python_key_the_rows_sql_cannot_in_two_statements():
    db = sqlite3.connect(":memory:")
    attnames = [
        "first_name",
        "last_name",
        "email",
        "company",
        *(f.attname for f in search_key_fields(Person)),
    ]
    db.execute(f"CREATE TABLE stage ({', '.join(attnames)})")
    people = [
        ("Zoë", "Müller", "Z@Ex.COM", "Ünïcode AG"),
        ("Nul\x00Byte", None, "no-at-sign", "Ølstad  & Co"),
        ("Ada", "Lovelace", "ada@example.com", "Plain"),  # not matched by `where`: left alone
    ]
    db.executemany(
        f"INSERT INTO stage VALUES ({', '.join('?' * len(attnames))})",
        [(*p, "", "", "", "", "") for p in people],
    )
    keys = SqliteKeysByPython(Person, lambda attname: attname, "stage", "first_name <> 'Ada'")
    statements = []
    db.set_trace_callback(statements.append)

    assert keys.run(db) == 2

    assert len(statements) == 2
    rows = db.execute(f"SELECT {', '.join(attnames)} FROM stage ORDER BY rowid").fetchall()
    for first, last, email, company, *stored in rows[:2]:
        assert stored == [
            search_key(first, max_length=80),
            search_key(last, max_length=80),
            search_key(email),
            search_key(email, part="domain"),
            search_key(company),
        ]
    assert rows[1][4:] == ("nulbyte", "", "no-at-sign", "", "olstad & co")
    assert rows[2][4:] == ("", "", "", "", "")
