"""The people lists filter by sync state, owner, account and campaign; lists fit a 1,400-pixel window."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from syncapp import models
from tests import factories as f

PEOPLE = reverse("admin:syncapp_person_changelist")


def emails(page) -> set[str]:
    return set(re.findall(r'<td class="field-email">([^<]+)</td>', page.content.decode()))


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("local", {"local@example.com"}),
        ("deleted", {"gone@example.com"}),
        ("pending", {"grace@navy.example"}),
        ("ok", {"ada@analytical.example", "orphan@example.com"}),
    ],
)
def test_people_can_be_filtered_by_each_sync_state(admin_client, mirror, choice, expected):
    f.PersonFactory(email="local@example.com", sfdc_type="", sf_id=None, sf_lead_id=None)
    f.PersonFactory(email="gone@example.com", sf_deleted=True)

    assert emails(admin_client.get(PEOPLE, {"sync": choice})) == expected


def test_people_can_be_filtered_by_owner_and_the_owner_is_named_in_the_filter(admin_client, mirror):
    owner = mirror.lead.owner

    page = admin_client.get(PEOPLE, {"owner__exact": owner.sf_id})

    assert emails(page) == {"ada@analytical.example"}
    assert f'<li class="selected">\n    <a href="?owner__exact={owner.sf_id}"' in page.content.decode()


def test_people_can_be_filtered_by_account_or_by_having_none(admin_client, mirror):
    account = mirror.contact.account

    at_account = admin_client.get(PEOPLE, {"account__exact": account.sf_id})
    without = admin_client.get(PEOPLE, {"account__exact": "none"})

    assert emails(at_account) == {"grace@navy.example"}
    assert account.name in at_account.content.decode(), "the chosen account is named in the filter"
    assert emails(without) == {"ada@analytical.example", "orphan@example.com"}


def test_people_can_be_filtered_by_campaign_membership(admin_client, mirror):
    campaign = models.Campaign.objects.get()
    f.CampaignMemberFactory(campaign=campaign, person=mirror.orphan, sf_deleted=True)

    page = admin_client.get(PEOPLE, {"campaign": campaign.sf_id})

    assert emails(page) == {"ada@analytical.example"}, "a member deleted in Salesforce is no member"
    assert campaign.name in page.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"owner__exact": "not-an-id'; DROP TABLE"},
        {"account__exact": "x" * 500},
        {"campaign": "%00"},
        {"sync": "bogus"},
    ],
)
def test_a_malformed_filter_value_finds_nobody_or_is_ignored_never_a_server_error(
    admin_client, mirror, params
):
    response = admin_client.get(PEOPLE, params)

    assert response.status_code == 200


def test_the_people_list_shows_the_sfdc_type_and_sync_state_under_the_name_instead_of_columns(
    admin_client, mirror
):
    page = admin_client.get(PEOPLE).content.decode()

    assert 'class="column-sfdc_type' not in page
    assert re.search(
        r"Ada Lovelace<span class=\"sync-sub\">Lead <span class=\"sync-badge sync-badge--ok", page
    )
    assert re.search(r"Grace Hopper<span class=\"sync-sub\">Contact <span class=\"sync-badge", page)
    assert 'class="column-sync_badge' not in page


def test_sync_errors_show_the_record_by_name_with_its_salesforce_id(admin_client, mirror):
    page = admin_client.get(reverse("admin:syncapp_syncerror_changelist")).content.decode()

    assert re.search(r">Ada Lovelace</a><span class=\"sync-sub\">Lead · 00Q\w{15}</span>", page)
    assert "column-operation" not in page


def test_lists_are_titled_after_what_they_list_and_runs_fit_without_a_finished_column(admin_client, mirror):
    errors = admin_client.get(reverse("admin:syncapp_syncerror_changelist")).content.decode()
    runs = admin_client.get(reverse("admin:syncapp_syncrun_changelist")).content.decode()

    assert "<h1>Sync errors</h1>" in errors
    assert "Select sync error to view" not in errors
    assert "<h1>Sync runs</h1>" in runs
    assert "column-finished" not in runs
    assert "column-short_message" in runs


@pytest.mark.parametrize(
    ("choice", "index"), [("error", "person_rejected"), ("deleted", "person_deleted_in_sf")]
)
def test_the_rejected_and_deleted_filters_read_their_small_partial_index_not_every_person(
    rf, admin_user, db, choice, index
):
    from django.contrib import admin

    from syncapp.admin.people_filters import SyncStateFilter

    request = rf.get("/", {"sync": choice})
    request.user = admin_user
    model_admin = admin.site._registry[models.Person]
    state = SyncStateFilter(request, {"sync": [choice]}, models.Person, model_admin)

    page = state.queryset(request, models.Person.objects.order_by("-sf_modstamp", "-id"))[:50]

    from django.db import connection

    if connection.vendor != "sqlite":
        # PostgreSQL plans by table statistics: on an empty test table it may rightly scan instead.
        pytest.skip("query plans are checked on SQLite, whose planner picks by the indexes alone")
    assert index in page.explain()


def test_the_outbox_names_the_person_beside_the_salesforce_id(admin_client, mirror):
    page = admin_client.get(reverse("admin:syncapp_outboundchange_changelist")).content.decode()

    assert re.search(r">Grace Hopper</a><span class=\"sync-sub\">003\w{15}</span>", page)


def test_a_big_list_stops_counting_at_the_cap_and_says_more_than(admin_client, mirror, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from syncapp.admin.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(PEOPLE, {"q": "company"}).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    small = admin_client.get(PEOPLE, {"q": "ada@"}).content.decode()  # a request resets the query log

    assert "More than 2 people: narrow the list with a filter or a search" in page
    assert "More than 2 results" in page
    assert len(emails_in(page)) == 3, "every row of the page is still shown"
    assert counts, "the list counted"
    assert all("LIMIT 3" in sql for sql in counts), "it never counts past the cap"
    assert "1 person" in small
    assert "More than" not in small


def emails_in(page: str) -> list[str]:
    return re.findall(r'<td class="field-email">([^<]+)</td>', page)
