"""`make screenshots`: PNGs of the main admin pages for the README, from a realistic little mirror.

Skipped in the ordinary suite; `SCREENSHOTS_DIR=docs/screenshots pytest tests/browser/test_screenshots.py`
(what `make screenshots` runs) writes them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from syncapp.models import ActivityLog, FlowRun, SyncCursor, SyncError, SyncRun, SyncStep
from tests import factories as f

OUTPUT = os.environ.get("SCREENSHOTS_DIR", "")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not OUTPUT, reason="writes README screenshots: run `make screenshots`"),
]
WINDOW = {"width": 1400, "height": 900}


def seed_mirror() -> dict[str, object]:
    """A day of cycles, a first load of contacts under way, people with logs, errors and pending edits."""
    now = timezone.now()
    owners = [f.SalesforceUserFactory(name=name) for name in ("Maria Garcia", "Tom Becker", "Aiko Sato")]
    campaign = f.CampaignFactory(name="Webinar: Data Cloud 101")
    people = []
    for n, (first, last, company) in enumerate(
        [
            ("Ada", "Lovelace", "Analytical Engines"),
            ("Grace", "Hopper", "US Navy"),
            ("Alan", "Turing", "Bletchley Park"),
            ("Katherine", "Johnson", "NASA Langley"),
            ("Edsger", "Dijkstra", "Mathematisch Centrum"),
            ("Barbara", "Liskov", "MIT"),
            ("Donald", "Knuth", "Stanford"),
            ("Margaret", "Hamilton", "Draper Lab"),
        ]
    ):
        person = f.PersonFactory(
            first_name=first,
            last_name=last,
            company=company,
            email=f"{first.lower()}.{last.lower()}@example.com",
            owner=owners[n % 3],
            sf_modstamp=now - dt.timedelta(minutes=7 * n),
        )
        people.append(person)
    f.CampaignMemberFactory(campaign=campaign, person=people[0])
    f.OutboundChangeFactory(person=people[1], field="Title", new_value="Rear Admiral", base_value="Commodore")
    ada = people[0]
    for hours, field, old, new in (
        (30, "Title", "Analyst", "Lead Analyst"),
        (20, "Phone", "", "+44 20 7946 0000"),
        (5, "Company", "Analytical Engine Co", "Analytical Engines"),
    ):
        f.ActivityLogFactory(
            person=ada,
            occurred_at=now - dt.timedelta(hours=hours),
            primary_attribute=field,
            attributes={"field": field, "old_value": old, "new_value": new, "source": "Salesforce"},
        )
    f.ActivityLogFactory(
        person=ada,
        type=ActivityLog.Type.NEW_PERSON,
        occurred_at=now - dt.timedelta(days=3),
        primary_attribute="Lead",
        attributes={"lead_source": "Web", "sfdc_type": "Lead"},
    )
    f.ActivityLogFactory(
        person=ada,
        type=ActivityLog.Type.SALESFORCE_REJECTED,
        outcome=ActivityLog.Outcome.FAILED,
        occurred_at=now - dt.timedelta(minutes=12),
        primary_attribute="Phone",
        attributes={
            "field": "Phone",
            "old_value": "+44 20 7946 0000",
            "new_value": "12",
            "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": "Phone must be in international format",
        },
        source="sync",
    )
    f.SyncErrorFactory(run=None, person=ada, occurred_at=now - dt.timedelta(minutes=12))
    f.SyncErrorFactory(
        run=None,
        person=people[3],
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [Company]",
        occurred_at=now - dt.timedelta(minutes=40),
    )
    # A day of cycles: mostly idle, one that hit the API limit, one that pushed a rejected edit.
    for minutes in range(24 * 60 - 30, 20, -30):
        started = now - dt.timedelta(minutes=minutes)
        run = f.SyncRunFactory(
            started_at=started,
            finished_at=started + dt.timedelta(seconds=40),
            api_calls=2 + (minutes % 7),
            api_used=40_000 - minutes * 10,
            api_limit=100_000,
        )
        f.SyncStepFactory(run=run, sobject="Lead", created=minutes % 5, updated=minutes % 11, api_calls=1)
        if minutes == 90:
            run.status = SyncRun.Status.FAILED
            run.message = "Stopped: REQUEST_LIMIT_EXCEEDED. The sync resumes when the limit resets."
            run.save()
            f.SyncErrorFactory(
                run=run,
                person=None,
                level=SyncError.Level.JOB,
                code="REQUEST_LIMIT_EXCEEDED",
                message="TotalRequests Limit exceeded.",
                occurred_at=started,
            )
        if minutes == 60:
            run.status = SyncRun.Status.INCOMPLETE
            run.save()
            f.SyncStepFactory(run=run, sobject="Lead", operation="push_updates", updated=3, failed=1)
    running = f.SyncRunFactory(
        status=SyncRun.Status.RUNNING, started_at=now - dt.timedelta(minutes=6), finished_at=None
    )
    f.SyncStepFactory(run=running, sobject="Lead", finished_at=None, created=0, updated=4)
    f.SyncStepFactory(
        run=running,
        sobject="Contact",
        operation=SyncStep.Operation.INITIAL_LOAD,
        status=SyncStep.Status.RUNNING,
        started_at=now - dt.timedelta(minutes=5),
        finished_at=None,
        created=148_000,
        updated=0,
        progress_done=148_000,
        progress_total=412_000,
    )
    f.SyncCursorFactory(
        sobject="Contact", load_state=SyncCursor.LoadState.IN_PROGRESS, rows_read=148_000, rows_total=412_000
    )
    f.FlowRunFactory(person=people[2])
    f.FlowRunFactory(person=people[4], status=FlowRun.Status.FAILED, result="Salesforce refused the owner.")
    return {"ada": ada}


def test_screenshots_of_the_main_pages(logged_in_page, live_server):
    out = Path(OUTPUT)
    out.mkdir(parents=True, exist_ok=True)
    records = seed_mirror()
    page = logged_in_page
    page.set_viewport_size(WINDOW)

    def shoot(path: str, name: str, full_page: bool = True) -> None:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
        page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)

    ada = records["ada"]
    shoot("/admin/", "dashboard")
    shoot("/admin/syncapp/person/", "people", full_page=False)
    shoot(f"/admin/syncapp/person/{ada.pk}/change/", "person")
    shoot(f"/admin/syncapp/person/{ada.pk}/activity/", "activity-log", full_page=False)
    shoot("/admin/syncapp/syncerror/", "sync-errors", full_page=False)
    shoot("/admin/syncapp/syncrun/", "sync-runs", full_page=False)
