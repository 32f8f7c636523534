"""Add to, Change Status in, and Remove from SFDC Campaign, with Marketo's skip rules.

Membership is read from Salesforce (one query per 200 people), not the mirror, so a member added there
since the last cycle is skipped, not duplicated. Writes go in sObject Collections of 200.

Safe to retry: an existing member is skipped (Add) or updated to the same status (Change Status); a member
already gone is skipped (Remove); Salesforce's DUPLICATE_VALUE on a racing add is read as "already a member".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncapp.flows.base import (
    FlowContext,
    Job,
    failed,
    person_sobject,
    record_error,
    skipped,
    soql_ids,
    succeeded,
)
from syncapp.flows.forms import CampaignField, CampaignStatusForm, FlowOptionsForm
from syncapp.models import Campaign
from syncapp.salesforce.errors import SalesforceError


class AddToCampaignForm(CampaignStatusForm):
    pass


class ChangeStatusForm(CampaignStatusForm):
    pass


class RemoveFromCampaignForm(FlowOptionsForm):
    campaign = CampaignField()

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        campaign = Campaign.objects.filter(sf_id=options.get("campaign")).first()
        return {**options, "campaign_name": campaign.name if campaign else ""}


def memberships(ctx: FlowContext, campaign_id: str, jobs: list[Job]) -> dict[int, dict[str, Any]]:
    """person pk → the Salesforce CampaignMember row of each job's person in the campaign."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(jobs), 200):
        chunk = jobs[start : start + 200]
        by_id = {person_sobject(j.person)[1]: j.person.pk for j in chunk}
        ids = soql_ids(set(by_id))
        soql = (
            "SELECT Id, Status, LeadId, ContactId, CreatedDate FROM CampaignMember "
            f"WHERE CampaignId = '{campaign_id}' AND (LeadId IN ({ids}) OR ContactId IN ({ids}))"
        )
        for page in ctx.client.query_all(soql):
            for row in page.records:
                pk = by_id.get(row.get("ContactId")) or by_id.get(row.get("LeadId"))
                if pk is not None:
                    found[pk] = row
    return found


def _member_values(job: Job, campaign_id: str, status: str) -> dict[str, Any]:
    sobject, sf_id = person_sobject(job.person)
    key = "ContactId" if sobject == "Contact" else "LeadId"
    return {"attributes": {"type": "CampaignMember"}, "CampaignId": campaign_id, key: sf_id, "Status": status}


def _write(
    ctx: FlowContext, method: str, work: list[tuple[Job, dict[str, Any]]], done: str, campaign_id: str
) -> None:
    if not work:
        return
    try:
        results = ctx.client.collection(method, [record for _, record in work])
    except SalesforceError as exc:
        for job, _ in work:
            job.finish(failed(f"Salesforce refused the campaign change: {exc.message}", exc.code))
        return
    for (job, record), result in zip(work, results, strict=True):
        ids = {"campaign": campaign_id}
        if result.get("success"):
            member_id = result.get("id") or record.get("Id")
            ids["campaign_member"] = member_id
            job.pull.add(("CampaignMember", member_id))
            job.finish(succeeded(done.format(status=record.get("Status", "")), sf_ids=ids))
            continue
        code, message = record_error(result)
        if code == "DUPLICATE_VALUE":
            job.finish(
                skipped("Already a member of the campaign (added in Salesforce meanwhile).", sf_ids=ids)
            )
        else:
            job.finish(failed(f"Salesforce refused the campaign change: {code}: {message}", code, sf_ids=ids))


