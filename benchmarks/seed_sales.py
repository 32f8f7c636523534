"""The admin benchmark's sales data: accounts, opportunities, and tasks and events, made by the database.

Sized so the lists' searches mean something at a million people: an account per five people (the first
twentieth are the contacts' accounts, as before), an opportunity per ten people and a task or event per
person. Each table is one `INSERT … SELECT` over a counter (`seed_sql.insert_counted`); the search keys are
filled by `fill_search_keys`, as after the pull's fast lane.
"""

from __future__ import annotations

from datetime import datetime

from benchmarks.seed_sql import dialect, insert_counted

SUBJECTS = ("'Call '", "'Email: follow-up '", "'Meeting with Last'", "'Send quote '", "'Démo for First'")


def counts(persons: int) -> dict[str, int]:
    return {
        "accounts": max(persons // 5, 1),
        "opportunities": max(persons // 10, 1),
        "activities": persons,
    }


def seed_accounts(persons: int, now: str) -> None:
    from syncapp import models as m

    sql = dialect()
    insert_counted(
        m.Account,
        counts(persons)["accounts"],
        {
            "sf_id": sql.sf_id("001", "n"),
            "name": "'Account ' || n || ' Ltd'",
            "website": "'https://www.account' || n || '.example/'",
            "industry": "CASE n %% 3 WHEN 0 THEN 'Technology' WHEN 1 THEN 'Retail' ELSE 'Banking' END",
            "owner_sf_id": sql.sf_id("005", "n %% 200"),
            "sf_modstamp": sql.before("n * 13"),
        },
        {"now": now},
    )


def seed_opportunities(persons: int, now: str) -> None:
    from syncapp import models as m

    sql = dialect()
    insert_counted(
        m.Opportunity,
        counts(persons)["opportunities"],
        {
            "sf_id": sql.sf_id("006", "n"),
            "name": "'Opportunity ' || n",
            "stage_name": "CASE n %% 2 WHEN 0 THEN 'Prospecting' ELSE 'Closed Won' END",
            "close_date": sql.day_before("n %% 720"),
            "account_sf_id": sql.sf_id("001", "n %% %(accounts)s"),
            "owner_sf_id": sql.sf_id("005", "n %% 200"),
            "sf_modstamp": sql.before("n * 17"),
        },
        {"now": now, "accounts": counts(persons)["accounts"]},
    )


def seed_activities(persons: int, first_id: int, now: str) -> None:
    """A task or event per person (one in four an event), linked to a person by WhoId and by pk."""
    from syncapp import models as m

    sql = dialect()
    person = "n %% %(persons)s"  # the person's number in the people seed, whose contacts are n % 3 = 0
    who = f"CASE WHEN {person} %% 3 = 0 THEN {sql.sf_id('003', person)} ELSE {sql.sf_id('00Q', person)} END"
    subject = " ".join(f"WHEN {i} THEN {s}" for i, s in enumerate(SUBJECTS))
    insert_counted(
        m.SalesforceActivity,
        counts(persons)["activities"],
        {
            "sf_id": f"CASE WHEN n %% 4 = 0 THEN {sql.sf_id('00U', 'n')} ELSE {sql.sf_id('00T', 'n')} END",
            "kind": "CASE WHEN n %% 4 = 0 THEN 'event' ELSE 'task' END",
            "subject": f"CASE n %% {len(SUBJECTS)} {subject} END || n",
            "status": "CASE WHEN n %% 3 = 0 THEN 'Not Started' ELSE 'Completed' END",
            "activity_date": sql.day_before("n %% 365"),
            "who_sf_id": who,
            "person_id": f"%(first)s + {person}",
            "owner_sf_id": sql.sf_id("005", "n %% 200"),
            "sf_modstamp": sql.before("n * 5"),
        },
        {"now": now, "persons": persons, "first": first_id},
    )


def seed_sales(persons: int, first_id: int, now: datetime, timed) -> None:
    """Accounts, opportunities, tasks and events, and their search keys; `timed(step, work)` times each."""
    from syncapp import models as m
    from syncapp.models.search import fill_search_keys

    stamp = now.isoformat(sep=" ", timespec="seconds")
    timed("accounts", lambda: seed_accounts(persons, stamp))
    timed("opportunities", lambda: seed_opportunities(persons, stamp))
    timed("tasks and events", lambda: seed_activities(persons, first_id, stamp))
    for model in (m.Account, m.Opportunity, m.SalesforceActivity):
        timed(
            f"search keys of {model._meta.verbose_name_plural}",
            lambda model=model: fill_search_keys(model, after_pk=0),
        )
