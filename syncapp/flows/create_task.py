"""Create Task: a Salesforce task on the person's lead or contact, for its owner or a chosen user.

Subject, description, due in N days (Marketo's default: 5), priority, status. Safe to retry: a retried run
first looks for the task its interrupted attempt may have created (same person, subject, since the request).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from syncapp.flows.base import (
    FlowContext,
    Job,
    failed,
    person_sobject,
    record_error,
    skipped,
    soql_string,
    succeeded,
)
from syncapp.flows.forms import FlowOptionsForm, UserField
from syncapp.models import FieldSetting, SalesforceUser
from syncapp.salesforce.errors import SalesforceError

DEFAULT_PRIORITIES = ("High", "Normal", "Low")
DEFAULT_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")


def _picklist(field: str, default: tuple[str, ...]) -> list[tuple[str, str]]:
    values = FieldSetting.objects.filter(sobject="Task", api_name=field).values_list(
        "picklist_values", flat=True
    )
    described = next(iter(values), None)
    if not described:
        return [(v, v) for v in default]
    # describe's entries ({"value", "label", "active"}): only active values may be chosen.
    return [
        (v["value"], v.get("label") or v["value"]) if isinstance(v, dict) else (v, v)
        for v in described
        if not isinstance(v, dict) or v.get("active", True)
    ]


class CreateTaskForm(FlowOptionsForm):
    subject = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=32000)
    due_in_days = forms.IntegerField(
        min_value=0, max_value=3650, initial=5, required=False, help_text="Empty: 5 days (Marketo's default)."
    )
    priority = forms.ChoiceField(initial="Normal")
    status = forms.ChoiceField(initial="Not Started")
    assigned_to = forms.ChoiceField(
        choices=[("owner", "The person's owner"), ("user", "A user")],
        initial="owner",
        widget=forms.RadioSelect,
    )
    user = UserField(required=False, help_text="Used when assigning to a user.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = _picklist("Priority", DEFAULT_PRIORITIES)
        self.fields["status"].choices = _picklist("Status", DEFAULT_STATUSES)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("due_in_days") is None:
            data["due_in_days"] = 5
        if data.get("assigned_to") == "user" and not data.get("user") and "user" not in self.errors:
            self.add_error("user", "Choose the user to assign the task to.")
        return data

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        described = dict(options)
        if options.get("user"):
            user = SalesforceUser.objects.filter(sf_id=options["user"]).first()
            described["user"] = user.name if user else options["user"]
        return described


def run(ctx: FlowContext, jobs: list[Job]) -> None:
    options = jobs[0].options
    due = (timezone.localdate() + timedelta(days=int(options.get("due_in_days", 5)))).isoformat()
    work = []
    for job in jobs:
        sobject, sf_id = person_sobject(job.person)
        owner = options.get("user") if options.get("assigned_to") == "user" else job.person.owner_id
        ids = {sobject.lower(): sf_id}
        if not owner or not owner.startswith("005"):
            job.finish(
                skipped(
                    "The person's owner is a queue (or unknown), and a task needs a user: choose one.",
                    sf_ids=ids,
                )
            )
            continue
        if job.retried and (existing := _created_earlier(ctx, job, sf_id, options["subject"])):
            job.pull.add(("Task", existing))
            job.finish(
                succeeded(
                    f"Task {existing} was created by an interrupted earlier attempt.",
                    sf_ids={**ids, "task": existing},
                )
            )
            continue
        record = {
            "attributes": {"type": "Task"},
            "WhoId": sf_id,
            "OwnerId": owner,
            "Subject": options["subject"],
            "ActivityDate": due,
            "Priority": options.get("priority") or "Normal",
            "Status": options.get("status") or "Not Started",
        }
        if options.get("description"):
            record["Description"] = options["description"]
        work.append((job, record, ids))
    if not work:
        return
    try:
        results = ctx.client.collection("POST", [record for _, record, _ in work])
    except SalesforceError as exc:
        for job, _, ids in work:
            job.finish(failed(f"Salesforce did not create the task: {exc.message}", exc.code, sf_ids=ids))
        return
    for (job, record, ids), result in zip(work, results, strict=True):
        if result.get("success"):
            job.pull.add(("Task", result["id"]))
            job.finish(
                succeeded(
                    f"Task created, due {record['ActivityDate']}.", sf_ids={**ids, "task": result["id"]}
                )
            )
        else:
            code, message = record_error(result)
            job.finish(failed(f"Salesforce did not create the task: {code}: {message}", code, sf_ids=ids))


def _created_earlier(ctx: FlowContext, job: Job, who_id: str, subject: str) -> str:
    since = (job.run.created_at - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    page = ctx.client.query_page(
        f"SELECT Id FROM Task WHERE WhoId = '{who_id}' AND Subject = {soql_string(subject)} "
        f"AND CreatedDate >= {since} LIMIT 1"
    )
    return page.records[0]["Id"] if page.records else ""
