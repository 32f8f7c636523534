"""The cycle's lease: one conditional UPDATE decides who runs; a crashed holder's lease simply expires."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from syncapp.models import SyncSettings


def lease_seconds() -> int:
    return getattr(settings, "SYNC_LEASE_SECONDS", 600)


def acquire_lease(owner: str) -> bool:
    """One atomic UPDATE: it succeeds for exactly one worker; a crashed holder's lease simply expires."""
    SyncSettings.ensure()
    now = timezone.now()
    return (
        SyncSettings.objects.filter(pk=1)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds()))
        == 1
    )


def extend_lease(owner: str) -> None:
    SyncSettings.objects.filter(pk=1, lease_owner=owner).update(
        lease_until=timezone.now() + timedelta(seconds=lease_seconds())
    )


def release_lease(owner: str) -> None:
    SyncSettings.objects.filter(pk=1, lease_owner=owner).update(lease_owner="", lease_until=None)
