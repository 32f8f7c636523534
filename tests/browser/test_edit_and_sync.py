"""A marketer edits a lead in the admin; the cycle sends it to Salesforce, or shows Salesforce's refusal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from syncapp.models import Person
from syncapp.sync.cycle import run_cycle

pytestmark = pytest.mark.browser


def open_lead(page, live_server, lead):
    page.goto(f"{live_server.url}/admin/syncapp/lead/{lead.pk}/change/")
    expect(page.locator("h1")).to_contain_text("Change")


def test_an_edit_in_the_admin_is_pending_then_lands_in_salesforce(logged_in_page, live_server, emulator):
    run_cycle(trigger="test")
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    page = logged_in_page

    open_lead(page, live_server, lead)
    page.get_by_label("Job title").fill("Director of Lifecycle Marketing")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    page.locator("#searchbar").fill(lead.sf_lead_id)
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list tbody tr").first.locator(".sync-badge--pending")).to_have_text(
        "Pending sync"
    )

    run_cycle(trigger="test")

    assert emulator.record("Lead", lead.sf_lead_id)["Title"] == "Director of Lifecycle Marketing"
    open_lead(page, live_server, lead)
    expect(page.locator("#panel-activity")).to_contain_text("Sync Updates to SFDC")


def test_a_validation_rule_failure_shows_on_the_person_with_salesforces_message(
    logged_in_page, live_server, emulator
):
    run_cycle(trigger="test")
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    page = logged_in_page

    open_lead(page, live_server, lead)
    page.get_by_label("Phone").fill("call me maybe")
    page.get_by_role("button", name="Save", exact=True).first.click()
    run_cycle(trigger="test")
    open_lead(page, live_server, lead)

    newest = page.locator("#panel-activity tbody tr").first
    expect(newest).to_contain_text("Salesforce Rejected Update")
    expect(newest).to_contain_text("Phone may only contain digits, spaces, + and -.")
    expect(newest.locator(".sync-badge--error")).to_have_text("Failed")
