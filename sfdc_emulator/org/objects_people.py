"""The default org's people and who owns them: User, Profile, Group (queues), Lead, LeadStatus, Contact."""

from __future__ import annotations

from sfdc_emulator.org.picklists import (
    INDUSTRIES,
    LANGUAGES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    PRODUCTS,
    RATINGS,
    SALUTATIONS,
)
from sfdc_emulator.org.schema import (
    FieldDef,
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


def sync_key() -> FieldDef:
    """The demo org's external id on Account, Contact and Lead (what an integration upserts on)."""
    return s("Sync_Key__c", 64, external_id=True, unique=True, label="Sync Key")


def user() -> ObjectDef:
    return obj(
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


def profile() -> ObjectDef:
    return obj(
        "Profile",
        "00e",
        [s("Description", 255), pick("UserType", ("Standard",), default="Standard")],
        owner=False,
        name_field=name_of(255),
        createable=False,
        updateable=False,
        deletable=False,
    )


def group() -> ObjectDef:
    return obj(
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


def lead() -> ObjectDef:
    return obj(
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
            sync_key(),
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


def lead_status() -> ObjectDef:
    return obj(
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


def contact() -> ObjectDef:
    return obj(
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
            sync_key(),
            pick("Preferred_Language__c", LANGUAGES, restricted=True, label="Preferred Language"),
            f("Internal_Notes__c", "textarea", 1000, label="Internal Notes"),
            f("Marketing_Consent__c", "boolean", label="Marketing Consent"),
        ],
        name_field=compound_name(),
        mergeable=True,
    )
