"""The admin's home page is the sync dashboard: the cycle, recent cycles, backlog, API usage and errors."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from syncapp.models import FlowRun, SyncCursor, SyncError, SyncRun, SyncSettings, SyncStep
from tests import factories as f

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def _section(page: str, key: str) -> str:
    start = page.index(f'id="{key}"')
    end = page.find("</section>", start)
    return page[start:end]


@pytest.fixture
def marketer(client, django_user_model):
    """Staff who may read the sync's state (Sync runs) but not switch it: a marketer, not an administrator."""
    user = django_user_model.objects.create_user("marketer", password="pw-12345", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="syncapp",
            codename__in=["view_syncrun", "view_person", "view_lead", "view_contact", "view_syncstep"],
        )
    )
    client.force_login(user)
    return client


def test_the_home_page_shows_the_running_cycle_with_rows_read_of_the_total_and_an_eta(admin_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        run = f.SyncRunFactory(status=SyncRun.Status.RUNNING, started_at=start, finished_at=None)
        f.SyncStepFactory(
            run=run,
            sobject="Lead",
            operation=SyncStep.Operation.INITIAL_LOAD,
            status=SyncStep.Status.RUNNING,
            started_at=start,
            finished_at=None,
            progress_done=40_000,
            progress_total=100_000,
        )
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        page = admin_client.get(INDEX).content.decode()

    cycle = _section(page, "sync-status")
    assert "Cycle running" in cycle
    assert "Initial load</strong> Lead" in cycle
    assert '<progress class="sync-progress sync-progress--wide" value="40000" max="100000">' in cycle
    assert "40,000</strong> of 100,000 rows read (40%)" in cycle
    assert "about 15 min left" in cycle, "60,000 rows to go at 4,000 a minute"


def test_when_idle_the_home_page_says_when_the_next_cycle_starts(admin_client):
    now = timezone.now()
    f.SyncRunFactory(started_at=now - dt.timedelta(minutes=4), finished_at=now - dt.timedelta(minutes=2))
    SyncSettings.objects.update_or_create(pk=1, defaults={"pause_seconds": 300})

    with time_machine.travel(now, tick=False):
        page = admin_client.get(INDEX).content.decode()

    assert "Idle" in _section(page, "sync-status")
    assert "The next cycle starts in about 3 min" in _section(page, "sync-status")


def test_a_failed_or_partly_failed_cycle_stands_out_among_the_last_cycles(admin_client):
    now = timezone.now()
    ok = f.SyncRunFactory(
        started_at=now - dt.timedelta(minutes=20), finished_at=now - dt.timedelta(minutes=19)
    )
    f.SyncStepFactory(run=ok, sobject="Contact", created=5, updated=0)
    failed = f.SyncRunFactory(
        status=SyncRun.Status.FAILED,
        started_at=now - dt.timedelta(minutes=10),
        finished_at=now - dt.timedelta(minutes=9),
        message="Stopped: REQUEST_LIMIT_EXCEEDED",
    )
    partly = f.SyncRunFactory(status=SyncRun.Status.INCOMPLETE, started_at=now - dt.timedelta(minutes=5))
    f.SyncStepFactory(run=partly, sobject="Lead", operation="push_updates", failed=2, updated=3)

    cycles = _section(admin_client.get(INDEX).content.decode(), "sync-cycles")
    rows = cycles.split("<tr")[2:]  # after the header

    assert len(rows) == 3
    assert 'class="sync-row--failed"' in rows[0]
    assert "Incomplete" in rows[0]
    assert 'class="sync-row--failed"' in rows[1]
    assert "Stopped: REQUEST_LIMIT_EXCEEDED" in rows[1]
    assert "sync-row--failed" not in rows[2]
    assert "Pull updates Contact" in rows[2]
    assert reverse("admin:syncapp_syncrun_change", args=[failed.pk]) in rows[1]


def test_the_status_table_sums_each_object_and_operation_over_the_day_with_flow_actions(admin_client):
    now = timezone.now()
    for minutes in (30, 20):
        run = f.SyncRunFactory(started_at=now - dt.timedelta(minutes=minutes))
        f.SyncStepFactory(run=run, sobject="Lead", created=3, updated=12, api_calls=1)
    old = f.SyncRunFactory(started_at=now - dt.timedelta(days=2))
    f.SyncStepFactory(run=old, sobject="Lead", created=1000)
    f.FlowRunFactory(status=FlowRun.Status.FAILED)
    f.FlowRunFactory()

    table = _section(admin_client.get(INDEX).content.decode(), "sync-status-table")
    lead = table[table.index(">Lead<") :].split("</tr>")[0]
    flows = table[table.index("Flow actions") :].split("</tr>")[0]

    assert '<td class="num">6</td><td class="num">24</td>' in lead, "two cycles today, not the old one"
    assert '<td class="num">2</td>' in lead.split("</td>")[-3] + "</td>"
    assert 'class="sync-row--failed"' in table[: table.index("Flow actions")].rsplit("<tr", 1)[1]
    assert '<td class="num">1</td>' in flows


def test_the_backlog_shows_local_changes_waiting_per_object_and_the_initial_load_still_to_read(admin_client):
    lead = f.PersonFactory()
    f.OutboundChangeFactory(person=lead, sobject="Lead", field="Phone")
    f.OutboundChangeFactory(person=lead, sobject="Lead", field="Title")
    f.OutboundChangeFactory(sobject="Lead")
    f.OutboundChangeFactory(sobject="Campaign", state="sent")
    f.SyncCursorFactory(
        sobject="Contact", load_state=SyncCursor.LoadState.IN_PROGRESS, rows_read=4000, rows_total=10000
    )

    backlog = _section(admin_client.get(INDEX).content.decode(), "sync-backlog")
    lead_row = backlog[backlog.index(">Lead<") :].split("</tr>")[0]
    contact_row = backlog[backlog.index(">Contact<") :].split("</tr>")[0]

    assert ">3</a>" in lead_row, "three pending changes"
    assert '<td class="num">2</td>' in lead_row, "of two records"
    assert "6,000" in contact_row
    assert "initial load" in contact_row
    assert "Campaign" not in backlog, "sent changes are not a backlog"
    assert "counted by the cycle when available" in backlog


def test_api_usage_shows_the_org_limit_as_a_gauge_and_this_apps_share(admin_client):
    now = timezone.now()
    for age, calls, used in ((dt.timedelta(days=3), 500, 9000), (dt.timedelta(hours=2), 30, 1000)):
        f.SyncRunFactory(started_at=now - age, finished_at=now - age, api_calls=calls, api_used=used)
    f.SyncRunFactory(started_at=now - dt.timedelta(hours=1), api_calls=20, api_used=2000, api_limit=100_000)
    f.SyncRunFactory(status=SyncRun.Status.RUNNING, finished_at=None, api_calls=0, api_used=1, api_limit=5)

    usage = _section(admin_client.get(INDEX).content.decode(), "sync-api")

    assert "<strong>2,000</strong> of 100,000 daily API calls" in usage, "the latest reading"
    assert ">2.0%</text>" in usage
    assert "<strong>50 calls</strong> in its cycles over the last 24 hours (2.5% of the org" in usage
    assert usage.count("<rect ") == 3, "one bar per cycle of the last day"


def test_open_errors_show_counts_by_level_and_the_latest_with_links(admin_client):
    person = f.PersonFactory(first_name="Ada", last_name="Lovelace")
    f.SyncErrorFactory(person=person, message="Phone must be in international format")
    f.SyncErrorFactory(person=None, level=SyncError.Level.JOB, code="REQUEST_LIMIT_EXCEEDED", message="Limit")
    f.SyncErrorFactory(resolved_at=timezone.now(), message="Fixed long ago")

    errors = _section(admin_client.get(INDEX).content.decode(), "sync-errors")

    assert "1 record-level error<" in errors
    assert "1 job-level error<" in errors
    assert "Phone must be in international format" in errors
    assert "Fixed long ago" not in errors
    assert reverse("admin:syncapp_person_change", args=[person.pk]) in errors
    assert reverse("admin:syncapp_syncerror_changelist") in errors


def test_models_are_grouped_as_a_marketer_thinks_with_technical_tables_for_administrators_only(
    admin_client, marketer
):
    admin_page = admin_client.get(INDEX).content.decode()
    marketer_page = marketer.get(INDEX).content.decode()

    groups = [g.split(">", 1)[1].split("<")[0] for g in admin_page.split('class="section"')[1:]]
    assert groups == ["People", "Salesforce data", "Sync", "Settings", "Users and access", "Advanced"]
    people = admin_page[admin_page.index("app-people") : admin_page.index("app-salesforce")]
    assert people.index(">Leads<") < people.index(">Contacts<") < people.index(">All people<")
    advanced = admin_page[admin_page.index("app-advanced") :]
    for name in ("Sync cursors", "Sync steps", "Indexes set aside during a load", "Scheduled tasks"):
        assert name in advanced

    assert "app-advanced" not in marketer_page, "the technical tables are for sync administrators"
    assert "Sync steps" not in marketer_page
    assert "app-people" in marketer_page


def test_a_marketer_sees_the_dashboard_without_the_switch_or_sync_now(marketer):
    page = marketer.get(INDEX).content.decode()

    assert 'id="sync-status"' in page
    assert 'id="sync-switch"' not in page
    assert 'id="sync-now"' not in page


def test_staff_without_the_runs_permission_get_no_dashboard_and_non_staff_get_nothing(
    client, django_user_model
):
    staff = django_user_model.objects.create_user("staff", password="pw-12345", is_staff=True)
    client.force_login(staff)
    page = client.get(INDEX)
    poll = client.get(reverse("admin:dashboard_cycle"))

    assert page.status_code == 200
    assert 'id="sync-status"' not in page.content.decode()
    assert poll.status_code == 403

    outsider = django_user_model.objects.create_user("outsider", password="pw-12345")
    client.force_login(outsider)
    for url in (INDEX, reverse("admin:dashboard_cycle"), reverse("admin:dashboard_switch")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    assert client.post(reverse("admin:dashboard_switch"), {"enabled": "off"}).status_code == 302
    assert SyncSettings.load().enabled


def test_a_sync_administrator_switches_the_sync_off_and_on(admin_client):
    url = reverse("admin:dashboard_switch")

    assert admin_client.get(url, {"enabled": "off"}).status_code == 405, "GET never acts"
    assert SyncSettings.load().enabled
    assert admin_client.post(url, {"enabled": "maybe"}).status_code == 400

    off = admin_client.post(url, {"enabled": "off"}, follow=True).content.decode()
    assert not SyncSettings.load().enabled
    assert "The sync is off" in off
    assert "Sync is off" in _section(off, "sync-status")
    assert "Switch the sync on" in off

    admin_client.post(url, {"enabled": "on"})
    assert SyncSettings.load().enabled


def test_a_marketer_can_neither_switch_the_sync_nor_start_a_cycle(marketer):
    assert marketer.post(reverse("admin:dashboard_switch"), {"enabled": "off"}).status_code == 403
    assert marketer.post(reverse("admin:dashboard_sync_now")).status_code == 403
    assert SyncSettings.load().enabled
    assert not SyncRun.objects.exists()


def test_sync_now_on_the_dashboard_runs_a_cycle_against_the_org(
    admin_client, emulator, django_capture_on_commit_callbacks
):
    assert admin_client.get(reverse("admin:dashboard_sync_now")).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        queued = admin_client.post(reverse("admin:dashboard_sync_now"), follow=True).content.decode()
    page = admin_client.get(INDEX).content.decode()

    assert "A sync cycle was queued" in queued
    run = SyncRun.objects.get()
    assert run.trigger == "manual"
    assert run.status == SyncRun.Status.SUCCEEDED
    assert reverse("admin:syncapp_syncrun_change", args=[run.pk]) in _section(page, "sync-cycles")


def test_the_poll_endpoint_returns_the_current_cycle_until_it_ends(admin_client):
    run = f.SyncRunFactory(status=SyncRun.Status.RUNNING, finished_at=None)
    step = f.SyncStepFactory(
        run=run,
        operation=SyncStep.Operation.INITIAL_LOAD,
        finished_at=None,
        progress_done=10,
        progress_total=40,
    )
    url = reverse("admin:dashboard_cycle")

    running = admin_client.get(url).json()
    SyncStep.objects.filter(pk=step.pk).update(progress_done=30)
    later = admin_client.get(url).json()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    done = admin_client.get(url).json()

    assert (running["running"], running["done"], running["total"], running["percent"]) == (True, 10, 40, 25)
    assert later["percent"] == 75
    assert "30</strong> of 40 rows read" in later["html"]
    assert done["running"] is False
    assert "Idle" in done["html"]
    assert admin_client.post(url).status_code == 405


def test_open_errors_stop_counting_past_the_cap(admin_client, monkeypatch):
    from syncapp.selectors import dashboard

    monkeypatch.setattr(dashboard, "ERROR_COUNT_CAP", 2)
    f.SyncErrorFactory.create_batch(3, person=None)

    errors = _section(admin_client.get(INDEX).content.decode(), "sync-errors")

    assert "More than 2 open errors" in errors
