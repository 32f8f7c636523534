"""Every model is browsable in the admin; what Salesforce owns and the sync state are read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from syncapp import models

READ_ONLY = [
    models.Account,
    models.SalesforceUser,
    models.Opportunity,
    models.OpportunityContactRole,
    models.CampaignMemberStatus,
    models.CustomObjectRecord,
    models.SalesforceActivity,
    models.ActivityLog,
    models.SyncRun,
    models.SyncStep,
    models.SyncError,
    models.SyncCursor,
    models.DeferredIndex,
    models.OutboundChange,
    models.FlowRun,
    models.StreamChannel,
    models.ListenerState,
]

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "syncapp"),
    key=lambda model: model._meta.model_name,
)


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:syncapp_{model._meta.model_name}_{view}", args=args)


def test_every_syncapp_model_is_registered():
    app_models = {m for m in models.__dict__.values() if isinstance(m, type) and hasattr(m, "_meta")}
    concrete = {m for m in app_models if not m._meta.abstract and m._meta.app_label == "syncapp"}

    assert concrete <= set(REGISTERED)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_list_and_page_of_every_model_render_for_a_superuser(admin_client, mirror, model):
    listing = admin_client.get(_url(model, "changelist"), follow=True)
    obj = model._default_manager.order_by("pk").first()
    page = admin_client.get(_url(model, "change", obj.pk))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert escape(str(obj)) in page.content.decode()


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.model_name)
def test_read_only_models_refuse_changes_and_offer_no_add_button(admin_client, mirror, model):
    obj = model._default_manager.order_by("pk").first()
    listing = admin_client.get(_url(model, "changelist"))
    page = admin_client.get(_url(model, "change", obj.pk))
    post = admin_client.post(_url(model, "change", obj.pk), {"name": "changed"})
    add = admin_client.get(_url(model, "add"))

    assert post.status_code == 403
    assert add.status_code == 403
    assert _url(model, "add") not in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert "sync-notice" in page.content.decode(), "the page says why it is read-only"


def test_a_read_only_page_says_why_it_cannot_be_edited(admin_client, mirror):
    account = models.Account.objects.first()

    page = admin_client.get(_url(models.Account, "change", account.pk)).content.decode()

    assert "Accounts flow from Salesforce to the app only: edit them in Salesforce." in page
    assert "View account" in page


def test_a_user_without_view_permission_cannot_open_the_mirror(client, django_user_model, mirror):
    staff = django_user_model.objects.create_user("intern", password="pw-123456", is_staff=True)
    client.force_login(staff)

    response = client.get(_url(models.Account, "changelist"))

    assert response.status_code == 403


def test_a_custom_object_can_be_switched_off_but_its_api_name_stays(admin_client, mirror):
    object_type = models.CustomObjectType.objects.get()

    response = admin_client.post(
        _url(models.CustomObjectType, "change", object_type.pk),
        {"api_name": "Hacked__c", "label": "Hacked", "_save": "Save"},
    )
    object_type.refresh_from_db()

    assert response.status_code == 302
    assert object_type.enabled is False
    assert object_type.api_name == "Subscription__c"


def test_field_sync_can_be_toggled_from_the_field_list(admin_client, mirror):
    field = models.FieldSetting.objects.get(api_name="Email")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(field.pk),
        "_save": "Save",
    }

    response = admin_client.post(_url(models.FieldSetting, "changelist"), data)
    field.refresh_from_db()

    assert response.status_code == 302
    assert field.sync_enabled is False


def test_sync_settings_open_directly_and_cannot_be_added_twice_or_deleted(admin_client, mirror):
    settings_obj = models.SyncSettings.ensure()

    listing = admin_client.get(_url(models.SyncSettings, "changelist"))
    add = admin_client.get(_url(models.SyncSettings, "add"))
    delete = admin_client.post(_url(models.SyncSettings, "delete", settings_obj.pk), {"post": "yes"})

    assert listing.status_code == 302
    assert listing.url == _url(models.SyncSettings, "change", settings_obj.pk)
    assert add.status_code == 403
    assert delete.status_code == 403
    assert models.SyncSettings.objects.count() == 1


def test_sync_settings_are_editable(admin_client, mirror):
    settings_obj = models.SyncSettings.ensure()
    data = {
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

    response = admin_client.post(_url(models.SyncSettings, "change", settings_obj.pk), data)
    settings_obj.refresh_from_db()

    assert response.status_code == 302
    assert settings_obj.pause_seconds == 15 * 60
