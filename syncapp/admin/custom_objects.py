"""Admin for custom Salesforce objects: switch an object's sync on or off, browse its records."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from syncapp.admin.display import EMPTY, admin_link, changelist_url, lookup_link, modified_column
from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.models import CustomObjectRecord, CustomObjectType


@admin.register(CustomObjectType)
class CustomObjectTypeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    editable_fields = ("enabled",)
    notice = (
        "Custom objects are found in Salesforce by the schema step. You can switch an object's sync on "
        "or off; everything else comes from Salesforce."
    )
    list_display = (
        "__str__",
        "api_name",
        "enabled",
        "contact_field",
        "lead_field",
        "account_field",
        "records_link",
    )
    list_editable = ("enabled",)
    list_filter = ("enabled",)
    search_fields = ("api_name", "label")
    readonly_fields = ("records_link",)
    fields = ("label", "api_name", "enabled", "contact_field", "lead_field", "account_field", "records_link")

    @admin.display(description="records")
    def records_link(self, obj: CustomObjectType) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            changelist_url(CustomObjectRecord, object_type__id__exact=obj.pk),
            "Records →",
        )


@admin.register(CustomObjectRecord)
class CustomObjectRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = "Custom object records flow from Salesforce to the app only: edit them in Salesforce."
    list_display = ("__str__", "object_type", "person_link", "account_link", "modified")
    modified = modified_column
    list_filter = ("object_type", "sf_deleted")
    search_fields = ("name", "=sf_id")
    search_help_text = "Search by name or exact Salesforce id."
    list_select_related = ("object_type", "person", "account")
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("person_link", "account_link")
    fieldsets = (
        (None, {"fields": ("name", "object_type", "person_link", "account_link")}),
        ("Salesforce", {"fields": ("sf_id", ("sf_created_at", "sf_modstamp"), "sf_deleted")}),
    )

    @admin.display(description="person")
    def person_link(self, obj: CustomObjectRecord) -> SafeString | str:
        return admin_link(obj.person) if obj.person_id else EMPTY

    @admin.display(description="account", ordering="account__name")
    def account_link(self, obj: CustomObjectRecord) -> SafeString | str:
        return lookup_link(obj, "account")
