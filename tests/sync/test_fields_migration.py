"""Migration 0013 moves a synced mirror to one place per field and back, batch by batch, on real rows."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from syncapp.models import Account, CampaignMember, Opportunity, Person, SalesforceActivity, SalesforceUser
from syncapp.sync.registry import mirror_entry
from tests import factories as f
from tests.fields import fields_of
from tests.migrations import migrate_to, migrate_to_newest

migration = importlib.import_module("syncapp.migrations.0015_one_place_per_field")
MODELS = (Person, SalesforceUser, Account, Opportunity, CampaignMember, SalesforceActivity)


def mirror() -> dict[tuple[str, int], tuple[dict, dict]]:
    """Every mirrored row: (what it stores in sf_fields, every field as the accessor reads it)."""
    return {
        (model.__name__, row.pk): (dict(row.sf_fields), fields_of(row))
        for model in MODELS
        for row in model.objects.exclude(sf_id=None)
        if mirror_entry(row) is not None
    }


@pytest.mark.django_db
def test_backwards_writes_every_column_back_and_forwards_takes_it_out_again_reading_the_same(
    sync, emulator, monkeypatch
):
    sync()
    monkeypatch.setattr(migration, "BATCH", 37)  # many batches, and pk ranges with gaps
    editor = SimpleNamespace(connection=connection)
    before = mirror()
    assert len(before) > 200

    migration.backwards(apps, editor)

    old_form = mirror()
    lead = Person.objects.filter(sfdc_type="lead").exclude(sf_id=None).first()
    assert {"Id", "Email", "LastName", "Company", "IsConverted", "SystemModstamp"} <= set(lead.sf_fields)
    assert lead.sf_fields["Id"] == lead.sf_lead_id
    for key, (stored, fields) in old_form.items():
        assert fields == before[key][1], key  # the accessor reads the same from either form
        assert all(stored[name] == fields[name] for name in stored), key  # columns and JSON agree
        assert set(before[key][0]) <= set(stored), key

    migration.forwards(apps, editor)

    assert mirror() == before


@pytest.mark.django_db
def test_forwards_keeps_a_value_its_column_holds_only_in_part():
    long_title = "Head of " + "Very " * 60 + "Important Things"
    person = f.PersonFactory(title=long_title[:255], sf_fields={"Rating": "Hot"})
    old_form = {**fields_of(person), "Title": long_title}  # every field in sf_fields, as before 0013
    Person.objects.filter(pk=person.pk).update(sf_fields=old_form)

    migration.forwards(apps, SimpleNamespace(connection=connection))

    person.refresh_from_db()
    assert person.sf_fields == {"Rating": "Hot", "Title": long_title}
    assert fields_of(person) == old_form


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_both_ways_through_djangos_executor():
    person = f.PersonFactory(sf_fields={"Rating": "Hot"})
    local = f.PersonFactory(sfdc_type="", sf_id=None, sf_lead_id=None, sf_fields={})
    expected = fields_of(person)

    try:
        migrate_to([("syncapp", "0014_error_filters")])
        person.refresh_from_db()
        assert person.sf_fields["Email"] == person.email
        assert person.sf_fields["Rating"] == "Hot"

        migrate_to([("syncapp", "0015_one_place_per_field")])
        person.refresh_from_db()
        local.refresh_from_db()
        assert person.sf_fields == {"Rating": "Hot"}
        assert fields_of(person) == expected
        assert local.sf_fields == {}
    finally:
        migrate_to_newest()
