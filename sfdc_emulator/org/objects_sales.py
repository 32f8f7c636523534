"""The default org's sales objects: Account, Opportunity, OpportunityContactRole, Campaign and its members."""

from __future__ import annotations

from sfdc_emulator.org.objects_people import sync_key
from sfdc_emulator.org.picklists import INDUSTRIES, LEAD_SOURCES, OPPORTUNITY_STAGES, RATINGS
from sfdc_emulator.org.schema import (
    ObjectDef,
    address,
    f,
    name_of,
    obj,
    pick,
    ref,
    ro,
    s,
)


def account() -> ObjectDef:
    return obj(
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
            sync_key(),
            pick("Customer_Tier__c", ("Gold", "Silver", "Bronze"), restricted=True, label="Customer Tier"),
            f("Health_Score__c", "double", precision=3, scale=0, label="Health Score"),
        ],
        name_field=name_of(255, label="Account Name"),
        mergeable=True,
    )


def opportunity() -> ObjectDef:
    return obj(
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


def opportunity_contact_role() -> ObjectDef:
    return obj(
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


def campaign() -> ObjectDef:
    return obj(
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


def campaign_member() -> ObjectDef:
    return obj(
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


def campaign_member_status() -> ObjectDef:
    return obj(
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
