"""A marketer finds a lead by email, reads its activity log (with a rejection) and exports it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from syncapp.models import ActivityLog
from tests import factories as f

pytestmark = pytest.mark.browser


def test_marketer_finds_a_lead_by_email_and_reads_its_activity_log(logged_in_page, live_server):
    lead = f.PersonFactory(email="ada@analytical.example", first_name="Ada", last_name="Lovelace")
    f.PersonFactory.create_batch(3)
    f.PersonFactory(contact=True, email="ada@contact.example")
    now = timezone.now()
    f.ActivityLogFactory(
        person=lead, type=ActivityLog.Type.NEW_PERSON, occurred_at=now - dt.timedelta(hours=2)
    )
    f.ActivityLogFactory(
        person=lead,
        type=ActivityLog.Type.SALESFORCE_REJECTED,
        outcome=ActivityLog.Outcome.FAILED,
        primary_attribute="Phone",
        attributes={
            "field": "Phone",
            "new_value": "12",
            "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": "Phone must be in international format",
        },
        occurred_at=now,
    )
    page = logged_in_page

    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.locator("h1")).to_have_text("Leads")
    page.locator("#searchbar").fill("ada@")
    page.locator("#searchbar").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ada@analytical.example")
    rows.first.get_by_role("link", name="Ada Lovelace").click()

    log = page.locator("#panel-activity")
    expect(log.locator("tbody tr")).to_have_count(2)
    newest = log.locator("tbody tr").first
    expect(newest).to_contain_text("Salesforce Rejected Update")
    expect(newest).to_contain_text("Phone must be in international format")
    expect(newest.locator(".sync-badge--error")).to_have_text("Failed")
    expect(log.locator("tbody tr").last).to_contain_text("New Person")

    log.get_by_role("link", name="Full activity log of Ada Lovelace").click()
    expect(page.locator("h1")).to_have_text("Activity log of Ada Lovelace")
    expect(page.locator("#activity-log tbody tr")).to_have_count(2)
    expect(page.locator("#activity-log tbody tr.sync-row--failed")).to_contain_text(
        "Phone must be in international"
    )

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Salesforce Rejected Update,Failed,Phone,Phone,,12,FIELD_CUSTOM_VALIDATION_EXCEPTION" in exported
    assert download.value.suggested_filename == "activity-log-ada@analytical.example.csv"
