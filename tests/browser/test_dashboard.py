"""The dashboard in a browser: progress moves without a reload; an administrator switches the sync off."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from syncapp.admin import dashboard
from syncapp.models import SyncRun, SyncSettings, SyncStep
from tests import factories as f

pytestmark = pytest.mark.browser


def test_the_running_cycles_progress_updates_on_the_dashboard_without_a_reload(
    logged_in_page, live_server, monkeypatch
):
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 1)
    run = f.SyncRunFactory(status=SyncRun.Status.RUNNING, started_at=timezone.now(), finished_at=None)
    step = f.SyncStepFactory(
        run=run,
        sobject="Contact",
        operation=SyncStep.Operation.INITIAL_LOAD,
        status=SyncStep.Status.RUNNING,
        finished_at=None,
        progress_done=10_000,
        progress_total=40_000,
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/")
    cycle = page.locator("#sync-cycle")
    expect(cycle).to_contain_text("Cycle running")
    expect(cycle).to_contain_text("10,000 of 40,000 rows read (25%)")
    page.evaluate("window.__marker = 'same page'")

    SyncStep.objects.filter(pk=step.pk).update(progress_done=30_000)
    expect(cycle).to_contain_text("30,000 of 40,000 rows read (75%)")
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    expect(cycle).to_contain_text("Idle")

    assert page.evaluate("window.__marker") == "same page", "updated in place, not reloaded"


def test_an_administrator_switches_the_sync_off_and_on_from_the_dashboard(logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#sync-switch-state")).to_have_text("On")

    page.get_by_role("button", name="Switch the sync off").click()

    expect(page.locator("ul.messagelist")).to_contain_text("The sync is off")
    expect(page.locator("#sync-switch-state")).to_have_text("Off")
    expect(page.locator("#sync-cycle")).to_contain_text("Sync is off")
    assert not SyncSettings.load().enabled

    page.get_by_role("button", name="Switch the sync on").click()
    expect(page.locator("#sync-switch-state")).to_have_text("On")
    assert SyncSettings.load().enabled
