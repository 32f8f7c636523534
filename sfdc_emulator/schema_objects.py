"""The default org's objects (standard + custom fields) and profiles with their field-level security."""

from __future__ import annotations

from dataclasses import dataclass

from sfdc_emulator.schema import (
    TODAY,
    ObjectDef,
    address,
    compound_name,
    f,
    name_of,
    obj,
    pick,
    ref,
    ro,
    s,
)

INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
LEAD_SOURCES = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
    "Webinar",
    "Trade Show",
)
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
RATINGS = ("Hot", "Warm", "Cold")
LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
LANGUAGES = ("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese", "Japanese")
PRODUCTS = ("Starter", "Professional", "Enterprise", "Analytics Add-on", "Support Plus")


def _sync_key() -> object:
    return s("Sync_Key__c", 64, external_id=True, unique=True, label="Sync Key")


def default_objects() -> list[ObjectDef]:
    user = obj(
        "User",
        "005",
        [
            s("Username", 80, nillable=False, unique=True),
            s("LastName", 80, nillable=False),
            s("FirstName", 40),
            f("Email", "email", 128, nillable=False),
            s("Alias", 8),
            s("Title", 80),
            s("Department", 80),
            s("CompanyName", 80),
            f("Phone", "phone", 40),
            f("MobilePhone", "phone", 40),
            f("IsActive", "boolean", default=True, label="Active"),
            ref("ProfileId", "Profile", "Profile", label="Profile ID"),
            ref("ManagerId", "User", "Manager", label="Manager ID"),
            pick("UserType", ("Standard", "AutomatedProcess"), restricted=True, default="Standard"),
            s("TimeZoneSidKey", 40, default="America/Los_Angeles", label="Time Zone"),
            s("LocaleSidKey", 40, default="en_US", label="Locale"),
            s("LanguageLocaleKey", 40, default="en_US", label="Language"),
            s("EmailEncodingKey", 40, default="UTF-8", label="Email Encoding"),
        ],
        owner=False,
        name_field=compound_name(),
        deletable=False,
    )
    profile = obj(
        "Profile",
        "00e",
        [s("Description", 255), pick("UserType", ("Standard",), default="Standard")],
        owner=False,
        name_field=name_of(255),
        createable=False,
        updateable=False,
        deletable=False,
    )
    group = obj(
        "Group",
        "00G",
        [
            s("DeveloperName", 80, label="Developer Name"),
            pick("Type", ("Regular", "Queue", "Role", "Organization"), restricted=True, nillable=False),
            f("Email", "email", 255),
            f("DoesSendEmailToMembers", "boolean", label="Send Email to Members"),
        ],
        owner=True,
        name_field=name_of(40),
    )
    account = obj(
        "Account",
        "001",
        [
            pick("Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")),
            ref("ParentId", "Account", "Parent", child="ChildAccounts", label="Parent Account ID"),
            s("AccountNumber", 40),
            s("Site", 80, label="Account Site"),
            *address("Billing", "Billing"),
            *address("Shipping", "Shipping"),
            f("Phone", "phone", 40),
            f("Fax", "phone", 40),
            f("Website", "url", 255),
            pick("Industry", INDUSTRIES),
            pick("Rating", RATINGS),
            pick("AccountSource", LEAD_SOURCES),
            f("AnnualRevenue", "currency"),
            f("NumberOfEmployees", "int", label="Employees"),
            f("Description", "textarea", 32000),
            ro(ref("MasterRecordId", "Account", "MasterRecord", label="Master Record ID")),
            ro(f("LastActivityDate", "date")),
            _sync_key(),
            pick("Customer_Tier__c", ("Gold", "Silver", "Bronze"), restricted=True, label="Customer Tier"),
            f("Health_Score__c", "double", precision=3, scale=0, label="Health Score"),
        ],
        name_field=name_of(255, label="Account Name"),
        mergeable=True,
    )
    contact = obj(
        "Contact",
        "003",
        [
            s("LastName", 80, nillable=False),
            s("FirstName", 40),
            pick("Salutation", SALUTATIONS),
            ref("AccountId", "Account", "Account", child="Contacts", cascade=True, label="Account ID"),
            s("Title", 128),
            s("Department", 80),
            f("Email", "email", 80),
            f("Phone", "phone", 40, label="Business Phone"),
            f("MobilePhone", "phone", 40),
            f("HomePhone", "phone", 40),
            f("OtherPhone", "phone", 40),
            f("Fax", "phone", 40),
            *address("Mailing", "Mailing"),
            *address("Other", "Other"),
            f("Birthdate", "date"),
            pick("LeadSource", LEAD_SOURCES),
            ref("ReportsToId", "Contact", "ReportsTo", child="ReportsTo", label="Reports To ID"),
            f("Description", "textarea", 32000),
            f("HasOptedOutOfEmail", "boolean", label="Email Opt Out"),
            f("DoNotCall", "boolean"),
            s("EmailBouncedReason", 255),
            ro(f("LastActivityDate", "date")),
            ro(ref("MasterRecordId", "Contact", "MasterRecord", label="Master Record ID")),
            _sync_key(),
            pick("Preferred_Language__c", LANGUAGES, restricted=True, label="Preferred Language"),
            f("Internal_Notes__c", "textarea", 1000, label="Internal Notes"),
            f("Marketing_Consent__c", "boolean", label="Marketing Consent"),
        ],
        name_field=compound_name(),
        mergeable=True,
    )
    lead = obj(
        "Lead",
        "00Q",
        [
            s("LastName", 80, nillable=False),
            s("FirstName", 40),
            pick("Salutation", SALUTATIONS),
            s("Title", 128),
            s("Company", 255, nillable=False),
            f("Email", "email", 80),
            f("Phone", "phone", 40),
            f("MobilePhone", "phone", 40),
            f("Fax", "phone", 40),
            f("Website", "url", 255),
            *address("", ""),
            pick("LeadSource", LEAD_SOURCES),
            pick(
                "Status",
                LEAD_STATUSES,
                restricted=True,
                nillable=False,
                default="Open - Not Contacted",
                label="Lead Status",
            ),
            pick("Industry", INDUSTRIES),
            pick("Rating", RATINGS),
            f("AnnualRevenue", "currency"),
            f("NumberOfEmployees", "int", label="No. of Employees"),
            f("Description", "textarea", 32000),
            f("HasOptedOutOfEmail", "boolean", label="Email Opt Out"),
            f("DoNotCall", "boolean"),
            f("IsUnreadByOwner", "boolean", label="Unread By Owner"),
            ro(f("IsConverted", "boolean", label="Converted")),
            ro(f("ConvertedDate", "date")),
            ro(ref("ConvertedAccountId", "Account", "ConvertedAccount", label="Converted Account ID")),
            ro(ref("ConvertedContactId", "Contact", "ConvertedContact", label="Converted Contact ID")),
            ro(
                ref(
                    "ConvertedOpportunityId",
                    "Opportunity",
                    "ConvertedOpportunity",
                    label="Converted Opportunity ID",
                )
            ),
            ro(ref("MasterRecordId", "Lead", "MasterRecord", label="Master Record ID")),
            ro(f("LastActivityDate", "date")),
            _sync_key(),
            f("Score__c", "double", precision=5, scale=0, label="Score"),
            f("Internal_Score__c", "double", precision=5, scale=0, label="Internal Score"),
            f(
                "Product_Interest__c",
                "multipicklist",
                4099,
                picklist_values=PRODUCTS,
                label="Product Interest",
            ),
            s("Lead_Source_Detail__c", 255, label="Lead Source Detail"),
        ],
        name_field=compound_name(),
        mergeable=True,
    )
    lead_status = obj(
        "LeadStatus",
        "01J",
        [
            s("MasterLabel", 255, nillable=False),
            s("ApiName", 255),
            f("SortOrder", "int"),
            f("IsDefault", "boolean"),
            f("IsConverted", "boolean"),
        ],
        owner=False,
        createable=False,
        updateable=False,
        deletable=False,
    )
    opportunity = obj(
        "Opportunity",
        "006",
        [
            ref("AccountId", "Account", "Account", child="Opportunities", cascade=True, label="Account ID"),
            pick("StageName", OPPORTUNITY_STAGES, restricted=True, nillable=False, label="Stage"),
            f("CloseDate", "date", nillable=False),
            f("Amount", "currency"),
            f("Probability", "percent"),
            pick("Type", ("Existing Customer - Upgrade", "Existing Customer - Replacement", "New Customer")),
            pick("LeadSource", LEAD_SOURCES),
            s("NextStep", 255),
            f("Description", "textarea", 32000),
            ro(f("IsClosed", "boolean", label="Closed")),
            ro(f("IsWon", "boolean", label="Won")),
            ref("CampaignId", "Campaign", "Campaign", child="Opportunities", label="Campaign ID"),
        ],
        name_field=name_of(120),
        plural="Opportunities",
    )
    ocr = obj(
        "OpportunityContactRole",
        "00K",
        [
            ref(
                "OpportunityId",
                "Opportunity",
                "Opportunity",
                child="OpportunityContactRoles",
                cascade=True,
                nillable=False,
                label="Opportunity ID",
            ),
            ref(
                "ContactId",
                "Contact",
                "Contact",
                child="OpportunityContactRoles",
                cascade=True,
                nillable=False,
                label="Contact ID",
            ),
            pick(
                "Role",
                (
                    "Business User",
                    "Decision Maker",
                    "Economic Buyer",
                    "Economic Decision Maker",
                    "Evaluator",
                    "Executive Sponsor",
                    "Influencer",
                    "Technical Buyer",
                    "Other",
                ),
            ),
            f("IsPrimary", "boolean", label="Primary"),
        ],
        owner=False,
    )
    campaign = obj(
        "Campaign",
        "701",
        [
            pick(
                "Type",
                ("Advertisement", "Email", "Webinar", "Conference", "Trade Show", "Direct Mail", "Other"),
            ),
            pick("Status", ("Planned", "In Progress", "Completed", "Aborted")),
            f("IsActive", "boolean", label="Active"),
            f("StartDate", "date"),
            f("EndDate", "date"),
            ref("ParentId", "Campaign", "Parent", child="ChildCampaigns", label="Parent Campaign ID"),
            f("Description", "textarea", 32000),
            f("BudgetedCost", "currency"),
            f("ActualCost", "currency"),
            f("ExpectedRevenue", "currency"),
            ro(f("NumberOfLeads", "int", label="Leads in Campaign")),
            ro(f("NumberOfContacts", "int", label="Contacts in Campaign")),
        ],
        name_field=name_of(80, label="Campaign Name"),
    )
    campaign_member = obj(
        "CampaignMember",
        "00v",
        [
            ref(
                "CampaignId",
                "Campaign",
                "Campaign",
                child="CampaignMembers",
                cascade=True,
                nillable=False,
                label="Campaign ID",
                updateable=False,
            ),
            ref(
                "LeadId",
                "Lead",
                "Lead",
                child="CampaignMembers",
                cascade=True,
                label="Lead ID",
                updateable=False,
            ),
            ref(
                "ContactId",
                "Contact",
                "Contact",
                child="CampaignMembers",
                cascade=True,
                label="Contact ID",
                updateable=False,
            ),
            s("Status", 40),
            ro(f("HasResponded", "boolean", label="Responded")),
            ro(f("FirstRespondedDate", "date")),
        ],
        owner=False,
    )
    member_status = obj(
        "CampaignMemberStatus",
        "01Y",
        [
            ref(
                "CampaignId",
                "Campaign",
                "Campaign",
                child="CampaignMemberStatuses",
                cascade=True,
                nillable=False,
                label="Campaign ID",
                updateable=False,
            ),
            s("Label", 765, nillable=False, label="Member Status"),
            f("SortOrder", "int"),
            f("IsDefault", "boolean", label="Default"),
            f("HasResponded", "boolean", label="Responded"),
        ],
        owner=False,
    )
    what = ("Account", "Opportunity", "Campaign", "Subscription__c")
    task = obj(
        "Task",
        "00T",
        [
            ref("WhoId", ("Lead", "Contact"), "Who", child="Tasks", cascade=True, label="Name ID"),
            ref("WhatId", what, "What", child="Tasks", cascade=True, label="Related To ID"),
            s("Subject", 255),
            f("ActivityDate", "date", label="Due Date Only"),
            pick(
                "Status",
                ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
                restricted=True,
                nillable=False,
                default="Not Started",
            ),
            pick("Priority", ("High", "Normal", "Low"), restricted=True, nillable=False, default="Normal"),
            pick("Type", ("Call", "Email", "Meeting", "Other")),
            pick("TaskSubtype", ("Task", "Email", "Call")),
            f("Description", "textarea", 32000, label="Comments"),
            ro(f("IsClosed", "boolean", label="Closed")),
        ],
    )
    event = obj(
        "Event",
        "00U",
        [
            ref("WhoId", ("Lead", "Contact"), "Who", child="Events", cascade=True, label="Name ID"),
            ref("WhatId", what, "What", child="Events", cascade=True, label="Related To ID"),
            s("Subject", 255),
            s("Location", 255),
            f("StartDateTime", "datetime", label="Start Date Time"),
            f("EndDateTime", "datetime", label="End Date Time"),
            f("ActivityDateTime", "datetime", label="Due Date Time"),
            f("ActivityDate", "date", label="Due Date Only"),
            f("DurationInMinutes", "int", label="Duration"),
            f("IsAllDayEvent", "boolean", label="All-Day Event"),
            pick("Type", ("Call", "Email", "Meeting", "Other")),
            pick("ShowAs", ("Busy", "Free", "OutOfOffice")),
            f("Description", "textarea", 32000),
        ],
    )
    organization = obj(
        "Organization",
        "00D",
        [
            f("IsSandbox", "boolean"),
            s("InstanceName", 5),
            s("OrganizationType", 40),
            s("NamespacePrefix", 15),
            f("TrialExpirationDate", "datetime"),
            s("Country", 80),
            s("DefaultLocaleSidKey", 40),
            s("TimeZoneSidKey", 40),
            s("LanguageLocaleKey", 40),
        ],
        owner=False,
        name_field=name_of(80),
        createable=False,
        updateable=False,
        deletable=False,
    )
    subscription = obj(
        "Subscription__c",
        "a00",
        [
            ref("Contact__c", "Contact", "Contact__r", child="Subscriptions__r", label="Contact"),
            ref(
                "Account__c", "Account", "Account__r", child="Subscriptions__r", cascade=True, label="Account"
            ),
            pick("Product__c", PRODUCTS, restricted=True, label="Product"),
            pick(
                "Status__c",
                ("Trial", "Active", "Cancelled", "Expired"),
                restricted=True,
                default="Trial",
                label="Status",
            ),
            f("Start_Date__c", "date", default=TODAY, label="Start Date"),
            f("End_Date__c", "date", label="End Date"),
            f("Seats__c", "double", precision=6, scale=0, label="Seats"),
            f("Monthly_Amount__c", "currency", label="Monthly Amount"),
            f("Auto_Renew__c", "boolean", label="Auto Renew"),
            s("External_Id__c", 64, external_id=True, unique=True, label="External Id"),
        ],
        label="Subscription",
        name_field=name_of(80, label="Subscription Name"),
    )
    return [
        user,
        profile,
        group,
        account,
        contact,
        lead,
        lead_status,
        opportunity,
        ocr,
        campaign,
        campaign_member,
        member_status,
        task,
        event,
        organization,
        subscription,
    ]


@dataclass(frozen=True)
class ProfileDef:
    """A profile and its default field-level security (pairs of (object, field))."""

    key: str
    name: str
    hidden: frozenset[tuple[str, str]] = frozenset()
    read_only: frozenset[tuple[str, str]] = frozenset()


PROFILES = (
    ProfileDef("admin", "System Administrator"),
    ProfileDef(
        "rep",
        "Standard User",
        hidden=frozenset({("Lead", "Internal_Score__c")}),
    ),
    ProfileDef(
        "sync",
        "Integration Sync User",
        # Why: the sync user must not see everything (the app drops hidden fields from its schema) and must
        # meet a field it can read but not write.
        hidden=frozenset(
            {
                ("Lead", "AnnualRevenue"),
                ("Lead", "Internal_Score__c"),
                ("Contact", "Birthdate"),
                ("Contact", "Internal_Notes__c"),
            }
        ),
        read_only=frozenset(
            {("Lead", "Rating"), ("Account", "Health_Score__c"), ("Contact", "EmailBouncedReason")}
        ),
    ),
)
