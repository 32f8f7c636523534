"""Migration 0016: the accounts, opportunities and tasks already mirrored get their search keys, indexed."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.migrations import migrate_to, migrate_to_newest

BEFORE = [("syncapp", "0015_one_place_per_field")]
AFTER = [("syncapp", "0016_mirror_search_keys")]


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_opportunities_and_tasks_get_their_search_keys():
    old = migrate_to(BEFORE)
    old.get_model("syncapp", "Account").objects.create(
        sf_id="001000000000001AAA", name="Müller GmbH", website="https://www.Mueller.de/kontakt"
    )
    old.get_model("syncapp", "Account").objects.create(sf_id="001000000000002AAA", name="Globex")
    old.get_model("syncapp", "Opportunity").objects.create(sf_id="006000000000001AAA", name="Élan renewal")
    old.get_model("syncapp", "SalesforceActivity").objects.create(
        sf_id="00T000000000001AAA", kind="task", subject="Démo call"
    )
    try:
        new = migrate_to(AFTER)
        accounts = new.get_model("syncapp", "Account").objects.order_by("sf_id")
        assert list(accounts.values_list("search_name", "search_domain")) == [
            ("muller gmbh", "mueller.de"),
            ("globex", ""),
        ]
        assert new.get_model("syncapp", "Opportunity").objects.get().search_name == "elan renewal"
        assert new.get_model("syncapp", "SalesforceActivity").objects.get().search_subject == "demo call"
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, "syncapp_account")
        assert {"account_search_name", "account_search_domain"} <= indexes.keys()

        migrate_to(BEFORE)  # and back: the columns go
        with connection.cursor() as cursor:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, "syncapp_account")
            ]
        assert "search_name" not in columns
    finally:
        migrate_to_newest()
