"""Custom Salesforce objects linked to people or accounts: Salesforce → app only, enabled per object."""

from __future__ import annotations

from django.db import models

from syncapp.models.base import SalesforceLookup, SalesforceRecord


class CustomObjectType(models.Model):
    api_name = models.CharField("API name", max_length=80, unique=True)
    label = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True, help_text="Sync this object's records.")
    # The lookup fields (API names) that link a record to a person (Contact or Lead) and to an account.
    contact_field = models.CharField(max_length=80, blank=True)
    lead_field = models.CharField(max_length=80, blank=True)
    account_field = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["api_name"]

    def __str__(self) -> str:
        return self.label or self.api_name


class CustomObjectRecord(SalesforceRecord):
    object_type = models.ForeignKey(CustomObjectType, on_delete=models.CASCADE, related_name="records")
    name = models.CharField(max_length=255, blank=True)
    person = models.ForeignKey(
        "syncapp.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="custom_records"
    )
    account = SalesforceLookup(
        "syncapp.Account", related_name="custom_records", db_column="account_sf_id", verbose_name="account"
    )

    class Meta:
        ordering = ["object_type", "name"]

    def __str__(self) -> str:
        return self.name or self.sf_id or f"record #{self.pk}"
