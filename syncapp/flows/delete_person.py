"""Delete Person from SFDC: delete the lead or contact in Salesforce; keep the person (flagged) or delete it.

Safe to retry: a record already deleted (ENTITY_IS_DELETED) counts as done.
"""

from __future__ import annotations

from typing import Any

from django import forms

from syncapp.flows.base import (
    FlowContext,
    Job,
    failed,
    in_salesforce,
    person_sobject,
    record_error,
    skipped,
    succeeded,
)
from syncapp.flows.forms import FlowOptionsForm
from syncapp.salesforce.errors import SalesforceError

GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}


class DeletePersonForm(FlowOptionsForm):
    delete_here = forms.TypedChoiceField(
        label="Also delete here",
        choices=[
            ("no", "No: keep the person, marked deleted in Salesforce"),
            ("yes", "Yes: delete it here too"),
        ],
        initial="no",
        widget=forms.RadioSelect,
    )

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        return {"delete_here": options.get("delete_here", "no")}


def run(ctx: FlowContext, jobs: list[Job]) -> None:
    work = []
    for job in jobs:
        if not in_salesforce(job.person):
            job.finish(skipped("Not in Salesforce: nothing to delete there."))
        else:
            work.append((job, *person_sobject(job.person)))
    if not work:
        return
    try:
        results = ctx.client.collection_delete([sf_id for _, _, sf_id in work])
    except SalesforceError as exc:
        for job, _, _ in work:
            job.finish(failed(f"Salesforce did not delete the record: {exc.message}", exc.code))
        return
    for (job, sobject, sf_id), result in zip(work, results, strict=True):
        ids = {sobject.lower(): sf_id}
        code, message = ("", "") if result.get("success") else record_error(result)
        if result.get("success") or code in GONE:
            ctx.engine.mark_deleted(job.person)
            job.pull.add((sobject, sf_id))
            already = " (it already was)" if code in GONE else ""
            job.finish(succeeded(f"Deleted {sobject.lower()} {sf_id} in Salesforce{already}.", sf_ids=ids))
        else:
            job.finish(failed(f"Salesforce did not delete the record: {code}: {message}", code, sf_ids=ids))
