"""The next regular cycle starts when the pause ends: the finishing cycle sets the schedule's next run, and
django-q2's own scheduler starts it then, driven here by moving the clock instead of waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage

from syncapp import services, tasks
from syncapp.models import ListenerState, SyncRun, SyncSettings
from syncapp.models.streaming import LIVE_WITHIN
from syncapp.selectors.dashboard import current_cycle
from syncapp.sync import pacing
from tests import factories as f


def the_schedule() -> Schedule:
    return Schedule.objects.get(name=services.SCHEDULE_NAME)


def queued_funcs() -> list[str]:
    return [SignedPackage.loads(q.payload)["func"] for q in OrmQ.objects.all()]


# transaction=True: django-q2's scheduler closes "old" connections, which a test transaction would not
# survive. Not in sync mode: the scheduler queues the task, as in production, and a worker runs it after.
@pytest.mark.django_db(transaction=True)
def test_with_a_30_second_pause_the_next_cycle_starts_30_seconds_after_the_last_one_ended(
    emulator, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)
    SyncSettings.objects.create(pk=1, pause_seconds=30, streaming=False)
    call_command("ensure_schedules")

    tasks.run_scheduled_sync()  # nothing has run yet: the first cycle is due at once
    first = SyncRun.objects.get()
    assert first.status == SyncRun.Status.SUCCEEDED
    assert the_schedule().next_run == first.finished_at + timedelta(seconds=30)

    with time_machine.travel(first.finished_at + timedelta(seconds=29), tick=False):
        scheduler()
        assert queued_funcs() == []  # django-q2 starts nothing before the pause has passed

    with time_machine.travel(first.finished_at + timedelta(seconds=30, milliseconds=1), tick=False):
        scheduler()
        assert queued_funcs() == ["syncapp.tasks.run_scheduled_sync"]
        OrmQ.objects.all().delete()  # the worker takes the task and runs it:
        tasks.run_scheduled_sync()

    second = SyncRun.objects.order_by("-started_at").first()
    assert second != first
    assert second.started_at - first.finished_at == timedelta(seconds=30, milliseconds=1)
    assert the_schedule().next_run == second.finished_at + timedelta(seconds=30)


@pytest.mark.django_db
def test_the_schedule_waits_for_the_whole_pause_and_never_ticks_in_between():
    SyncSettings.objects.create(pk=1, pause_seconds=2 * 3600, streaming=False)
    call_command("ensure_schedules")
    ended = timezone.now()
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=ended, finished_at=ended, trigger="manual")

    services.sync_schedule_refresh()

    assert the_schedule().next_run == ended + timedelta(hours=2)
    assert the_schedule().next_run == pacing.next_cycle_at()  # what the dashboard says


@pytest.mark.django_db
def test_shortening_the_pause_moves_the_next_cycle_forward_at_once(admin_client):
    SyncSettings.objects.create(pk=1, pause_seconds=3600, streaming=False)
    call_command("ensure_schedules")
    ended = timezone.now()
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=ended, finished_at=ended, trigger="schedule")
    services.sync_schedule_refresh()
    assert the_schedule().next_run == ended + timedelta(hours=1)

    from tests.admin.test_sync_settings_access import CHANGE, FORM

    response = admin_client.post(CHANGE, {**FORM, "pause_seconds": "30 seconds", "streaming": ""})

    assert response.status_code == 302
    assert the_schedule().next_run == ended + timedelta(seconds=30)


@pytest.mark.django_db
def test_while_the_listener_is_live_the_schedule_looks_again_when_it_could_have_stopped_beating():
    SyncSettings.objects.create(pk=1, pause_seconds=30, streaming=True, safety_net_minutes=15)
    ended = timezone.now()
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=ended, finished_at=ended, trigger="schedule")
    ListenerState.objects.create(pk=1, connected=True, heartbeat_at=ended)

    # The safety net is due in 15 minutes; a killed listener is known dead 3 minutes after its last beat,
    # and from then the 30-second pause applies: the schedule looks then, not 15 minutes later.
    assert pacing.next_cycle_at(ended) == ended + timedelta(minutes=15)
    assert pacing.next_check_at(ended) == ended + LIVE_WITHIN

    with time_machine.travel(ended + LIVE_WITHIN + timedelta(seconds=1), tick=False):
        assert pacing.cycle_is_due()  # it did stop beating: the short pause has long passed


@pytest.mark.django_db
def test_a_wake_up_that_finds_a_cycle_running_looks_again_a_minute_later(emulator):
    SyncSettings.objects.create(pk=1, pause_seconds=30, streaming=False)
    call_command("ensure_schedules")
    from syncapp.sync.cycle import acquire_lease

    assert acquire_lease("a long manual cycle")
    with time_machine.travel(timezone.now(), tick=False):
        result = services.sync_cycle_run_if_due()

        assert result.skipped_reason == "Another sync cycle is running."
        assert the_schedule().next_run == timezone.now() + services.BUSY_RETRY


@pytest.mark.django_db
def test_switching_the_sync_off_and_on_points_the_schedule_at_the_next_due_cycle():
    SyncSettings.objects.create(pk=1, pause_seconds=30, streaming=False)
    call_command("ensure_schedules")
    ended = timezone.now() - timedelta(hours=1)
    f.SyncRunFactory(status=SyncRun.Status.SUCCEEDED, started_at=ended, finished_at=ended, trigger="schedule")

    with time_machine.travel(timezone.now(), tick=False):
        services.sync_switch(enabled=False, actor="test")
        assert pacing.next_cycle_at() is None
        assert the_schedule().next_run > timezone.now()  # off: it only looks again now and then

        services.sync_switch(enabled=True, actor="test")
        assert the_schedule().next_run == timezone.now()  # the pause passed long ago: due at once


@pytest.mark.django_db
def test_the_dashboards_next_cycle_is_when_the_schedule_wakes(admin_client):
    SyncSettings.objects.create(pk=1, pause_seconds=30, streaming=False)
    call_command("ensure_schedules")
    with time_machine.travel(timezone.now(), tick=False):
        ended = timezone.now()
        f.SyncRunFactory(
            status=SyncRun.Status.SUCCEEDED, started_at=ended, finished_at=ended, trigger="schedule"
        )
        services.sync_schedule_refresh()

        assert current_cycle().next_cycle_at == the_schedule().next_run == ended + timedelta(seconds=30)
        page = admin_client.get("/admin/").content.decode()
        assert "The next cycle starts within a minute." in page
