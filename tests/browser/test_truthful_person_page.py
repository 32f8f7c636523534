"""In a browser: a value holding a NUL survives an edit of another field; the fields table tells the truth."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from syncapp.models import OutboundChange, Person
from syncapp.sync.cycle import run_cycle

pytestmark = pytest.mark.browser


def test_a_lead_whose_first_name_holds_a_nul_can_be_edited_in_the_browser(
    logged_in_page, live_server, emulator, tmp_path
):
    created = emulator.create(
        "Lead", {"LastName": "Nul", "FirstName": "Ze\x00ro", "Company": "Acme", "Phone": "+1 555 0100"}
    )
    run_cycle(trigger="test")
    lead = Person.objects.get(sf_lead_id=created["id"])
    page = logged_in_page

    page.goto(f"{live_server.url}/admin/syncapp/lead/{lead.pk}/change/")
    expect(page.get_by_label("First name")).to_have_value("Ze\u2400ro")
    page.get_by_label("Job title").fill("Head of Zero")
    page.get_by_label("Phone").fill("call me maybe")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    run_cycle(trigger="test")
    page.goto(f"{live_server.url}/admin/syncapp/lead/{lead.pk}/change/")
    phone = page.locator("#panel-sf-fields tr", has=page.locator("code", has_text=re.compile("^Phone$")))
    page.screenshot(path=str(tmp_path / "person.png"), full_page=True)

    assert sorted(OutboundChange.objects.filter(local_id=lead.pk).values_list("field", flat=True)) == [
        "Phone",
        "Title",
    ]
    lead.refresh_from_db()
    assert lead.first_name == "Ze\u2400ro"  # stored as the symbol: PostgreSQL cannot hold a NUL
    expect(phone.locator("td").first).to_have_text("+1 555 0100")
    expect(phone.locator(".sync-local")).to_have_text("call me maybe")
    expect(phone.locator(".sync-badge--error")).to_have_text("rejected")
