"""Salesforce campaigns, their member statuses and their members: synced both ways."""

from __future__ import annotations

from django.db import models

from syncapp.models.base import SalesforceLookup, SalesforceRecord


class Campaign(SalesforceRecord):
    name = models.CharField(max_length=255, blank=True, db_index=True)
    type = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    owner = SalesforceLookup(
        "syncapp.SalesforceUser", related_name="campaigns", db_column="owner_sf_id", verbose_name="owner"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.sf_id or f"campaign #{self.pk}"


class CampaignMemberStatus(SalesforceRecord):
    campaign = SalesforceLookup(
        "syncapp.Campaign",
        related_name="member_statuses",
        db_column="campaign_sf_id",
        verbose_name="campaign",
    )
    label = models.CharField(max_length=255, blank=True)
    sort_order = models.IntegerField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    has_responded = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "campaign member statuses"
        ordering = ["campaign_id", "sort_order"]

    def __str__(self) -> str:
        return self.label


class CampaignMember(SalesforceRecord):
    campaign = SalesforceLookup(
        "syncapp.Campaign", related_name="members", db_column="campaign_sf_id", verbose_name="campaign"
    )
    # A member points at a lead or a contact; after a conversion Salesforce fills both.
    lead_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    contact_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    person = models.ForeignKey(
        "syncapp.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_memberships",
    )
    status = models.CharField(max_length=255, blank=True)
    has_responded = models.BooleanField(default=False)
    first_responded_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sf_modstamp"]

    def __str__(self) -> str:
        return f"{self.status or 'member'} of {self.campaign_id}"
