"""Accounts, owners (users and lead queues), opportunities and their contact roles: Salesforce → app only."""

from __future__ import annotations

from django.db import models

from syncapp.models.base import SalesforceLookup, SalesforceRecord
from syncapp.models.search import SearchKeyed, SearchKeyField

# The lists search these by prefix (`admin/key_search.py`); pattern-ops for PostgreSQL's LIKE 'key%'.
ACCOUNT_SEARCH_KEYS = ("search_name", "search_domain")


class SalesforceUser(SalesforceRecord):
    """A Salesforce User, or a lead queue (a Group of type Queue): both can own records."""

    class Kind(models.TextChoices):
        USER = "user", "User"
        QUEUE = "queue", "Queue"

    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.USER)
    name = models.CharField(max_length=255, blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Salesforce user or queue"
        verbose_name_plural = "Salesforce users and queues"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.sf_id or f"user #{self.pk}"


class Account(SearchKeyed, SalesforceRecord):
    name = models.CharField(max_length=255, blank=True, db_index=True)
    type = models.CharField(max_length=255, blank=True)
    industry = models.CharField(max_length=255, blank=True)
    website = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    billing_city = models.CharField(max_length=255, blank=True)
    billing_country = models.CharField(max_length=255, blank=True)
    owner = SalesforceLookup(
        "syncapp.SalesforceUser", related_name="accounts", db_column="owner_sf_id", verbose_name="owner"
    )
    search_name = SearchKeyField(source="name")
    search_domain = SearchKeyField(source="website", part="host")

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=[key], name=f"account_{key}", opclasses=["varchar_pattern_ops"])
            for key in ACCOUNT_SEARCH_KEYS
        ]

    def __str__(self) -> str:
        return self.name or self.sf_id or f"account #{self.pk}"


class Opportunity(SearchKeyed, SalesforceRecord):
    name = models.CharField(max_length=255, blank=True, db_index=True)
    stage_name = models.CharField("stage", max_length=255, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    probability = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    account = SalesforceLookup(
        "syncapp.Account", related_name="opportunities", db_column="account_sf_id", verbose_name="account"
    )
    owner = SalesforceLookup(
        "syncapp.SalesforceUser", related_name="opportunities", db_column="owner_sf_id", verbose_name="owner"
    )
    search_name = SearchKeyField(source="name")

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-close_date", "-id"]
        indexes = [
            models.Index(
                fields=["search_name"], name="opportunity_search_name", opclasses=["varchar_pattern_ops"]
            ),
            # The list's order: fifty rows read from an index, not a sort of every opportunity.
            models.Index(fields=["-close_date", "-id"], name="opportunity_close_date"),
        ]

    def __str__(self) -> str:
        return self.name or self.sf_id or f"opportunity #{self.pk}"


class OpportunityContactRole(SalesforceRecord):
    """The only link from an opportunity to people (as in Marketo)."""

    opportunity = SalesforceLookup(
        "syncapp.Opportunity",
        related_name="contact_roles",
        db_column="opportunity_sf_id",
        verbose_name="opportunity",
    )
    person = SalesforceLookup(
        "syncapp.Person",
        to_field="sf_contact_id",
        related_name="opportunity_roles",
        db_column="contact_sf_id",
        verbose_name="contact",
    )
    role = models.CharField(max_length=255, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sf_modstamp"]

    def __str__(self) -> str:
        return self.role or "contact role"
