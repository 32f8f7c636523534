"""Helpers for driving sync cycles against the emulator."""

from __future__ import annotations

import pytest

from syncapp.models import SyncRun, SyncSettings
from syncapp.sync.cycle import run_cycle


@pytest.fixture
def sync(db, emulator):
    """Run one cycle now (as the schedule would) and return its SyncRun; fails the test if it failed."""

    def run(*, expect_ok: bool = True) -> SyncRun:
        result = run_cycle(trigger="test")
        assert result.run is not None, result.skipped_reason
        result.run.refresh_from_db()
        if expect_ok:
            assert result.run.status == SyncRun.Status.SUCCEEDED, (
                result.run.message,
                list(result.run.errors.all()),
            )
        return result.run

    return run


@pytest.fixture
def small_bulk_threshold(db):
    settings = SyncSettings.load()
    settings.bulk_threshold = 10
    settings.save()
    return settings
