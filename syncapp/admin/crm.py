"""Admin for accounts, owners (users and queues), opportunities and contact roles: all read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from syncapp.admin.display import EMPTY, changelist_url, lookup_link, modified_column
from syncapp.admin.filters import picklist_filter
from syncapp.admin.key_search import KeySearch, KeySearchMixin
from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.admin.paging import CappedPaginator
from syncapp.models import Account, Opportunity, OpportunityContactRole, Person, SalesforceUser
from syncapp.models.crm import ACCOUNT_SEARCH_KEYS

SALESFORCE_STAMPS = ("sf_id", ("sf_created_at", "sf_modstamp"), "sf_deleted")


class MirrorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only mirror of one Salesforce object, with the big-table habits."""

    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 50


@admin.register(SalesforceUser)
class SalesforceUserAdmin(MirrorAdmin):
    notice = "Users and queues flow from Salesforce to the app only: manage them in Salesforce setup."
    # A scan, on purpose: an org has at most a few thousand users and queues (licences), read in a blink.
    list_display = ("name", "kind", "email", "title", "is_active", "people_link", "sf_id")
    list_filter = ("kind", "is_active", "sf_deleted")
    search_fields = ("name", "email", "=sf_id")
    search_help_text = "Search by name, email or exact Salesforce id."
    readonly_fields = ("people_link",)
    fieldsets = (
        (
            None,
            {"fields": ("name", "kind", ("first_name", "last_name"), "email", "title", "phone", "is_active")},
        ),
        ("Owns", {"fields": ("people_link",)}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="people")
    def people_link(self, obj: SalesforceUser) -> SafeString | str:
        if not obj.sf_id:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a>', changelist_url(Person, owner__exact=obj.sf_id), "People owned →"
        )


@admin.register(Account)
class AccountAdmin(KeySearchMixin, MirrorAdmin):
    notice = "Accounts flow from Salesforce to the app only: edit them in Salesforce."
    list_display = (
        "name",
        "type",
        "industry",
        "billing_city",
        "billing_country",
        "owner_link",
        "modified",
    )
    modified = modified_column
    list_filter = (
        picklist_filter("type", "Type", ("Account",), "type"),
        picklist_filter("industry", "Industry", ("Account",), "industry"),
        "sf_deleted",
    )
    key_search = KeySearch(keys=ACCOUNT_SEARCH_KEYS, phrase_keys=("search_name",))
    search_help_text = (
        "Each word finds accounts whose name or website (acme.com) starts with it, accents and case aside; "
        "several words must all match, or start the name together. A Salesforce account id (15 or 18 "
        "characters) finds exactly that account."
    )
    list_select_related = ("owner",)
    readonly_fields = ("owner_link", "related_links")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    ("type", "industry"),
                    "website",
                    "phone",
                    ("billing_city", "billing_country"),
                )
            },
        ),
        ("Owner and related", {"fields": ("owner_link", "related_links")}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="owner", ordering="owner__name")
    def owner_link(self, obj: Account) -> SafeString | str:
        return lookup_link(obj, "owner")

    @admin.display(description="related")
    def related_links(self, obj: Account) -> SafeString | str:
        if not obj.sf_id:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            changelist_url(Person, account__exact=obj.sf_id),
            "People at this account →",
            changelist_url(Opportunity, account__exact=obj.sf_id),
            "Opportunities →",
        )


@admin.register(Opportunity)
class OpportunityAdmin(KeySearchMixin, MirrorAdmin):
    notice = "Opportunities flow from Salesforce to the app only: edit them in Salesforce."
    list_display = ("name", "account_link", "stage_name", "amount", "close_date", "is_won", "owner_link")
    list_filter = (
        picklist_filter("stage_name", "StageName", ("Opportunity",), "stage"),
        "is_closed",
        "is_won",
        "sf_deleted",
    )
    key_search = KeySearch(
        keys=("search_name",), phrase_keys=("search_name",), id_fields=("sf_id", "account_id")
    )
    search_help_text = (
        "Finds opportunities whose name starts with the search, accents and case aside. A Salesforce id (15 "
        "or 18 characters) of an opportunity or of its account finds exactly those."
    )
    list_select_related = ("account", "owner")
    readonly_fields = ("account_link", "owner_link", "roles_link")
    fieldsets = (
        (
            None,
            {"fields": ("name", "account_link", "stage_name", ("amount", "probability"), "close_date")},
        ),
        ("Status", {"fields": (("is_closed", "is_won"), "owner_link", "roles_link")}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="account", ordering="account__name")
    def account_link(self, obj: Opportunity) -> SafeString | str:
        return lookup_link(obj, "account")

    @admin.display(description="owner", ordering="owner__name")
    def owner_link(self, obj: Opportunity) -> SafeString | str:
        return lookup_link(obj, "owner")

    @admin.display(description="contact roles")
    def roles_link(self, obj: Opportunity) -> SafeString | str:
        if not obj.sf_id:
            return EMPTY
        url = changelist_url(OpportunityContactRole, opportunity__exact=obj.sf_id)
        return format_html('<a href="{}">{}</a>', url, "Contact roles →")


@admin.register(OpportunityContactRole)
class OpportunityContactRoleAdmin(MirrorAdmin):
    notice = "Contact roles flow from Salesforce to the app only: edit them on the opportunity in Salesforce."
    list_display = ("__str__", "opportunity_link", "person_link", "is_primary", "modified")
    modified = modified_column
    list_filter = ("is_primary", "sf_deleted")
    search_fields = ("=sf_id", "=opportunity__sf_id", "=person__sf_contact_id")
    search_help_text = "Search by the exact Salesforce id of the role, its opportunity or its contact."
    list_select_related = ("opportunity", "person")
    readonly_fields = ("opportunity_link", "person_link")
    fieldsets = (
        (None, {"fields": ("role", "is_primary", "opportunity_link", "person_link")}),
        ("Salesforce", {"fields": SALESFORCE_STAMPS}),
    )

    @admin.display(description="opportunity", ordering="opportunity__name")
    def opportunity_link(self, obj: OpportunityContactRole) -> SafeString | str:
        return lookup_link(obj, "opportunity")

    @admin.display(description="contact")
    def person_link(self, obj: OpportunityContactRole) -> SafeString | str:
        return lookup_link(obj, "person")
