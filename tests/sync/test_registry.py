"""The registry says every per-object rule once; what derives from it agrees with it."""

from __future__ import annotations

import pytest
from django.contrib import admin

from syncapp.admin.mixins import ServiceSaveMixin
from syncapp.models import CampaignMemberStatus, SyncSettings
from syncapp.sync.registry import entry_for, person_sobjects, pushed, registry


def test_campaign_member_statuses_flow_from_salesforce_only_as_in_marketo():
    entry = next(e for e in registry() if e.sobject == "CampaignMemberStatus")

    assert entry.direction == "pull"
    assert "CampaignMemberStatus" not in pushed()
    with pytest.raises(TypeError):
        entry_for(CampaignMemberStatus())


def test_every_pushed_object_names_a_conflict_setting_that_sync_settings_holds():
    names = {f.name for f in SyncSettings._meta.fields}

    assert list(pushed()) == ["Campaign", "Lead", "Contact", "CampaignMember"]
    for entry in pushed().values():
        assert entry.conflict_setting in names


def test_leads_and_contacts_are_the_person_objects():
    assert person_sobjects() == ("Lead", "Contact")


def test_the_admin_offers_for_editing_only_columns_the_registry_pushes():
    editing = {m: a for m, a in admin.site._registry.items() if isinstance(a, ServiceSaveMixin)}
    assert editing, "the person, campaign and member admins edit through services"
    for model, model_admin in editing.items():
        entries = [e for e in pushed().values() if e.model is model._meta.concrete_model]
        pushable = set().union(*(e.editable_columns() for e in entries))
        assert set(model_admin.editable_fields) <= pushable, model.__name__


def test_the_fields_the_engine_needs_include_the_key_the_order_and_the_hooks_links():
    entries = {e.sobject: e for e in registry()}

    assert {
        "Id",
        "SystemModstamp",
        "IsDeleted",
        "IsConverted",
        "ConvertedContactId",
        "MasterRecordId",
    } <= set(entries["Lead"].required_fields())
    assert "AccountId" in entries["Contact"].required_fields()
    assert {"CampaignId", "LeadId", "ContactId"} <= set(entries["CampaignMember"].required_fields())
    assert "WhoId" in entries["Task"].required_fields()