def run_add(ctx: FlowContext, jobs: list[Job]) -> None:
    campaign_id, status = jobs[0].options["campaign"], jobs[0].options["status"]
    members = memberships(ctx, campaign_id, jobs)
    work = []
    for job in jobs:
        member = members.get(job.person.pk)
        if member and _added_by_an_earlier_attempt(job, member, status):
            job.pull.add(("CampaignMember", member["Id"]))
            job.finish(
                succeeded(
                    f"Added to the campaign with status “{status}” (by an earlier attempt its worker did not "
                    "live to record).",
                    sf_ids={"campaign": campaign_id, "campaign_member": member["Id"]},
                )
            )
        elif member:
            job.pull.add(("CampaignMember", member["Id"]))
            job.finish(
                skipped(
                    f"Already a member with status “{member['Status']}”, which is kept (use Change Status "
                    "in SFDC Campaign to change it).",
                    sf_ids={"campaign": campaign_id, "campaign_member": member["Id"]},
                )
            )
        else:
            work.append((job, _member_values(job, campaign_id, status)))
    _write(ctx, "POST", work, "Added to the campaign with status “{status}”.", campaign_id)


def _added_by_an_earlier_attempt(job: Job, member: dict[str, Any], status: str) -> bool:
    """A retried run meeting a member created since the run was requested, with its status: the first
    attempt added it (then died), so this run did its work; "already a member" would say otherwise."""
    if not (job.retried and member.get("CreatedDate") and member["Status"] == status):
        return False
    # Salesforce stamps whole seconds: a member added in the request's own second counts.
    return datetime.fromisoformat(member["CreatedDate"]) >= job.run.created_at.replace(microsecond=0)


def run_change_status(ctx: FlowContext, jobs: list[Job]) -> None:
    campaign_id, status = jobs[0].options["campaign"], jobs[0].options["status"]
    members = memberships(ctx, campaign_id, jobs)
    updates, adds = [], []
    old_status: dict[int, str] = {}
    for job in jobs:
        member = members.get(job.person.pk)
        ids = {"campaign": campaign_id}
        if member and member["Status"] == status:
            job.pull.add(("CampaignMember", member["Id"]))
            job.finish(
                skipped(
                    f"Already has status “{status}” in the campaign.",
                    sf_ids={**ids, "campaign_member": member["Id"]},
                )
            )
        elif member:
            record = {"attributes": {"type": "CampaignMember"}, "Id": member["Id"], "Status": status}
            updates.append((job, record))
            old_status[job.person.pk] = member["Status"]
        else:
            adds.append((job, _member_values(job, campaign_id, status)))
    _write(ctx, "PATCH", updates, "Status changed to “{status}”.", campaign_id)
    for job, _ in updates:
        if job.outcome is not None:
            job.outcome.attributes.update(old_value=old_status[job.person.pk], new_value=status)
    # Marketo's implied Add to SFDC Campaign for a person who is not a member yet.
    _write(ctx, "POST", adds, "Not a member yet: added to the campaign with status “{status}”.", campaign_id)


def run_remove(ctx: FlowContext, jobs: list[Job]) -> None:
    campaign_id = jobs[0].options["campaign"]
    members = memberships(ctx, campaign_id, jobs)
    work = []
    for job in jobs:
        member = members.get(job.person.pk)
        if not member:
            job.finish(
                skipped("Not a member of the campaign: nothing to remove.", sf_ids={"campaign": campaign_id})
            )
        else:
            work.append((job, member["Id"]))
    if not work:
        return
    try:
        results = ctx.client.collection_delete([member_id for _, member_id in work])
    except SalesforceError as exc:
        for job, _ in work:
            job.finish(failed(f"Salesforce refused the campaign change: {exc.message}", exc.code))
        return
    for (job, member_id), result in zip(work, results, strict=True):
        ids = {"campaign": campaign_id, "campaign_member": member_id}
        job.pull.add(("CampaignMember", member_id))
        code, message = ("", "") if result.get("success") else record_error(result)
        if result.get("success") or code == "ENTITY_IS_DELETED":
            job.finish(succeeded("Removed from the campaign.", sf_ids=ids))
        else:
            job.finish(failed(f"Salesforce refused the campaign change: {code}: {message}", code, sf_ids=ids))
