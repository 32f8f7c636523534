"""Admin for people: all people, and one list each for leads and contacts (the proxies)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import SafeString

from syncapp import selectors, services
from syncapp.admin.activity_log import activity_log_csv, activity_log_view
from syncapp.admin.described import DescribedFormMixin
from syncapp.admin.display import EMPTY, admin_link, badge, lookup_link, modified_column
from syncapp.admin.filters import picklist_filter
from syncapp.admin.flow_actions import FlowActionsMixin
from syncapp.admin.mixins import ServiceSaveMixin
from syncapp.admin.paging import CappedPaginator
from syncapp.admin.people_filters import AccountFilter, CampaignFilter, OwnerFilter, SyncStateFilter
from syncapp.admin.people_search import PeopleSearchMixin
from syncapp.admin.person_page import person_panels
from syncapp.models import Contact, Lead, Person

# What a marketer may change here; everything else (ids, stamps, owner, account, conversion) is Salesforce's.
PERSON_EDITABLE = (
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "city",
    "country",
    "status",
    "lead_source",
    "unsubscribed",
)

# Salesforce contacts have no Company (their account's name stands in) and no lead Status.
NOT_ON_CONTACTS = ("company", "status")

LeadStatusFilter = picklist_filter("status", "Status", ("Lead",), "lead status")
LeadSourceFilter = picklist_filter("lead_source", "LeadSource", selectors.person_sobjects(), "source")


@admin.register(Person)
class PersonAdmin(
    FlowActionsMixin, DescribedFormMixin, ServiceSaveMixin, PeopleSearchMixin, admin.ModelAdmin
):
    service = staticmethod(services.person_update)
    service_arg = "person"
    editable_fields = PERSON_EDITABLE
    notice = (
        "Changes you save here are sent to Salesforce in the next sync cycle. Ids, owner, account and "
        "conversion come from Salesforce; people are created and deleted there."
    )
    list_display = (
        "name",
        "email",
        "company_or_account",
        "status",
        "owner_link",
        "modified",
    )
    modified = modified_column
    list_display_links = ("name",)
    list_filter = (
        SyncStateFilter,
        "sfdc_type",
        LeadStatusFilter,
        OwnerFilter,
        AccountFilter,
        CampaignFilter,
        "is_converted",
        LeadSourceFilter,
        "unsubscribed",
    )
    list_select_related = ("owner", "account")
    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 50
    save_on_top = True
    readonly_fields = ("sync_badge", "owner_link", "account_link", "merged_into_link")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("first_name", "last_name"),
                    "email",
                    ("company", "title"),
                    "phone",
                    ("city", "country"),
                )
            },
        ),
        ("Marketing", {"fields": ("status", "lead_source", "unsubscribed")}),
        (
            "Salesforce",
            {
                "fields": (
                    ("sfdc_type", "sync_badge"),
                    "sync_error",
                    ("owner_link", "account_link"),
                    ("sf_id", "sf_lead_id", "sf_contact_id"),
                    ("is_converted", "converted_at"),
                    "merged_into_link",
                    ("sf_created_at", "sf_modstamp"),
                    "sf_deleted",
                )
            },
        ),
    )
    changelist_title = "All people"

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> tuple[str, ...]:
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.sfdc_type == Person.SfdcType.CONTACT:
            fields += tuple(name for name in NOT_ON_CONTACTS if name not in fields)
        return fields

    def service_extra(self, request: HttpRequest) -> dict[str, object]:
        return {"actor_id": request.user.pk}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(pending_sync=selectors.pending_sync(Person))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.changelist_title, **(extra_context or {})})

    def get_urls(self):
        # Named once, on Person: the Lead and Contact lists link a person's log through it as well.
        urls = []
        if self.model is Person:
            view = self.admin_site.admin_view
            urls = [
                path(
                    "<path:object_id>/activity/",
                    view(lambda request, object_id: activity_log_view(self, request, object_id)),
                    name="syncapp_person_activity",
                ),
                path(
                    "<path:object_id>/activity.csv",
                    view(lambda request, object_id: activity_log_csv(self, request, object_id)),
                    name="syncapp_person_activity_csv",
                ),
            ]
        return urls + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["panels"] = person_panels(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="name", ordering="last_name")
    def name(self, obj: Person) -> SafeString:
        # The SFDC type and sync state under the name rather than in columns of their own: the list fits a
        # 1,400-pixel window.
        label = f"{obj.first_name} {obj.last_name}".strip() or obj.email or obj.sf_id or f"person #{obj.pk}"
        return format_html(
            '{}<span class="sync-sub">{} {}</span>', label, obj.get_sfdc_type_display(), self.sync_badge(obj)
        )

    @admin.display(description="company / account", ordering="company")
    def company_or_account(self, obj: Person) -> SafeString | str:
        if obj.account_id:
            return lookup_link(obj, "account")
        return obj.company or EMPTY

    @admin.display(description="sales owner", ordering="owner__name")
    def owner_link(self, obj: Person) -> SafeString | str:
        return lookup_link(obj, "owner")

    @admin.display(description="account")
    def account_link(self, obj: Person) -> SafeString | str:
        return lookup_link(obj, "account")

    @admin.display(description="merged into")
    def merged_into_link(self, obj: Person) -> SafeString | str:
        return admin_link(obj.merged_into) if obj.merged_into_id else EMPTY

    @admin.display(description="sync")
    def sync_badge(self, obj: Person) -> SafeString:
        if obj.sync_error:
            return format_html(
                '<span class="sync-badge sync-badge--error" title="{}">{}</span>',
                obj.sync_error,
                "Sync error",
            )
        # Annotated by get_queryset; a person loaded elsewhere (e.g. just saved) falls back to one query.
        pending = getattr(obj, "pending_sync", None)
        if pending is None:
            pending = Person.objects.filter(pk=obj.pk).filter(selectors.pending_sync(Person)).exists()
        if pending:
            return badge("Pending sync", "pending")
        if not obj.sfdc_type:
            return badge("Not in Salesforce", "neutral")
        return badge("In sync", "ok")


@admin.register(Lead)
class LeadAdmin(PersonAdmin):
    changelist_title = "Leads"
    list_filter = (
        SyncStateFilter,
        LeadStatusFilter,
        OwnerFilter,
        CampaignFilter,
        LeadSourceFilter,
        "unsubscribed",
    )


@admin.register(Contact)
class ContactAdmin(PersonAdmin):
    changelist_title = "Contacts"
    list_display = tuple(name for name in PersonAdmin.list_display if name != "status")
    list_filter = (
        SyncStateFilter,
        OwnerFilter,
        AccountFilter,
        CampaignFilter,
        "is_converted",
        LeadSourceFilter,
        "unsubscribed",
    )
