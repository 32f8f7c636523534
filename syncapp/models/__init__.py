"""syncapp models: the mirror of the Salesforce org, the activity log and the sync state."""

from syncapp.models.activity import ActivityLog, SalesforceActivity
from syncapp.models.campaigns import Campaign, CampaignMember, CampaignMemberStatus
from syncapp.models.crm import Account, Opportunity, OpportunityContactRole, SalesforceUser
from syncapp.models.custom_objects import CustomObjectRecord, CustomObjectType
from syncapp.models.people import Contact, Lead, Person
from syncapp.models.streaming import ListenerState, StreamChannel
from syncapp.models.sync_state import (
    ConflictPolicy,
    DeferredIndex,
    FieldSetting,
    FlowRun,
    OutboundChange,
    SyncCursor,
    SyncError,
    SyncRun,
    SyncSettings,
    SyncStep,
)

__all__ = [
    "Account",
    "ActivityLog",
    "Campaign",
    "CampaignMember",
    "CampaignMemberStatus",
    "ConflictPolicy",
    "Contact",
    "CustomObjectRecord",
    "CustomObjectType",
    "DeferredIndex",
    "FieldSetting",
    "FlowRun",
    "Lead",
    "ListenerState",
    "Opportunity",
    "OpportunityContactRole",
    "OutboundChange",
    "Person",
    "SalesforceActivity",
    "SalesforceUser",
    "StreamChannel",
    "SyncCursor",
    "SyncError",
    "SyncRun",
    "SyncSettings",
    "SyncStep",
]
