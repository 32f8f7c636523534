"""Settings that used to crash the engine: fields it needs switched off, schema every cycle, huge pauses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from syncapp.models import FieldSetting, SyncError, SyncRun, SyncSettings, SyncStep
from syncapp.sync import cycle, pacing
from syncapp.sync.cycle import schema_is_due
from syncapp.sync.pull import apply as pull

pytestmark = pytest.mark.django_db


def switch_off(sobject: str, *api_names: str) -> None:
    FieldSetting.objects.filter(sobject=sobject, api_name__in=api_names).update(sync_enabled=False)


def test_switching_off_the_fields_the_sync_needs_does_not_break_later_cycles(sync, emulator):
    sync()
    switch_off("Lead", "Id", "SystemModstamp", "IsDeleted", "IsConverted", "ConvertedContactId")
    switch_off("Contact", "Id", "AccountId")
    lead = emulator.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1", as_user="sync")[0]
    emulator.update("Lead", lead["Id"], {"Title": "Still Syncing"}, as_user="rep")

    run = sync()

    assert SyncStep.objects.get(run=run, sobject="Lead").updated == 1
    assert not SyncStep.objects.filter(status=SyncStep.Status.RUNNING).exists()


def test_a_schema_refresh_switches_the_fields_the_sync_needs_back_on(sync, emulator):
    sync()
    switch_off("Lead", "Id", "MasterRecordId")
    switch_off("Lead", "Fax")
    SyncSettings.objects.filter(pk=1).update(schema_every_cycles=1)

    sync()

    on = dict(FieldSetting.objects.filter(sobject="Lead").values_list("api_name", "sync_enabled"))
    assert on["Id"]
    assert on["MasterRecordId"]
    assert on["Fax"] is False  # a field the sync does not need stays as the administrator left it


def test_a_step_that_crashes_is_closed_as_failed_with_its_message_and_so_is_the_run(
    sync, emulator, monkeypatch
):
    sync()
    lead = emulator.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1", as_user="sync")[0]
    emulator.update("Lead", lead["Id"], {"Title": "Crash Course"}, as_user="rep")

    real_apply = pull.PageApplier.apply

    def broken(self, records, cursor=None):
        if self.entry.sobject == "Lead":
            raise KeyError("Id")
        return real_apply(self, records, cursor)

    monkeypatch.setattr(pull.PageApplier, "apply", broken)
    with pytest.raises(KeyError):
        cycle.run_cycle(trigger="test")

    run = SyncRun.objects.order_by("-id").first()
    assert run.status == SyncRun.Status.FAILED
    assert "KeyError('Id')" in run.message
    step = SyncStep.objects.get(run=run, sobject="Lead")
    assert step.status == SyncStep.Status.FAILED
    assert "KeyError('Id')" in step.message
    assert step.finished_at is not None
    assert not SyncStep.objects.filter(status=SyncStep.Status.RUNNING).exists()
    assert SyncError.objects.filter(run=run, level=SyncError.Level.JOB, code="KeyError").count() == 1


@pytest.mark.parametrize(
    ("every", "refreshing_cycles"), [(1, [1, 2, 3, 4, 5, 6]), (2, [1, 3, 5]), (3, [1, 4])]
)
def test_the_schema_is_refreshed_on_the_first_cycle_and_then_every_n_cycles(every, refreshing_cycles):
    assert [n for n in range(1, 7) if schema_is_due(n, every)] == refreshing_cycles


def test_a_schema_refresh_every_cycle_refreshes_it_on_every_cycle(sync, emulator):
    SyncSettings.ensure()
    SyncSettings.objects.filter(pk=1).update(schema_every_cycles=1)
    runs = [sync(), sync(), sync()]

    for run in runs:
        assert SyncStep.objects.filter(run=run, operation=SyncStep.Operation.SCHEMA).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pause_seconds", 5_000_000_000),
        ("pause_seconds", 604_801),
        ("pause_seconds", 29),
        ("schema_every_cycles", 0),
        ("schema_every_cycles", 10_001),
        ("bulk_threshold", 100_000_001),
    ],
)
def test_out_of_range_settings_are_refused_by_the_form_and_by_the_database(field, value):
    settings = SyncSettings.ensure()
    setattr(settings, field, value)

    with pytest.raises(ValidationError) as refused:
        settings.full_clean()
    assert field in refused.value.message_dict

    # PostgreSQL's integer column cannot even hold 5,000,000,000 (DataError); the CHECK refuses the rest.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        SyncSettings.objects.filter(pk=1).update(**{field: value})


def test_the_scheduled_check_works_at_the_longest_pause_allowed():
    SyncSettings.ensure()
    SyncSettings.objects.filter(pk=1).update(pause_seconds=SyncSettings.MAX_PAUSE_SECONDS)
    finished = timezone.now()
    SyncRun.objects.create(started_at=finished, finished_at=finished, status=SyncRun.Status.SUCCEEDED)

    assert not pacing.cycle_is_due(now=finished + timedelta(days=6))
    assert pacing.cycle_is_due(now=finished + timedelta(days=7))
