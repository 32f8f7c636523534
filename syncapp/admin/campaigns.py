"""Admin for campaigns, their member statuses and members: a few fields editable, saved through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from syncapp import selectors, services
from syncapp.admin.described import DescribedFormMixin
from syncapp.admin.display import EMPTY, admin_link, changelist_url, lookup_link, modified_column
from syncapp.admin.filters import picklist_filter
from syncapp.admin.mixins import ReadOnlyAdminMixin, ServiceSaveMixin
from syncapp.models import Campaign, CampaignMember, CampaignMemberStatus

SALESFORCE_STAMPS = ("sf_id", ("sf_created_at", "sf_modstamp"), "sf_deleted")
SYNC_NOTICE = "Changes you save here are sent to Salesforce in the next sync cycle."


@admin.register(Campaign)
class CampaignAdmin(DescribedFormMixin, ServiceSaveMixin, admin.ModelAdmin):
    service = staticmethod(services.campaign_update)
    service_arg = "campaign"
    editable_fields = ("name", "type", "status", "is_active", "start_date", "end_date")
    notice = f"{SYNC_NOTICE} Campaigns are created and deleted in Salesforce."
    list_display = (
        "name",
        "type",
        "status",
        "is_active",
        "start_date",
        "end_date",
        "owner_link",
        "modified",
    )
    modified = modified_column
    list_filter = (
        "is_active",
        picklist_filter("type", "Type", ("Campaign",), "type"),
        picklist_filter("status", "Status", ("Campaign",), "status"),
        "sf_deleted",
    )
    search_fields = ("name", "=sf_id")
    search_help_text = "Search by name or exact Salesforce id."
    list_select_related = ("owner",)
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("owner_link", "related_links")
    fieldsets = (
        (None, {"fields": ("name", ("type", "status"), "is_active", ("start_date", "end_date"))}),
        ("Owner and members", {"fields": ("owner_link", "related_links")}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="owner", ordering="owner__name")
    def owner_link(self, obj: Campaign) -> SafeString | str:
        return lookup_link(obj, "owner")

    @admin.display(description="related")
    def related_links(self, obj: Campaign) -> SafeString | str:
        if not obj.sf_id:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            changelist_url(CampaignMember, campaign__exact=obj.sf_id),
            "Members →",
            changelist_url(CampaignMemberStatus, campaign__exact=obj.sf_id),
            "Member statuses →",
        )


@admin.register(CampaignMemberStatus)
class CampaignMemberStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = "Member statuses are set up on the campaign in Salesforce and flow to the app only."
    list_display = ("label", "campaign_link", "sort_order", "is_default", "has_responded")
    list_filter = ("is_default", "has_responded")
    search_fields = ("label", "=campaign__sf_id", "=sf_id")
    list_select_related = ("campaign",)
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("campaign_link",)
    fieldsets = (
        (None, {"fields": ("label", "campaign_link", "sort_order", "is_default", "has_responded")}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="campaign", ordering="campaign__name")
    def campaign_link(self, obj: CampaignMemberStatus) -> SafeString | str:
        return lookup_link(obj, "campaign")


@admin.register(CampaignMember)
class CampaignMemberAdmin(ServiceSaveMixin, admin.ModelAdmin):
    service = staticmethod(services.campaign_member_update)
    service_arg = "member"
    editable_fields = ("status",)
    notice = f"{SYNC_NOTICE} People are added to and removed from campaigns by flow actions."
    list_display = ("__str__", "campaign_link", "person_link", "status", "has_responded", "modified")
    modified = modified_column
    list_filter = ("has_responded", "sf_deleted")
    search_fields = ("=person__email", "=sf_id", "=campaign__sf_id", "=lead_sf_id", "=contact_sf_id")
    search_help_text = (
        "Search by a person's exact email, or the exact Salesforce id of the member, campaign or person."
    )
    list_select_related = ("campaign", "person")
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("campaign_link", "person_link", "pending_sync")
    fieldsets = (
        (None, {"fields": ("campaign_link", "person_link", "status", "pending_sync")}),
        ("Response", {"fields": ("has_responded", "first_responded_date")}),
        ("Salesforce", {"fields": (*SALESFORCE_STAMPS, ("lead_sf_id", "contact_sf_id"))}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "status" in form.base_fields:
            # Salesforce only accepts the campaign's own member statuses: offer those, not a free text box.
            labels = list(
                CampaignMemberStatus.objects.filter(campaign_id=obj.campaign_id)
                .order_by("sort_order", "label")
                .values_list("label", flat=True)
            )
            if labels:
                if obj.status and obj.status not in labels:
                    labels.insert(0, obj.status)
                form.base_fields["status"] = forms.ChoiceField(choices=[(label, label) for label in labels])
        return form

    @admin.display(description="campaign", ordering="campaign__name")
    def campaign_link(self, obj: CampaignMember) -> SafeString | str:
        return lookup_link(obj, "campaign")

    @admin.display(description="person")
    def person_link(self, obj: CampaignMember) -> SafeString | str:
        return admin_link(obj.person) if obj.person_id else EMPTY

    @admin.display(description="pending sync", boolean=True)
    def pending_sync(self, obj: CampaignMember) -> bool:
        return (
            CampaignMember.objects.filter(pk=obj.pk).filter(selectors.pending_sync(CampaignMember)).exists()
        )
