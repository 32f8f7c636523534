"""An operator starts a sync cycle from the Sync runs page; it runs on the workers (inline in tests)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncapp.models import Person, SyncRun

pytestmark = pytest.mark.django_db


def test_the_sync_now_button_queues_a_cycle_that_pulls_the_org(
    admin_client, emulator, django_capture_on_commit_callbacks
):
    page = admin_client.get(reverse("admin:syncapp_syncrun_changelist"))
    assert b"Run a sync cycle now" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:syncapp_syncrun_sync_now"), follow=True)

    assert b"A sync cycle was queued" in response.content
    run = SyncRun.objects.get()
    assert run.trigger == "manual"
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Person.objects.exists()


def test_sync_now_refuses_get_and_users_without_the_permission(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-12345", is_staff=True)
    client.force_login(user)

    assert client.get(reverse("admin:syncapp_syncrun_sync_now")).status_code == 405
    assert client.post(reverse("admin:syncapp_syncrun_sync_now")).status_code == 403
    assert not SyncRun.objects.exists()
