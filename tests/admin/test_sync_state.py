"""The sync's own state reads like Marketo's Sync Status: runs, steps with counts and progress, errors."""

from __future__ import annotations

from django.urls import reverse

from syncapp import models
from tests import factories as f


def test_a_run_page_lists_its_steps_with_counts_and_progress_and_its_errors(admin_client, mirror):
    f.SyncStepFactory(run=mirror.run, sobject="Contact", operation="push_updates", failed=1, api_calls=2)

    page = admin_client.get(reverse("admin:syncapp_syncrun_change", args=[mirror.run.pk])).content.decode()
    steps = page[page.index('id="panel-steps"') : page.index('id="panel-errors"')]
    errors = page[page.index('id="panel-errors"') :]

    assert '<progress class="sync-progress" value="40" max="100">' in steps
    assert "Initial load" in steps
    assert "Push updates" in steps
    assert "FIELD_CUSTOM_VALIDATION_EXCEPTION" in errors
    assert "Phone must be in international format" in errors
    assert "Ada Lovelace" in errors, "links the error to its person"


def test_the_run_list_shows_status_duration_and_api_usage(admin_client, mirror):
    page = admin_client.get(reverse("admin:syncapp_syncrun_changelist")).content.decode()

    assert "sync-badge--ok" in page
    assert "3 min 00 s" in page
    assert "1,520 / 100,000" in page


def test_steps_can_be_filtered_by_object_and_operation(admin_client, mirror):
    f.SyncStepFactory(run=mirror.run, sobject="Contact", operation="push_updates")
    url = reverse("admin:syncapp_syncstep_changelist")

    page = admin_client.get(url, {"sobject": "Contact", "operation": "push_updates"}).content.decode()

    assert page.count('class="field-run_link"') == 1
    assert "Push updates Contact" in page


def test_the_cursor_list_shows_the_initial_load_as_a_progress_bar(admin_client, mirror):
    page = admin_client.get(reverse("admin:syncapp_synccursor_changelist")).content.decode()

    assert '<progress class="sync-progress" value="4000" max="10000">' in page
    assert "4,000 / 10,000 (40%)" in page
    assert "In progress" in page


def test_sync_errors_can_be_searched_by_salesforce_id_and_link_to_the_person(admin_client, mirror):
    f.SyncErrorFactory(
        person=mirror.contact, code="REQUIRED_FIELD_MISSING", message="Required fields are missing"
    )
    url = reverse("admin:syncapp_syncerror_changelist")

    page = admin_client.get(url, {"q": mirror.contact.sf_id}).content.decode()

    assert "Required fields are missing" in page
    assert "Phone must be in international format" not in page
    assert reverse("admin:syncapp_person_change", args=[mirror.contact.pk]) in page


def test_the_outbox_links_each_change_to_its_record(admin_client, mirror):
    page = admin_client.get(reverse("admin:syncapp_outboundchange_changelist")).content.decode()

    assert reverse("admin:syncapp_person_change", args=[mirror.contact.pk]) in page
    assert "+44 20 7946 0000" in page
    assert models.OutboundChange.State.PENDING.label in page


def test_the_error_list_shows_open_errors_by_default_and_resolved_ones_on_request(admin_client, mirror):
    from django.utils import timezone

    f.SyncErrorFactory(
        person=mirror.contact,
        code="REQUIRED_FIELD_MISSING",
        message="Fixed since",
        resolved_at=timezone.now(),
    )
    url = reverse("admin:syncapp_syncerror_changelist")

    default = admin_client.get(url).content.decode()
    resolved = admin_client.get(url, {"state": "resolved"}).content.decode()
    everything = admin_client.get(url, {"state": "all"}).content.decode()
    nonsense = admin_client.get(url, {"state": "<script>"})

    assert "Phone must be in international format" in default
    assert "Fixed since" not in default
    assert "Fixed since" in resolved
    assert "Phone must be in international format" not in resolved
    assert "Fixed since" in everything
    assert "Phone must be in international format" in everything
    assert nonsense.status_code == 200
    assert "Fixed since" not in nonsense.content.decode()


def test_a_field_the_sync_needs_is_shown_read_only_and_cannot_be_switched_off(admin_client, mirror):
    needed = f.FieldSettingFactory(sobject="Lead", api_name="Id", custom=False)
    optional = models.FieldSetting.objects.get(sobject="Lead", api_name="Email")
    listing = reverse("admin:syncapp_fieldsetting_changelist")
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(needed.pk),
        "form-1-id": str(optional.pk),
        "_save": "Save",
    }

    response = admin_client.post(listing, data)
    page = admin_client.get(reverse("admin:syncapp_fieldsetting_change", args=[needed.pk])).content.decode()

    assert response.status_code == 302
    needed.refresh_from_db()
    optional.refresh_from_db()
    assert needed.sync_enabled is True
    assert optional.sync_enabled is False
    assert "cannot be switched off" in page
    assert 'name="sync_enabled"' not in page
