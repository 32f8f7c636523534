"""The registry: one declarative entry per synced sObject, in the order a cycle pulls them.

An entry says which local model mirrors the object, which local columns are filled from which Salesforce
fields (everything synced also lands in `sf_fields` by API name), which standard fields are worth syncing
(every visible custom field syncs), and which hook gives the object its Marketo behaviour. There is no
per-object copy of the pull loop: `pull.py` runs every entry the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from syncapp.models import (
    Account,
    Campaign,
    CampaignMember,
    CampaignMemberStatus,
    CustomObjectRecord,
    Opportunity,
    OpportunityContactRole,
    Person,
    SalesforceActivity,
    SalesforceUser,
)

# Fields the engine cannot work without (the key, the delta order, deletes): never switched off.
ENGINE_FIELDS = ("Id", "SystemModstamp", "IsDeleted")
# Fields the engine itself relies on; synced whenever the object has them and the sync user can see them.
SYSTEM_FIELDS = (*ENGINE_FIELDS, "CreatedDate", "LastModifiedDate")


@dataclass(frozen=True)
class Column:
    """A model column filled from one Salesforce field. `kind` picks the value converter."""

    attname: str
    api: str
    kind: str = "str"  # str | bool | int | decimal | date | datetime | id


@dataclass(frozen=True)
class SyncedObject:
    sobject: str
    model: type[models.Model]
    direction: str  # "both" (pull + push) or "pull" (Salesforce → app only)
    key: str  # the model field holding this object's Salesforce id
    columns: tuple[Column, ...]
    standard_fields: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)  # constant column values (e.g. kind="task")
    where: str = ""  # extra SOQL condition (queues are the Groups of type Queue)
    hook: str = ""  # name of the behaviour in `hooks.py` (person, member, role, activity, custom)
    bulk_load: bool = True  # large initial loads may use a Bulk API 2.0 query
    custom_object: bool = False
    needs: tuple[str, ...] = ()  # fields its hook reads (conversions, merges, links): always synced

    def required_fields(self) -> tuple[str, ...]:
        """Fields that sync whatever Field settings say: without them a cycle could not key, order, or
        follow conversions, merges and links."""
        return tuple(dict.fromkeys((*ENGINE_FIELDS, *self.needs)))

    def base_fields(self) -> tuple[str, ...]:
        """The standard fields wanted from Salesforce, system fields first, without duplicates."""
        seen: dict[str, None] = dict.fromkeys(SYSTEM_FIELDS)
        seen.update(dict.fromkeys(self.standard_fields))
        seen.update(dict.fromkeys(c.api for c in self.columns))
        return tuple(seen)


def _c(attname: str, api: str, kind: str = "str") -> Column:
    return Column(attname, api, kind)


PERSON_SHARED = (
    _c("email", "Email"),
    _c("first_name", "FirstName"),
    _c("last_name", "LastName"),
    _c("title", "Title"),
    _c("phone", "Phone"),
    _c("lead_source", "LeadSource"),
    _c("unsubscribed", "HasOptedOutOfEmail", "bool"),
    _c("owner_id", "OwnerId", "id"),
)

USERS = SyncedObject(
    sobject="User",
    model=SalesforceUser,
    direction="pull",
    key="sf_id",
    columns=(
        _c("name", "Name"),
        _c("first_name", "FirstName"),
        _c("last_name", "LastName"),
        _c("email", "Email"),
        _c("title", "Title"),
        _c("phone", "Phone"),
        _c("is_active", "IsActive", "bool"),
    ),
    standard_fields=("Username", "UserType", "ManagerId", "MobilePhone", "Department"),
    fixed={"kind": SalesforceUser.Kind.USER},
    bulk_load=False,
)

QUEUES = SyncedObject(
    sobject="Group",
    model=SalesforceUser,
    direction="pull",
    key="sf_id",
    columns=(_c("name", "Name"), _c("email", "Email")),
    standard_fields=("Type", "DeveloperName"),
    fixed={"kind": SalesforceUser.Kind.QUEUE, "is_active": True},
    where="Type = 'Queue'",
    bulk_load=False,
)

ACCOUNTS = SyncedObject(
    sobject="Account",
    model=Account,
    direction="pull",
    key="sf_id",
    columns=(
        _c("name", "Name"),
        _c("type", "Type"),
        _c("industry", "Industry"),
        _c("website", "Website"),
        _c("phone", "Phone"),
        _c("billing_city", "BillingCity"),
        _c("billing_country", "BillingCountry"),
        _c("owner_id", "OwnerId", "id"),
    ),
    standard_fields=(
        "MasterRecordId",
        "ParentId",
        "AnnualRevenue",
        "NumberOfEmployees",
        "Description",
        "BillingStreet",
        "BillingState",
        "BillingPostalCode",
        "Site",
        "Sic",
        "AccountSource",
        "Rating",
    ),
    needs=("Name",),
    hook="account",
)

CAMPAIGNS = SyncedObject(
    sobject="Campaign",
    model=Campaign,
    direction="both",
    key="sf_id",
    columns=(
        _c("name", "Name"),
        _c("type", "Type"),
        _c("status", "Status"),
        _c("is_active", "IsActive", "bool"),
        _c("start_date", "StartDate", "date"),
        _c("end_date", "EndDate", "date"),
        _c("owner_id", "OwnerId", "id"),
    ),
    standard_fields=(
        "ParentId",
        "Description",
        "BudgetedCost",
        "ActualCost",
        "ExpectedRevenue",
        "NumberOfLeads",
        "NumberOfContacts",
    ),
)

MEMBER_STATUSES = SyncedObject(
    sobject="CampaignMemberStatus",
    model=CampaignMemberStatus,
    direction="both",
    key="sf_id",
    columns=(
        _c("campaign_id", "CampaignId", "id"),
        _c("label", "Label"),
        _c("sort_order", "SortOrder", "int"),
        _c("is_default", "IsDefault", "bool"),
        _c("has_responded", "HasResponded", "bool"),
    ),
    standard_fields=(),
    needs=("CampaignId",),
    bulk_load=False,
)

LEADS = SyncedObject(
    sobject="Lead",
    model=Person,
    direction="both",
    key="sf_lead_id",
    columns=(
        *PERSON_SHARED,
        _c("company", "Company"),
        _c("city", "City"),
        _c("country", "Country"),
        _c("status", "Status"),
        _c("is_converted", "IsConverted", "bool"),
        _c("converted_at", "ConvertedDate", "date"),
    ),
    # Marketo's default lead mapping plus what the sync itself needs (KB-REQ).
    standard_fields=(
        "MasterRecordId",
        "Salutation",
        "MobilePhone",
        "Fax",
        "Website",
        "Street",
        "State",
        "PostalCode",
        "Industry",
        "Rating",
        "AnnualRevenue",
        "NumberOfEmployees",
        "Description",
        "DoNotCall",
        "ConvertedAccountId",
        "ConvertedContactId",
        "ConvertedOpportunityId",
    ),
    fixed={"sfdc_type": Person.SfdcType.LEAD},
    needs=(
        "IsConverted",
        "ConvertedContactId",
        "ConvertedAccountId",
        "ConvertedOpportunityId",
        "ConvertedDate",
        "MasterRecordId",
    ),
    hook="person",
)

CONTACTS = SyncedObject(
    sobject="Contact",
    model=Person,
    direction="both",
    key="sf_contact_id",
    columns=(
        *PERSON_SHARED,
        _c("city", "MailingCity"),
        _c("country", "MailingCountry"),
        _c("account_id", "AccountId", "id"),
    ),
    standard_fields=(
        "MasterRecordId",
        "Salutation",
        "Department",
        "MobilePhone",
        "Fax",
        "MailingStreet",
        "MailingState",
        "MailingPostalCode",
        "Birthdate",
        "Description",
        "DoNotCall",
    ),
    fixed={"sfdc_type": Person.SfdcType.CONTACT},
    needs=("MasterRecordId", "AccountId"),
    hook="person",
)

OPPORTUNITIES = SyncedObject(
    sobject="Opportunity",
    model=Opportunity,
    direction="pull",
    key="sf_id",
    columns=(
        _c("name", "Name"),
        _c("stage_name", "StageName"),
        _c("amount", "Amount", "decimal"),
        _c("close_date", "CloseDate", "date"),
        _c("probability", "Probability", "decimal"),
        _c("is_closed", "IsClosed", "bool"),
        _c("is_won", "IsWon", "bool"),
        _c("account_id", "AccountId", "id"),
        _c("owner_id", "OwnerId", "id"),
    ),
    standard_fields=("CampaignId", "Type", "LeadSource", "NextStep", "Description", "ForecastCategoryName"),
    hook="opportunity",
)

CONTACT_ROLES = SyncedObject(
    sobject="OpportunityContactRole",
    model=OpportunityContactRole,
    direction="pull",
    key="sf_id",
    columns=(
        _c("opportunity_id", "OpportunityId", "id"),
        _c("person_id", "ContactId", "id"),
        _c("role", "Role"),
        _c("is_primary", "IsPrimary", "bool"),
    ),
    standard_fields=(),
    needs=("OpportunityId", "ContactId"),
    hook="contact_role",
)

CAMPAIGN_MEMBERS = SyncedObject(
    sobject="CampaignMember",
    model=CampaignMember,
    direction="both",
    key="sf_id",
    columns=(
        _c("campaign_id", "CampaignId", "id"),
        _c("lead_sf_id", "LeadId"),
        _c("contact_sf_id", "ContactId"),
        _c("status", "Status"),
        _c("has_responded", "HasResponded", "bool"),
        _c("first_responded_date", "FirstRespondedDate", "date"),
    ),
    standard_fields=(),
    needs=("CampaignId", "LeadId", "ContactId", "Status"),
    hook="campaign_member",
)

TASKS = SyncedObject(
    sobject="Task",
    model=SalesforceActivity,
    direction="pull",
    key="sf_id",
    columns=(
        _c("subject", "Subject"),
        _c("status", "Status"),
        _c("activity_date", "ActivityDate", "date"),
        _c("who_sf_id", "WhoId"),
        _c("what_sf_id", "WhatId"),
        _c("owner_id", "OwnerId", "id"),
    ),
    standard_fields=("Priority", "Description", "IsClosed", "Type", "TaskSubtype"),
    fixed={"kind": SalesforceActivity.Kind.TASK},
    needs=("WhoId",),
    hook="sfdc_activity",
)

EVENTS = SyncedObject(
    sobject="Event",
    model=SalesforceActivity,
    direction="pull",
    key="sf_id",
    columns=(
        _c("subject", "Subject"),
        _c("activity_date", "ActivityDate", "date"),
        _c("who_sf_id", "WhoId"),
        _c("what_sf_id", "WhatId"),
        _c("owner_id", "OwnerId", "id"),
    ),
    standard_fields=(
        "Description",
        "Location",
        "ActivityDateTime",
        "StartDateTime",
        "EndDateTime",
        "DurationInMinutes",
        "Type",
    ),
    fixed={"kind": SalesforceActivity.Kind.EVENT},
    needs=("WhoId",),
    hook="sfdc_activity",
)

# Dependency order: owners before what they own, accounts before contacts, campaigns before members,
# people before what links to them.
BEFORE_CUSTOM = (
    USERS,
    QUEUES,
    ACCOUNTS,
    CAMPAIGNS,
    MEMBER_STATUSES,
    LEADS,
    CONTACTS,
    OPPORTUNITIES,
    CONTACT_ROLES,
    CAMPAIGN_MEMBERS,
)
AFTER_CUSTOM = (TASKS, EVENTS)


def custom_object_entry(api_name: str) -> SyncedObject:
    """A custom object enabled in the admin: all its visible fields sync into CustomObjectRecord."""
    return SyncedObject(
        sobject=api_name,
        model=CustomObjectRecord,
        direction="pull",
        key="sf_id",
        columns=(_c("name", "Name"),),
        standard_fields=("OwnerId",),
        hook="custom_object",
        custom_object=True,
    )


def registry(custom_objects: list[str] | tuple[str, ...] = ()) -> tuple[SyncedObject, ...]:
    """Every synced object in pull order, enabled custom objects between campaign members and tasks."""
    return (*BEFORE_CUSTOM, *(custom_object_entry(name) for name in custom_objects), *AFTER_CUSTOM)
