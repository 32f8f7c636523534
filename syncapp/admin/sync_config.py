"""Admin for what an administrator configures: the sync settings and which Salesforce fields sync."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from syncapp import selectors, services
from syncapp.admin.durations import DurationInWordsField
from syncapp.admin.mixins import ReadOnlyAdminMixin, SingletonAdminMixin
from syncapp.models import FieldSetting, SyncSettings

NEEDED = (
    "Always synced: the sync finds, orders or links records by this field (or follows conversions and "
    "merges with it), so it cannot be switched off."
)


@admin.register(SyncSettings)
class SyncSettingsAdmin(SingletonAdminMixin, admin.ModelAdmin):
    notice = "Changes apply from the next sync cycle; a new pause counts from the end of the last one."
    readonly_fields = ("lease_owner", "lease_until")
    fieldsets = (
        ("Schedule", {"fields": ("enabled", "pause_seconds", "schema_every_cycles", "bulk_threshold")}),
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

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "pause_seconds":
            kwargs["form_class"] = DurationInWordsField
            kwargs.update(least=SyncSettings.MIN_PAUSE_SECONDS, most=SyncSettings.MAX_PAUSE_SECONDS)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: SyncSettings, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.sync_schedule_refresh()  # a shorter pause starts the next cycle sooner, not at the old time


@admin.register(FieldSetting)
class FieldSettingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    editable_fields = ("sync_enabled",)
    notice = (
        "Fields are read from Salesforce as the sync user sees them. You can switch a field's sync off "
        "or on; a field hidden from the sync user never syncs. The fields the sync itself needs (Id, "
        "SystemModstamp, IsDeleted, and those it follows conversions, merges and links with) are always on: "
        "their box cannot be changed."
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
        (None, {"fields": ("sobject", "api_name", "label", "sync_enabled", "needed_by_sync")}),
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
        ("Seen", {"fields": (("first_seen_at", "last_seen_at"),)}),
    )

    def _needed(self) -> dict[str, frozenset[str]]:
        return selectors.fields_the_sync_needs()

    def is_needed(self, obj: FieldSetting, needed: dict[str, frozenset[str]] | None = None) -> bool:
        return obj.api_name in (needed if needed is not None else self._needed()).get(obj.sobject, ())

    @admin.display(description="needed by the sync")
    def needed_by_sync(self, obj: FieldSetting) -> str:
        return NEEDED if self.is_needed(obj) else ""

    def get_readonly_fields(self, request: HttpRequest, obj: FieldSetting | None = None) -> tuple[str, ...]:
        readonly = (*super().get_readonly_fields(request, obj), "needed_by_sync")
        if obj is not None and self.is_needed(obj):
            readonly = (*readonly, "sync_enabled")
        return readonly

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        base = super().get_changelist_form(request, **kwargs)
        needed = self._needed()
        admin_ = self

        class FieldSettingRowForm(base):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                if (
                    self.instance.pk
                    and admin_.is_needed(self.instance, needed)
                    and "sync_enabled" in self.fields
                ):
                    # A disabled field keeps its stored value whatever the POST says.
                    self.fields["sync_enabled"].disabled = True
                    self.fields["sync_enabled"].help_text = NEEDED

        return FieldSettingRowForm
