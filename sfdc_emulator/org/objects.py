"""The default org's sObjects (the schema every emulated org starts with) and the org-wide objects."""

from __future__ import annotations

from sfdc_emulator.org import objects_activities, objects_people, objects_sales
from sfdc_emulator.org.picklists import PRODUCTS
from sfdc_emulator.org.schema import (
    TODAY,
    ObjectDef,
    OrgSchema,
    f,
    name_of,
    obj,
    pick,
    ref,
    s,
)


def organization() -> ObjectDef:
    return obj(
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


def subscription() -> ObjectDef:
    return obj(
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


def assignment_rule() -> ObjectDef:
    """Read-only over the API (spec streaming §6.4): rules are managed in Setup, here by the control API."""
    return obj(
        "AssignmentRule",
        "01Q",
        [
            f("Active", "boolean", label="Active"),
            pick("SobjectType", ("Lead", "Case"), restricted=True, nillable=False, label="Object"),
        ],
        owner=False,
        name_field=name_of(120, label="Rule Name"),
        createable=False,
        updateable=False,
        deletable=False,
    )


def queue_sobject() -> ObjectDef:
    """Which objects a queue may own (Setup → Queues → Supported Objects)."""
    return obj(
        "QueueSobject",
        "03g",
        [
            ref("QueueId", "Group", "Queue", child="QueueSobjects", cascade=True, nillable=False),
            pick("SobjectType", ("Lead", "Case", "Subscription__c"), restricted=True, nillable=False),
        ],
        owner=False,
        label="Queue Sobject",
    )


def default_objects() -> list[ObjectDef]:
    return [
        objects_people.user(),
        objects_people.profile(),
        objects_people.group(),
        objects_sales.account(),
        objects_people.contact(),
        objects_people.lead(),
        objects_people.lead_status(),
        objects_sales.opportunity(),
        objects_sales.opportunity_contact_role(),
        objects_sales.campaign(),
        objects_sales.campaign_member(),
        objects_sales.campaign_member_status(),
        objects_activities.task(),
        objects_activities.event(),
        organization(),
        subscription(),
        assignment_rule(),
        queue_sobject(),
    ]


DEFAULT_SCHEMA = OrgSchema(default_objects())
