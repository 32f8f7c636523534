"""The registry: one declarative entry per synced sObject, in the order a cycle pulls them.

An entry says which local model mirrors the object, which local columns hold which Salesforce fields (a
synced field lives in its column, or in `sf_fields` without one: `fields.py`), which standard fields are
worth syncing (every visible custom field syncs), which hook class gives the object its Marketo behaviour,
whether local edits are pushed and under which conflict setting, and which fields the engine cannot do
without. Every per-object rule is read from here: nothing else names an object to decide how it syncs.

Long because it is data: one declaration per sObject, read top to bottom in pull order.
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
    SyncSettings,
)
from syncapp.models.sync_state import ConflictPolicy
from syncapp.sync.hooks import Hook
from syncapp.sync.hooks.links import (
    AccountHook,
    CampaignMemberHook,
    ContactRoleHook,
    CustomObjectHook,
    OpportunityHook,
    SalesforceActivityHook,
)
from syncapp.sync.hooks.person import PersonHook
from syncapp.sync.pull.values import Column

# Fields the engine cannot work without (the key, the delta order, deletes): never switched off.
ENGINE_FIELDS = ("Id", "SystemModstamp", "IsDeleted")
# Fields the engine itself relies on; synced whenever the object has them and the sync user can see them.
SYSTEM_FIELDS = (*ENGINE_FIELDS, "CreatedDate", "LastModifiedDate")


@dataclass(frozen=True)
class SyncedObject:
    sobject: str
    model: type[models.Model]
    key: str  # the model field holding this object's Salesforce id
    columns: tuple[Column, ...]
    standard_fields: tuple[str, ...]
    # Local edits of its columns go to Salesforce through the outbox; `conflict_setting` names the
    # SyncSettings field holding the policy when both sides changed a field (Salesforce wins without one).
    pushed: bool = False
    conflict_setting: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)  # constant column values (e.g. kind="task")
    where: str = ""  # extra SOQL condition (queues are the Groups of type Queue)
    hook: type[Hook] = Hook  # the object's Marketo behaviour (links, activity rows, conversions)
    bulk_load: bool = True  # large initial loads may use a Bulk API 2.0 query
    custom_object: bool = False
    needs: tuple[str, ...] = ()  # fields read through a column of its own (beyond its hook's): always synced

    @property
    def direction(self) -> str:
        """ "both" (pull + push) or "pull" (Salesforce → app only), as the admin says it."""
        return "both" if self.pushed else "pull"

    @property
    def is_person(self) -> bool:
        """Mirrored as a Person (a lead or a contact), pushed and logged as one."""
        return issubclass(self.hook, PersonHook)

    def base_fields(self) -> tuple[str, ...]:
        """The standard fields wanted from Salesforce, system fields first, without duplicates."""
        seen: dict[str, None] = dict.fromkeys(SYSTEM_FIELDS)
        seen.update(dict.fromkeys(self.standard_fields))
        seen.update(dict.fromkeys(c.api for c in self.columns))
        return tuple(seen)

    def required_fields(self) -> tuple[str, ...]:
        """Fields that sync whatever Field settings say: without them a cycle could not key, order, or
        follow conversions, merges and links."""
        return tuple(dict.fromkeys((*ENGINE_FIELDS, *self.hook.required_fields(self.sobject), *self.needs)))

    def editable_columns(self) -> dict[str, str]:
        """Model field → Salesforce field for the columns a local edit may change (not lookups)."""
        if not self.pushed:
            return {}
        return {c.attname: c.api for c in self.columns if c.kind != "id"}

    def conflict_policy(self, settings: SyncSettings) -> str:
        if not self.conflict_setting:
            return ConflictPolicy.SALESFORCE_WINS
        return getattr(settings, self.conflict_setting)


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
    hook=AccountHook,
)

CAMPAIGNS = SyncedObject(
    sobject="Campaign",
    model=Campaign,
    pushed=True,
    conflict_setting="campaign_conflict_policy",
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
    # Pulled only: Marketo matches a campaign's member statuses when a program is linked and never
    # writes them; what syncs both ways is each member's Status (campaign members, below).
    needs=("CampaignId",),
    key="sf_id",
    columns=(
        _c("campaign_id", "CampaignId", "id"),
        _c("label", "Label"),
        _c("sort_order", "SortOrder", "int"),
        _c("is_default", "IsDefault", "bool"),
        _c("has_responded", "HasResponded", "bool"),
    ),
    standard_fields=(),
    bulk_load=False,
)

LEADS = SyncedObject(
    sobject="Lead",
    model=Person,
    pushed=True,
    conflict_setting="lead_conflict_policy",
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
    hook=PersonHook,
)

CONTACTS = SyncedObject(
    sobject="Contact",
    model=Person,
    pushed=True,
    conflict_setting="contact_conflict_policy",
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
    hook=PersonHook,
)

OPPORTUNITIES = SyncedObject(
    sobject="Opportunity",
    model=Opportunity,
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
    hook=OpportunityHook,
)

CONTACT_ROLES = SyncedObject(
    sobject="OpportunityContactRole",
    model=OpportunityContactRole,
    key="sf_id",
    columns=(
        _c("opportunity_id", "OpportunityId", "id"),
        _c("person_id", "ContactId", "id"),
        _c("role", "Role"),
        _c("is_primary", "IsPrimary", "bool"),
    ),
    standard_fields=(),
    hook=ContactRoleHook,
)

CAMPAIGN_MEMBERS = SyncedObject(
    sobject="CampaignMember",
    model=CampaignMember,
    pushed=True,
    conflict_setting="campaign_member_conflict_policy",
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
    hook=CampaignMemberHook,
)

TASKS = SyncedObject(
    sobject="Task",
    model=SalesforceActivity,
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
    hook=SalesforceActivityHook,
)

EVENTS = SyncedObject(
    sobject="Event",
    model=SalesforceActivity,
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
    hook=SalesforceActivityHook,
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


PUSHED_OBJECTS = tuple(entry for entry in BEFORE_CUSTOM + AFTER_CUSTOM if entry.pushed)


def custom_object_entry(api_name: str) -> SyncedObject:
    """A custom object enabled in the admin: all its visible fields sync into CustomObjectRecord."""
    return SyncedObject(
        sobject=api_name,
        model=CustomObjectRecord,
        key="sf_id",
        columns=(_c("name", "Name"),),
        standard_fields=("OwnerId",),
        hook=CustomObjectHook,
        custom_object=True,
    )


def registry(custom_objects: list[str] | tuple[str, ...] = ()) -> tuple[SyncedObject, ...]:
    """Every synced object in pull order, enabled custom objects between campaign members and tasks."""
    return (*BEFORE_CUSTOM, *(custom_object_entry(name) for name in custom_objects), *AFTER_CUSTOM)


def pushed() -> dict[str, SyncedObject]:
    """The objects local edits are pushed to, by sObject, in push order."""
    return {entry.sobject: entry for entry in PUSHED_OBJECTS}


def person_sobjects() -> tuple[str, ...]:
    """The sObjects a Person is mirrored from (and pushed and logged as)."""
    return tuple(entry.sobject for entry in BEFORE_CUSTOM if entry.is_person)


def mirror_entry(obj: models.Model) -> SyncedObject | None:
    """The entry a mirrored row is pulled through (a person by its type, users and queues, tasks and events
    by their kind), whose columns say where each of its fields lives; None for a person not in Salesforce."""
    for entry in (*BEFORE_CUSTOM, *AFTER_CUSTOM):
        if isinstance(obj, entry.model) and all(getattr(obj, k) == v for k, v in entry.fixed.items()):
            return entry
    if isinstance(obj, CustomObjectRecord):
        return custom_object_entry(obj.object_type.api_name)
    return None


def entry_for(obj: models.Model) -> SyncedObject:
    """The entry a local row pushes through: a person's by its current type, else its model's."""
    if isinstance(obj, Person):
        # A person not in Salesforce yet would be created as a lead.
        kind = obj.sfdc_type or Person.SfdcType.LEAD
        return next(e for e in PUSHED_OBJECTS if e.is_person and e.fixed["sfdc_type"] == kind)
    for entry in PUSHED_OBJECTS:
        if isinstance(obj, entry.model):
            return entry
    raise TypeError(f"{type(obj).__name__} does not sync to Salesforce")
