"""Hooks of the objects that link to people: accounts, opportunities and their contact roles, campaign
members, Salesforce tasks and events, custom objects. Each turns what a page did into Marketo's activity
types on the people it links to."""

from __future__ import annotations

from typing import Any

from syncapp.models import (
    ActivityLog,
    Campaign,
    CustomObjectType,
    Opportunity,
    OpportunityContactRole,
    Person,
)
from syncapp.models.search import search_key
from syncapp.sync.activity_log import ActivityWriter, display
from syncapp.sync.hooks import Hook, HookedObject, RowChange, people_by_sf_id

Type = ActivityLog.Type


class AccountHook(Hook):
    """An account change updates the people of that account (Marketo's Company fields)."""

    needs = ("Name",)

    # Marketo stops logging per-contact changes above this many contacts (the data still syncs).
    LOG_LIMIT = 5000

    def after(self, changes: list[RowChange]) -> None:
        renamed = [c for c in changes if "Name" in c.changed]
        for change in renamed:
            name = change.new.get("Name") or ""
            people = Person.objects.filter(account_id=change.sf_id)
            person_ids = list(people.values_list("id", flat=True)[: self.LOG_LIMIT + 1])
            people.update(company=name[:255], search_company=search_key(name[:255]))
            if len(person_ids) <= self.LOG_LIMIT:
                for person_id in person_ids:
                    self.writer.add(
                        person_id,
                        Type.CHANGE_DATA_VALUE,
                        "Company",
                        occurred_at=change.modstamp,
                        old_value=display(change.old.get("Name")),
                        new_value=name,
                        reason="Account changed in Salesforce",
                    )


class OpportunityHook(Hook):
    def after(self, changes: list[RowChange]) -> None:
        updated = {c.sf_id: c for c in changes if c.changed and not c.created}
        if not updated:
            return
        roles = OpportunityContactRole.objects.filter(opportunity_id__in=list(updated), sf_deleted=False)
        for opportunity_id, person_id in roles.values_list("opportunity_id", "person__id"):
            change = updated[opportunity_id]
            if person_id is None:
                continue
            self.writer.add(
                person_id,
                Type.UPDATE_OPPORTUNITY,
                display(change.new.get("Name")),
                occurred_at=change.modstamp,
                opportunity_id=change.sf_id,
                changes={
                    name: [display(change.old.get(name)), display(change.new.get(name))]
                    for name in change.changed
                },
            )


class ContactRoleHook(Hook):
    needs = ("OpportunityId", "ContactId")
    bulk_insert = False  # new roles are logged per person (Add to Opportunity)

    def after(self, changes: list[RowChange]) -> None:
        interesting = [c for c in changes if c.created or c.deleted_now or c.changed]
        if not interesting:
            return
        people = people_by_sf_id({c.new.get("ContactId") for c in interesting})
        names = dict(
            Opportunity.objects.filter(
                sf_id__in={c.new.get("OpportunityId") for c in interesting}
            ).values_list("sf_id", "name")
        )
        for change in interesting:
            person_id = people.get(change.new.get("ContactId"))
            if person_id is None:
                continue
            if change.deleted_now:
                type_ = Type.REMOVE_FROM_OPPORTUNITY
            elif change.created:
                type_ = Type.ADD_TO_OPPORTUNITY
            else:
                type_ = Type.UPDATE_OPPORTUNITY
            opportunity_id = change.new.get("OpportunityId")
            self.writer.add(
                person_id,
                type_,
                names.get(opportunity_id) or opportunity_id or "",
                occurred_at=change.modstamp,
                opportunity_id=opportunity_id,
                role=change.new.get("Role"),
                is_primary=change.new.get("IsPrimary"),
            )


class CampaignMemberHook(Hook):
    needs = ("CampaignId", "LeadId", "ContactId", "Status")
    extra_attnames = ("person_id",)
    bulk_insert = False  # new members are linked and logged per person (Add to Campaign)

    def extra_columns(self, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        people = people_by_sf_id({r.get("ContactId") for r in records} | {r.get("LeadId") for r in records})
        return {
            r["Id"]: {"person_id": people.get(r.get("ContactId")) or people.get(r.get("LeadId"))}
            for r in records
        }

    def after(self, changes: list[RowChange]) -> None:
        interesting = [c for c in changes if c.created or c.deleted_now or "Status" in c.changed]
        if not interesting:
            return
        people = people_by_sf_id(
            {c.new.get("ContactId") for c in interesting} | {c.new.get("LeadId") for c in interesting}
        )
        campaigns = dict(
            Campaign.objects.filter(sf_id__in={c.new.get("CampaignId") for c in interesting}).values_list(
                "sf_id", "name"
            )
        )
        for change in interesting:
            person_id = people.get(change.new.get("ContactId")) or people.get(change.new.get("LeadId"))
            if person_id is None:
                continue
            campaign = campaigns.get(change.new.get("CampaignId")) or change.new.get("CampaignId") or ""
            status = change.new.get("Status")
            if change.deleted_now:
                self.writer.add(person_id, Type.REMOVE_FROM_CAMPAIGN, campaign, occurred_at=change.modstamp)
            elif change.created:
                self.writer.add(
                    person_id, Type.ADD_TO_CAMPAIGN, campaign, occurred_at=change.modstamp, status=status
                )
            else:
                self.writer.add(
                    person_id,
                    Type.CHANGE_CAMPAIGN_STATUS,
                    campaign,
                    occurred_at=change.modstamp,
                    old_value=display(change.old.get("Status")),
                    new_value=display(status),
                )


class SalesforceActivityHook(Hook):
    """Tasks and events linked to a person through WhoId: "SFDC Activity" / "SFDC Activity Updated"."""

    needs = ("WhoId",)

    extra_attnames = ("person_id",)
    bulk_insert = False  # new activities are linked and logged per person

    def extra_columns(self, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        people = people_by_sf_id({r.get("WhoId") for r in records})
        return {r["Id"]: {"person_id": people.get(r.get("WhoId"))} for r in records}

    def after(self, changes: list[RowChange]) -> None:
        people = people_by_sf_id({c.new.get("WhoId") for c in changes if c.created or c.changed})
        for change in changes:
            person_id = people.get(change.new.get("WhoId"))
            if person_id is None or change.deleted_now or not (change.created or change.changed):
                continue
            self.writer.add(
                person_id,
                Type.SFDC_ACTIVITY if change.created else Type.SFDC_ACTIVITY_UPDATED,
                display(change.new.get("Subject")),
                occurred_at=change.modstamp,
                kind=self.entry.sobject,
                status=change.new.get("Status"),
                activity_date=change.new.get("ActivityDate"),
                changed=change.changed or None,
            )


class CustomObjectHook(Hook):
    extra_attnames = ("object_type_id", "person_id", "account_id")
    bulk_insert = False  # new records are linked to their people

    def __init__(self, entry: HookedObject, writer: ActivityWriter) -> None:
        super().__init__(entry, writer)
        self.type = CustomObjectType.objects.get(api_name=entry.sobject)

    def extra_columns(self, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        t = self.type
        person_keys = [k for k in (t.contact_field, t.lead_field) if k]
        people = people_by_sf_id({r.get(k) for r in records for k in person_keys})
        extra = {}
        for r in records:
            person = next((people[r[k]] for k in person_keys if r.get(k) in people), None)
            extra[r["Id"]] = {
                "object_type_id": t.pk,
                "person_id": person,
                # A lookup column: the account may be mirrored later (no database constraint).
                "account_id": r.get(t.account_field) if t.account_field else None,
            }
        return extra
