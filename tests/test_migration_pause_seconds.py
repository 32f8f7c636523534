"""Migration 0011: a pause stored in minutes becomes the same pause in seconds, and back."""

from __future__ import annotations

import pytest

from tests.migrations import migrate_to, migrate_to_newest

BEFORE = [("syncapp", "0010_streaming")]
AFTER = [("syncapp", "0011_pause_seconds")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("minutes", "seconds"), [(5, 300), (7, 420), (0, 30), (10_080, 604_800)])
def test_a_pause_in_minutes_becomes_the_same_pause_in_seconds(minutes, seconds):
    old_apps = migrate_to(BEFORE)
    old_apps.get_model("syncapp", "SyncSettings").objects.update_or_create(
        pk=1, defaults={"pause_minutes": minutes}
    )
    try:
        new_apps = migrate_to(AFTER)
        assert new_apps.get_model("syncapp", "SyncSettings").objects.get(pk=1).pause_seconds == seconds

        # Back again, seconds round up to minutes: 0 had become the new floor, 30 s, which comes back as 1.
        back = migrate_to(BEFORE).get_model("syncapp", "SyncSettings").objects.get(pk=1).pause_minutes
        assert back == max(minutes, 1)
    finally:
        migrate_to_newest()
