"""The people lists' filters: sync state, owner, account and campaign, each cheap on a million people."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet

from syncapp import selectors
from syncapp.models import Account, Campaign, CampaignMember, OutboundChange, SalesforceUser

# A filter sidebar is for picking, not for browsing: past this many owners or campaigns, search instead.
MAX_CHOICES = 100


def _pending_ids() -> QuerySet:
    # `pk IN (…)` from the outbox's (state, sobject, local_id) index: the few pending people are found
    # directly, rather than testing every person for a pending change until a page is full.
    return OutboundChange.objects.filter(
        state=OutboundChange.State.PENDING, sobject__in=selectors.person_sobjects()
    ).values("local_id")


class SyncStateFilter(admin.SimpleListFilter):
    """Where a person stands with Salesforce, in the words a marketer uses."""

    title = "sync state"
    parameter_name = "sync"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [
            ("ok", "In sync"),
            ("pending", "Pending sync"),
            ("error", "Rejected by Salesforce"),
            ("local", "Only here (not in Salesforce)"),
            ("deleted", "Deleted in Salesforce"),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "pending":
            return queryset.filter(pk__in=_pending_ids())
        if value == "error":
            return queryset.exclude(sync_error="")
        if value == "local":
            return queryset.filter(sfdc_type="")
        if value == "deleted":
            return queryset.filter(sf_deleted=True)
        if value == "ok":
            return (
                queryset.filter(sync_error="", sf_deleted=False)
                .exclude(sfdc_type="")
                .exclude(pk__in=_pending_ids())
            )
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    """People owned by a user or a lead queue; `owner__exact` is also what an owner's page links to."""

    title = "sales owner"
    parameter_name = "owner__exact"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        owners = SalesforceUser.objects.filter(is_active=True, sf_deleted=False).exclude(sf_id=None)
        choices = [
            (sf_id, f"{name or sf_id} (queue)" if kind == SalesforceUser.Kind.QUEUE else name or sf_id)
            for sf_id, name, kind in owners.order_by("kind", "name").values_list("sf_id", "name", "kind")[
                :MAX_CHOICES
            ]
        ]
        return _with_selected(choices, self.value(), SalesforceUser)

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(owner_id=self.value()) if self.value() else queryset


class AccountFilter(admin.SimpleListFilter):
    """People at one account. Accounts are too many to list: the filter shows the one chosen (an account's
    page links here), and the list's search finds the rest by company."""

    title = "account"
    parameter_name = "account__exact"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return _with_selected([("none", "No account")], self.value(), Account)

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "none":
            return queryset.filter(account_id=None)
        return queryset.filter(account_id=self.value()) if self.value() else queryset


class CampaignFilter(admin.SimpleListFilter):
    """Members of a Salesforce campaign (Marketo's "Member of SFDC Campaign")."""

    title = "campaign"
    parameter_name = "campaign"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        campaigns = (
            Campaign.objects.filter(sf_deleted=False).exclude(sf_id=None).order_by("-is_active", "name")
        )
        choices = [
            (sf_id, name or sf_id) for sf_id, name in campaigns.values_list("sf_id", "name")[:MAX_CHOICES]
        ]
        return _with_selected(choices, self.value(), Campaign)

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        # `pk IN (members)` from the campaign's index: testing every person for membership would read the
        # whole person table for a small campaign.
        members = CampaignMember.objects.filter(campaign_id=self.value(), sf_deleted=False).values(
            "person_id"
        )
        return queryset.filter(pk__in=members)


def _with_selected(choices: list[tuple[str, str]], selected: str | None, model) -> list[tuple[str, str]]:
    """Keep the chosen value among the choices even past the cap, named by its record when mirrored."""
    if selected and selected not in dict(choices):
        record = model.objects.filter(sf_id=selected).first()
        choices = [(selected, str(record) if record else selected), *choices]
    return choices
