"""Person, Marketo's person: one row that is a Salesforce Lead, a Contact, or neither; with proxies."""

from __future__ import annotations

from django.db import models

from syncapp.models.base import SalesforceLookup, SalesforceRecord
from syncapp.models.search import SearchKeyed, SearchKeyField

# The people lists search these keys by prefix (`search.py`). PostgreSQL answers `LIKE 'key%'` from a
# pattern-ops index only (its default collation does not order text byte by byte); SQLite ignores opclasses.
SEARCH_KEYS = ("search_first_name", "search_last_name", "search_email", "search_domain", "search_company")


class Person(SearchKeyed, SalesforceRecord):
    """`sf_id` is the current Salesforce id: the contact's once converted, else the lead's.

    A lead converted in Salesforce stays the same Person (now a contact) and keeps its history; the lead id
    stays in `sf_lead_id` so later pulls of the converted lead still find it.
    """

    class SfdcType(models.TextChoices):
        LEAD = "lead", "Lead"
        CONTACT = "contact", "Contact"
        NONE = "", "Not in Salesforce"

    # Not indexed on their own: the (sfdc_type, -sf_modstamp, -id) and (-sf_modstamp, -id) indexes below
    # serve every lookup by type or stamp, and each index costs every one of a first load's million writes.
    sfdc_type = models.CharField("SFDC type", max_length=7, choices=SfdcType.choices, blank=True)
    sf_modstamp = models.DateTimeField("SystemModstamp", null=True, blank=True)
    sf_lead_id = models.CharField("lead id", max_length=18, unique=True, null=True, blank=True)
    sf_contact_id = models.CharField("contact id", max_length=18, unique=True, null=True, blank=True)

    email = models.CharField(max_length=255, blank=True, db_index=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    company = models.CharField(max_length=255, blank=True)
    title = models.CharField("job title", max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=255, blank=True)
    status = models.CharField("lead status", max_length=255, blank=True)
    lead_source = models.CharField("source", max_length=255, blank=True)
    unsubscribed = models.BooleanField(default=False)
    is_converted = models.BooleanField("SFDC is converted", default=False)
    converted_at = models.DateField("SFDC converted date", null=True, blank=True)
    owner = SalesforceLookup(
        "syncapp.SalesforceUser", related_name="people", db_column="owner_sf_id", verbose_name="sales owner"
    )
    account = SalesforceLookup(
        "syncapp.Account", related_name="people", db_column="account_sf_id", verbose_name="account"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_people", db_index=False
    )
    # Set when Salesforce rejected this person's last push; cleared by a later edit or pull.
    sync_error = models.TextField(blank=True)

    search_first_name = SearchKeyField(source="first_name", max_length=80)
    search_last_name = SearchKeyField(source="last_name", max_length=80)
    search_email = SearchKeyField(source="email")
    search_domain = SearchKeyField(source="email", part="domain")
    search_company = SearchKeyField(source="company")

    class Meta:
        verbose_name_plural = "people"
        ordering = ["-sf_modstamp", "-id"]
        indexes = [
            models.Index(fields=["sfdc_type", "-sf_modstamp", "-id"], name="person_type_modstamp"),
            models.Index(fields=["-sf_modstamp", "-id"], name="person_modstamp"),
            # Partial: they hold only the few people Salesforce rejected or deleted, so the lists' "Rejected
            # by Salesforce" and "Deleted in Salesforce" filters read those rows, not a million others.
            models.Index(
                fields=["-sf_modstamp", "-id"], condition=~models.Q(sync_error=""), name="person_rejected"
            ),
            models.Index(
                fields=["-sf_modstamp", "-id"],
                condition=models.Q(sf_deleted=True),
                name="person_deleted_in_sf",
            ),
            *(
                models.Index(fields=[key], name=f"person_{key}", opclasses=["varchar_pattern_ops"])
                for key in SEARCH_KEYS
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.sf_id or f"person #{self.pk}"


class LeadManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(sfdc_type=Person.SfdcType.LEAD)


class ContactManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(sfdc_type=Person.SfdcType.CONTACT)


class Lead(Person):
    objects = LeadManager()

    class Meta:
        proxy = True


class Contact(Person):
    objects = ContactManager()

    class Meta:
        proxy = True
