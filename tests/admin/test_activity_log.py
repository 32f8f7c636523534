"""A person's whole activity log: paginated, filtered, in words, exported as CSV; and the errors export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from syncapp.models import ActivityLog, SyncError
from tests import factories as f

pytestmark = pytest.mark.django_db


def log_url(person) -> str:
    return reverse("admin:syncapp_person_activity", args=[person.pk])


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_log_page_is_newest_first_with_each_change_written_old_to_new(admin_client, mirror):
    page = admin_client.get(log_url(mirror.lead)).content.decode()
    table = page[page.index('id="activity-log"') :]

    assert "Activity log of Ada Lovelace" in page
    assert "3 entries" in page
    assert (
        table.index("Salesforce Rejected Update")
        < table.index("Change Data Value")
        < table.index("New Person")
    )
    assert (
        '<span class="sync-old">old@example.com</span> → <span class="sync-new">new@example.com</span>'
        in table
    )
    assert '<code class="sync-code">FIELD_CUSTOM_VALIDATION_EXCEPTION</code>' in table


def test_a_salesforce_rejection_stands_out_in_the_log(admin_client, mirror):
    page = admin_client.get(log_url(mirror.lead)).content.decode()
    rows = page[page.index("<tbody>") :].split("<tr")[1:]

    assert 'class="sync-row--failed"' in rows[0]
    assert "Phone must be in international format" in rows[0]
    assert "sync-row--failed" not in rows[1]


def test_nested_attributes_read_as_words_not_json(admin_client, mirror):
    f.ActivityLogFactory(
        person=mirror.contact,
        type=ActivityLog.Type.UPDATE_OPPORTUNITY,
        primary_attribute="Big deal",
        attributes={"opportunity_id": "006000000000001AAA", "changes": {"Amount": ["10", "20"]}},
    )

    page = admin_client.get(log_url(mirror.contact)).content.decode()

    assert "Changes: Amount: 10 → 20" in page
    assert "Opportunity id: 006000000000001AAA" in page
    assert "{&quot;" not in page


def test_the_log_is_paginated_fifty_to_a_page_without_losing_the_filter(admin_client, mirror):
    now = timezone.now()
    for minutes in range(120):
        f.ActivityLogFactory(person=mirror.orphan, occurred_at=now - dt.timedelta(minutes=minutes))
    f.ActivityLogFactory(
        person=mirror.orphan, type=ActivityLog.Type.NEW_PERSON, occurred_at=now - dt.timedelta(days=1)
    )

    first = admin_client.get(log_url(mirror.orphan), {"type": "change_data_value"}).content.decode()
    last = admin_client.get(log_url(mirror.orphan), {"type": "change_data_value", "p": 3}).content.decode()

    assert "120 entries" in first
    assert first.count('<td class="sync-nowrap">') == 50
    assert "?type=change_data_value&amp;p=3" in first
    assert last.count('<td class="sync-nowrap">') == 20
    assert "New Person</strong>" not in last


def test_the_log_filters_by_type_and_outcome_with_counts_in_the_choices(admin_client, mirror):
    by_type = admin_client.get(log_url(mirror.lead), {"type": "new_person"}).content.decode()
    failed = admin_client.get(log_url(mirror.lead), {"outcome": "failed"}).content.decode()

    assert "1 entry" in by_type
    assert "New Person</strong>" in by_type
    assert "Change Data Value</strong>" not in by_type
    assert "Change Data Value (1)" in by_type
    assert "1 entry" in failed
    assert "Salesforce Rejected Update</strong>" in failed


@pytest.mark.parametrize(
    "params", [{"type": "nonsense"}, {"outcome": "<script>"}, {"p": "last"}, {"p": "-4"}]
)
def test_a_malformed_filter_or_page_is_a_form_error_or_a_valid_page_never_a_server_error(
    admin_client, mirror, params
):
    response = admin_client.get(log_url(mirror.lead), params)

    assert response.status_code == 200
    if "p" not in params:
        assert "Some filters are not valid" in response.content.decode()


def test_the_log_exports_as_csv_with_the_pages_filters_every_entry_not_one_page(admin_client, mirror):
    for _ in range(60):
        f.ActivityLogFactory(person=mirror.lead)

    response = admin_client.get(reverse("admin:syncapp_person_activity_csv", args=[mirror.lead.pk]))
    rows = csv_rows(response)
    rejected = csv_rows(
        admin_client.get(
            reverse("admin:syncapp_person_activity_csv", args=[mirror.lead.pk]), {"outcome": "failed"}
        )
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="activity-log-ada@analytical.example.csv"' in response["Content-Disposition"]
    assert rows[0][:3] == ["Time", "Activity type", "Outcome"]
    assert len(rows) == 1 + 63
    assert rejected[1][1:3] == ["Salesforce Rejected Update", "Failed"]
    assert rejected[1][4:9] == [
        "Phone",
        "",
        "12",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Phone must be in international format",
    ]
    assert len(rejected) == 2


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(admin_client, mirror):
    f.ActivityLogFactory(
        person=mirror.orphan, attributes={"field": "Title", "old_value": "", "new_value": "=HYPERLINK(1)"}
    )

    rows = csv_rows(admin_client.get(reverse("admin:syncapp_person_activity_csv", args=[mirror.orphan.pk])))

    assert rows[1][6] == "'=HYPERLINK(1)"


def test_the_log_needs_the_permission_to_view_the_person(client, django_user_model, mirror):
    user = django_user_model.objects.create_user("runs-only", password="pw-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_syncrun"))
    client.force_login(user)

    assert client.get(log_url(mirror.lead)).status_code == 403
    assert client.get(reverse("admin:syncapp_person_activity_csv", args=[mirror.lead.pk])).status_code == 403
    assert client.get(reverse("admin:syncapp_person_activity", args=[999999])).status_code in (302, 404)


def test_the_sync_errors_list_exports_what_it_shows_as_csv(admin_client, mirror):
    f.SyncErrorFactory(person=None, level=SyncError.Level.JOB, code="REQUEST_LIMIT_EXCEEDED", message="Limit")
    listing = admin_client.get(reverse("admin:syncapp_syncerror_changelist"), {"level__exact": "record"})
    url = reverse("admin:syncapp_syncerror_export")

    everything = csv_rows(admin_client.get(url))
    records = csv_rows(admin_client.get(url, {"level__exact": "record"}))

    assert f"{url}?level__exact=record" in listing.content.decode()
    assert len(everything) == 1 + 2
    assert len(records) == 1 + 1
    assert records[1][1:4] == [
        "Record level",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Phone must be in international format",
    ]
    assert records[1][7:9] == ["Ada Lovelace", "ada@analytical.example"]
    assert admin_client.get(url, {"level__bogus": "x"}).status_code == 400


def test_non_staff_get_no_export_at_all(client, django_user_model, mirror):
    client.force_login(django_user_model.objects.create_user("outsider", password="pw-12345"))

    response = client.get(reverse("admin:syncapp_syncerror_export"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
