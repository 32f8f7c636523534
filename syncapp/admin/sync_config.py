"""Admin for what an administrator configures: the sync settings and which Salesforce fields sync."""

from __future__ import annotations

from django.contrib import admin

from syncapp.admin.mixins import ReadOnlyAdminMixin, SingletonAdminMixin
from syncapp.models import FieldSetting, SyncSettings


@admin.register(SyncSettings)
class SyncSettingsAdmin(SingletonAdminMixin, admin.ModelAdmin):
    notice = "Changes apply from the next sync cycle."
    readonly_fields = ("lease_owner", "lease_until")
    fieldsets = (
        ("Schedule", {"fields": ("enabled", "pause_minutes", "schema_every_cycles", "bulk_threshold")}),
        ("Change events (manage.py listen)", {"fields": ("streaming", "safety_net_minutes")}),
        (
            "When both sides change the same field",
            {
                "fields": (
                    "lead_conflict_policy",
                    "contact_conflict_policy",
                    "campaign_conflict_policy",
                    "campaign_member_conflict_policy",
                )
            },
        ),
        (
            "Defaults for people pushed to Salesforce",
            {"fields": ("default_last_name", "default_company", "notify_owner_on_assignment")},
        ),
        ("Running cycle", {"fields": ("lease_owner", "lease_until")}),
    )


@admin.register(FieldSetting)
class FieldSettingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    editable_fields = ("sync_enabled",)
    notice = (
        "Fields are read from Salesforce as the sync user sees them. You can switch a field's sync off "
        "or on; a field hidden from the sync user never syncs."
    )
    list_display = (
        "api_name",
        "label",
        "sobject",
        "type",
        "length",
        "custom",
        "visible",
        "updateable",
        "sync_enabled",
    )
    list_display_links = ("api_name",)
    list_editable = ("sync_enabled",)
    list_filter = ("sobject", "visible", "custom", "sync_enabled", "updateable")
    search_fields = ("api_name", "label")
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("sobject", "api_name", "label", "sync_enabled")}),
        (
            "As Salesforce describes it",
            {
                "fields": (
                    ("type", "length"),
                    ("custom", "visible", "createable", "updateable"),
                    "picklist_values",
                    "reference_to",
                )
            },
        ),
        ("Seen", {"fields": ("blocked_sources", ("first_seen_at", "last_seen_at"))}),
    )
