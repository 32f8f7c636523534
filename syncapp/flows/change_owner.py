"""Change Owner: a new owner for the lead or contact in Salesforce, a user or (for leads) a lead queue.

Salesforce does not let a queue own a contact; Marketo then creates a duplicate lead, we refuse and log it.
Sent with `Sforce-Auto-Assign: FALSE`, or the org's assignment rules could overwrite the owner we set.
Safe to retry: setting the same owner twice changes nothing.
"""

from __future__ import annotations

from syncapp.flows.base import FlowContext, Job, failed, person_sobject, record_error, skipped, succeeded
from syncapp.flows.forms import OwnerChoiceForm
from syncapp.salesforce.errors import SalesforceError

NO_RULES = {"Sforce-Auto-Assign": "FALSE"}


class ChangeOwnerForm(OwnerChoiceForm):
    pass


def run(ctx: FlowContext, jobs: list[Job]) -> None:
    options = jobs[0].options
    owner, queue = options["owner"], options.get("assign_to") == "queue"
    work = []
    for job in jobs:
        sobject, sf_id = person_sobject(job.person)
        job.pull.add((sobject, sf_id))
        ids = {sobject.lower(): sf_id, "owner": owner}
        if queue and sobject == "Contact":
            job.finish(
                skipped(
                    "A lead queue cannot own a contact in Salesforce: the owner was not changed "
                    "(Marketo would create a duplicate lead in the queue).",
                    sf_ids=ids,
                )
            )
        elif job.person.owner_id == owner:
            job.finish(skipped("Already owned by them: nothing to change.", sf_ids=ids))
        else:
            work.append((job, {"attributes": {"type": sobject}, "Id": sf_id, "OwnerId": owner}, ids))
    if not work:
        return
    try:
        results = ctx.client.collection("PATCH", [record for _, record, _ in work], headers=NO_RULES)
    except SalesforceError as exc:
        for job, _, ids in work:
            job.finish(failed(f"Salesforce did not change the owner: {exc.message}", exc.code, sf_ids=ids))
        return
    for (job, _, ids), result in zip(work, results, strict=True):
        if result.get("success"):
            job.finish(
                succeeded(
                    "Owner changed.",
                    sf_ids=ids,
                    attributes={"old_value": job.person.owner_id or "", "new_value": owner},
                )
            )
        else:
            code, message = record_error(result)
            job.finish(failed(f"Salesforce did not change the owner: {code}: {message}", code, sf_ids=ids))
