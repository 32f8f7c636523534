"""A marketer logs in to the admin in a real browser and sees the product, styled."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_marketer_logs_in_and_sees_the_sync_admin(logged_in_page, live_server):
    page = logged_in_page

    expect(page.locator("#site-name")).to_contain_text("syncapp")
    expect(page.locator("h1")).to_contain_text("Sync dashboard")
    expect(page.locator("#sync-status")).to_contain_text("No cycle has run yet")
    stylesheet = page.evaluate(
        "() => [...document.styleSheets].some(s => (s.href || '').includes('syncapp/admin'))"
    )
    assert stylesheet, "the syncapp stylesheet is loaded"


def test_wrong_password_shows_an_error_not_a_crash(page, live_server, admin_user):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".errornote")).to_contain_text("Please enter the correct username and password")
