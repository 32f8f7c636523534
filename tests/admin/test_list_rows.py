"""The lists' per-row shortcuts write what Django's slower paths wrote: the same checkbox, links and times."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from syncapp.admin.display import change_url_of, short_datetime
from syncapp.models import Person
from tests import factories as f

PEOPLE = reverse("admin:syncapp_person_changelist")


def test_a_rows_checkbox_is_the_tag_djangos_checkbox_widget_renders(db):
    person = f.PersonFactory(first_name="Ada", last_name="<Lovelace>")
    model_admin = admin.site._registry[Person]

    assert model_admin.action_checkbox(person) == admin.ModelAdmin.action_checkbox(model_admin, person)


@pytest.mark.parametrize("pk", [42, "a/b_c d"])
def test_a_change_link_is_the_url_reverse_gives(pk):
    assert change_url_of("syncapp.person", pk) == reverse("admin:syncapp_person_change", args=[quote(pk)])


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Sao_Paulo"])
@pytest.mark.parametrize("months_ahead", [0, 6], ids=["now", "the other side of a DST change"])
def test_a_short_time_reads_as_djangos_date_format_did(settings, zone, months_ahead):
    settings.TIME_ZONE = zone
    value = timezone.now() + dt.timedelta(days=months_ahead * 30.5)
    local = timezone.localtime(value)

    assert str(short_datetime(value)) == (
        f'<span class="sync-nowrap" title="{date_format(local, "Y-m-d H:i:s T")}">'
        f"{date_format(local, 'Y-m-d H:i')}</span>"
    )


def test_the_people_list_loads_its_rows_without_their_salesforce_json_and_links_each_row(admin_client, db):
    ada = f.PersonFactory(first_name="Ada", last_name="Lovelace", sf_fields={"Rating": "Hot"})

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(PEOPLE).content.decode()

    rows = [q["sql"] for q in queries.captured_queries if '"syncapp_person"."first_name"' in q["sql"]]
    assert rows
    assert all('"syncapp_person"."sf_fields"' not in sql for sql in rows)
    assert re.search(rf'<a href="{reverse("admin:syncapp_person_change", args=[ada.pk])}">Ada Lovelace', page)


@pytest.mark.parametrize("model_admin", list(admin.site._registry.values()), ids=lambda a: a.model.__name__)
def test_no_list_offers_filter_counts_a_big_table_cannot_afford(model_admin):
    if model_admin.__module__.startswith("syncapp."):
        assert model_admin.show_facets is admin.ShowFacets.NEVER


def test_asking_the_people_list_for_counts_gives_the_list_without_them(admin_client, db):
    f.PersonFactory(first_name="Ada")
    page = admin_client.get(PEOPLE + "?_facets=True")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="changelist-filter"' in body
    assert "Show counts" not in body
    assert "Hide counts" not in body
