"""The flow actions: one entry per action (key → label, activity type, options form, run function).

The keys are what `manage.py flow <key>`, the admin's buttons and `FlowRun.action` use; each has its own
permission `syncapp.run_<key>` (declared on FlowRun), so a role can be given some actions and not others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from syncapp.flows import (
    campaigns,
    change_owner,
    convert_person,
    create_task,
    delete_person,
    sync_person,
)
from syncapp.flows.base import FlowContext, Job
from syncapp.flows.forms import FlowOptionsForm
from syncapp.models import ActivityLog

Type = ActivityLog.Type


@dataclass(frozen=True)
class FlowAction:
    key: str
    label: str
    activity_type: str
    form: type[FlowOptionsForm]
    run: Callable[[FlowContext, list[Job]], None]
    help: str
    # Marketo's implied action: a person not in Salesforce is first synced as a new lead.
    implied_sync: bool = True
    dangerous: bool = False

    @property
    def permission(self) -> str:
        return f"syncapp.run_{self.key}"

    @property
    def has_options(self) -> bool:
        return bool(self.form.base_fields)


ACTIONS: dict[str, FlowAction] = {
    action.key: action
    for action in (
        FlowAction(
            key="sync_person_to_sfdc",
            label="Sync Person to SFDC",
            activity_type=Type.SYNC_PERSON,
            form=sync_person.SyncPersonForm,
            run=sync_person.run,
            help="Create the lead now, or send a lead's or contact's pending changes now.",
            implied_sync=False,
        ),
        FlowAction(
            key="convert_person",
            label="Convert Person",
            activity_type=Type.CONVERT_PERSON,
            form=convert_person.ConvertPersonForm,
            run=convert_person.run,
            help="Convert the lead into a contact, with an account and (optionally) an opportunity.",
        ),
        FlowAction(
            key="add_to_sfdc_campaign",
            label="Add to SFDC Campaign",
            activity_type=Type.ADD_TO_CAMPAIGN,
            form=campaigns.AddToCampaignForm,
            run=campaigns.run_add,
            help="Add to a Salesforce campaign with a member status; members keep their status.",
        ),
        FlowAction(
            key="change_status_in_sfdc_campaign",
            label="Change Status in SFDC Campaign",
            activity_type=Type.CHANGE_CAMPAIGN_STATUS,
            form=campaigns.ChangeStatusForm,
            run=campaigns.run_change_status,
            help="Set the member status in a campaign (adding the person if not a member).",
        ),
        FlowAction(
            key="remove_from_sfdc_campaign",
            label="Remove from SFDC Campaign",
            activity_type=Type.REMOVE_FROM_CAMPAIGN,
            form=campaigns.RemoveFromCampaignForm,
            run=campaigns.run_remove,
            help="Remove from a Salesforce campaign; non-members are skipped.",
        ),
        FlowAction(
            key="change_owner",
            label="Change Owner",
            activity_type=Type.CHANGE_OWNER,
            form=change_owner.ChangeOwnerForm,
            run=change_owner.run,
            help="Give the lead or contact a new owner in Salesforce (queues can own leads only).",
        ),
        FlowAction(
            key="create_task",
            label="Create Task",
            activity_type=Type.CREATE_TASK,
            form=create_task.CreateTaskForm,
            run=create_task.run,
            help="Create a Salesforce task for sales on this lead or contact.",
        ),
        FlowAction(
            key="delete_person_from_sfdc",
            label="Delete Person from SFDC",
            activity_type=Type.DELETE_FROM_SFDC,
            form=delete_person.DeletePersonForm,
            run=delete_person.run,
            help="Delete the lead or contact in Salesforce (and optionally here too).",
            implied_sync=False,
            dangerous=True,
        ),
    )
}


class UnknownAction(KeyError):
    pass


def action_for(key: str) -> FlowAction:
    try:
        return ACTIONS[key]
    except KeyError:
        raise UnknownAction(f"No flow action “{key}”. Known: {', '.join(ACTIONS)}.") from None
