"""Sync settings: who may look and who may change them is asked of the user; looking never writes a row."""

from __future__ import annotations

from django.urls import reverse

from syncapp.models import SyncSettings
from syncapp.sync.pacing import cycle_is_due

CHANGELIST = reverse("admin:syncapp_syncsettings_changelist")
ADD = reverse("admin:syncapp_syncsettings_add")
CHANGE = reverse("admin:syncapp_syncsettings_change", args=[1])
FORM = {
    "enabled": "on",
    "pause_seconds": "15 minutes",
    "streaming": "on",
    "safety_net_minutes": "15",
    "schema_every_cycles": "12",
    "bulk_threshold": "10000",
    "lead_conflict_policy": "local",
    "contact_conflict_policy": "salesforce",
    "campaign_conflict_policy": "salesforce",
    "campaign_member_conflict_policy": "salesforce",
    "default_last_name": "[not provided]",
    "default_company": "[not provided]",
    "_save": "Save",
}


def test_a_staff_user_without_permissions_cannot_create_the_sync_settings_on_a_fresh_install(staff_client):
    client = staff_client()

    page = client.get(ADD)
    post = client.post(ADD, FORM)

    assert page.status_code == 403
    assert post.status_code == 403
    assert not SyncSettings.objects.exists()


def test_a_view_only_user_sees_the_default_settings_without_creating_the_row(staff_client):
    client = staff_client("syncapp.view_syncsettings")

    response = client.get(CHANGELIST, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == CHANGE
    assert "View sync settings" in response.content.decode()
    assert not SyncSettings.objects.exists()


def test_a_view_only_user_cannot_save_the_sync_settings(staff_client):
    SyncSettings.ensure()
    client = staff_client("syncapp.view_syncsettings")

    response = client.post(CHANGE, FORM)

    assert response.status_code == 403
    assert SyncSettings.load().pause_seconds == 300


def test_the_first_save_by_an_administrator_creates_the_settings_row(admin_client):
    response = admin_client.post(CHANGE, FORM)

    assert response.status_code == 302
    assert SyncSettings.objects.get().pause_seconds == 15 * 60


def test_another_id_than_the_singletons_is_not_found(admin_client):
    response = admin_client.get(reverse("admin:syncapp_syncsettings_change", args=[2]), follow=True)

    assert "doesn\u2019t exist" in response.content.decode()
    assert not SyncSettings.objects.exists()


def test_the_engine_reads_the_default_settings_without_writing_them(db):
    assert cycle_is_due() is True
    assert SyncSettings.load().pause_seconds == 300
    assert not SyncSettings.objects.exists()


def test_the_add_page_stays_closed_even_to_a_superuser_on_a_fresh_install(admin_client):
    response = admin_client.post(ADD, FORM)

    assert response.status_code == 403
    assert not SyncSettings.objects.exists()
