"""Convert Person: SOAP convertLead, into a new or an existing account, with a named opportunity or none.

Marketo's options (converted status, assign to, send notification email) plus three it lacks: convert into
an existing account (from the mirror) instead of creating a duplicate, name the opportunity, or create no
opportunity. Defaults are Marketo's: a new account and a new opportunity. The person stays the same Person,
now a contact; the account, contact, opportunity and contact role are pulled in at once.

Safe to retry: a lead that is already converted is refused by Salesforce (CANNOT_UPDATE_CONVERTED_LEAD);
we then read the lead, and if a killed earlier attempt converted it, follow that conversion instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache

from syncapp.flows.base import FlowContext, Job, failed, skipped, succeeded
from syncapp.flows.forms import FlowOptionsForm, UserField
from syncapp.models import Account, Person, SalesforceUser, SyncSettings
from syncapp.salesforce.client import SalesforceClient, connect
from syncapp.salesforce.errors import SalesforceError
from syncapp.salesforce.soap import LeadConvertRequest

STATUS_CACHE_KEY = "syncapp:converted-lead-statuses"
STATUS_CACHE_SECONDS = 600


def converted_statuses(client: SalesforceClient | None = None) -> list[str]:
    """The org's converted lead statuses (LeadStatus.IsConverted), cached for ten minutes."""
    statuses = cache.get(STATUS_CACHE_KEY)
    if statuses is None:
        client = client or connect()
        page = client.query_page(
            "SELECT MasterLabel FROM LeadStatus WHERE IsConverted = true ORDER BY SortOrder"
        )
        statuses = [r["MasterLabel"] for r in page.records]
        cache.set(STATUS_CACHE_KEY, statuses, STATUS_CACHE_SECONDS)
    return statuses


class AccountField(forms.CharField):
    """An existing account, by its Salesforce id or its exact name (which must be unique in the mirror)."""

    def clean(self, value: Any) -> str:
        text = super().clean(value).strip()
        if not text:
            return ""
        live = Account.objects.filter(sf_deleted=False, sf_id__isnull=False)
        found = list(live.filter(sf_id=text)[:1]) or list(live.filter(name__iexact=text)[:2])
        if not found and len(text) == 15:
            found = list(live.filter(sf_id__startswith=text)[:1])
        if not found:
            raise forms.ValidationError(f"No account “{text}” in Salesforce: give its id or its exact name.")
        if len(found) > 1:
            raise forms.ValidationError(f"Several accounts are named “{text}”: give the account's id.")
        return found[0].sf_id


class ConvertPersonForm(FlowOptionsForm):
    converted_status = forms.ChoiceField(help_text="One of Salesforce's converted lead statuses.")
    owner = UserField(
        required=False,
        label="Assign to",
        empty_label="The lead's owner",
        help_text="Owner of the new contact, account and opportunity.",
    )
    send_notification_email = forms.BooleanField(required=False, help_text="Email the owner about it.")
    account = AccountField(
        required=False,
        label="Existing account",
        help_text="Empty: a new account (Marketo's behaviour). Or an account's Salesforce id or exact name.",
    )
    opportunity = forms.ChoiceField(
        choices=[("create", "Create an opportunity"), ("none", "No opportunity")],
        initial="create",
        widget=forms.RadioSelect,
    )
    opportunity_name = forms.CharField(
        required=False, max_length=120, help_text="Empty: Salesforce's default (the company name)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["converted_status"]
        try:
            statuses = converted_statuses()
        except SalesforceError as exc:
            statuses = []
            self._status_problem = (
                f"Could not read the converted lead statuses from Salesforce: {exc.message}"
            )
        else:
            self._status_problem = ""
        field.choices = [(s, s) for s in statuses]
        if statuses:
            field.initial = statuses[0]
        # Sync settings' "notify owner on assignment" is what Salesforce's sendNotificationEmail does.
        self.fields["send_notification_email"].initial = SyncSettings.load().notify_owner_on_assignment

    def clean_converted_status(self) -> str:
        if self._status_problem:
            raise forms.ValidationError(self._status_problem)
        return self.cleaned_data["converted_status"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("opportunity") == "none" and data.get("opportunity_name"):
            self.add_error("opportunity_name", "No opportunity is created: leave the name empty.")
        return data

    def options(self) -> dict[str, Any]:
        options = super().options()
        options["send_notification_email"] = bool(self.cleaned_data.get("send_notification_email"))
        return options

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        owner = SalesforceUser.objects.filter(sf_id=options.get("owner")).first()
        account = Account.objects.filter(sf_id=options.get("account")).first()
        return {
            "assign_to": owner.name if owner else "the lead's owner",
            "converted_status": options.get("converted_status"),
            "send_notification_email": bool(options.get("send_notification_email")),
            "account": account.name if account else "new account",
            "opportunity": "none"
            if options.get("opportunity") == "none"
            else (options.get("opportunity_name") or "new opportunity"),
        }


def run(ctx: FlowContext, jobs: list[Job]) -> None:
    options = jobs[0].options
    leads = []
    for job in jobs:
        if job.person.sfdc_type == Person.SfdcType.CONTACT:
            job.finish(
                skipped(f"Already a contact in Salesforce ({job.person.sf_contact_id}): nothing to convert.")
            )
        else:
            leads.append(job)
    if not leads:
        return
    requests = [
        LeadConvertRequest(
            lead_id=job.person.sf_lead_id,
            converted_status=options["converted_status"],
            owner_id=options.get("owner") or None,
            account_id=options.get("account") or None,
            do_not_create_opportunity=options.get("opportunity") == "none",
            opportunity_name=options.get("opportunity_name") or None,
            send_notification_email=bool(options.get("send_notification_email")),
        )
        for job in leads
    ]
    try:
        results = ctx.client.convert_leads(requests)
    except SalesforceError as exc:
        for job in leads:
            job.finish(failed(f"Salesforce did not convert the lead: {exc.message}", exc.code))
        return
    for job, result in zip(leads, results, strict=True):
        if result.success:
            _converted(ctx, job, result.account_id, result.contact_id, result.opportunity_id, options)
            continue
        code, message = result.errors[0] if result.errors else ("", "no reason given")
        if code == "CANNOT_UPDATE_CONVERTED_LEAD" and _follow_earlier_conversion(ctx, job, options):
            continue
        job.pull.add(("Lead", job.person.sf_lead_id))
        job.finish(failed(f"Salesforce did not convert the lead: {code}: {message}", code))


def _follow_earlier_conversion(ctx: FlowContext, job: Job, options: dict[str, Any]) -> bool:
    page = ctx.client.query_page(
        "SELECT ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead "
        f"WHERE Id = '{job.person.sf_lead_id}'"
    )
    lead = page.records[0] if page.records else {}
    if not lead.get("ConvertedContactId"):
        return False
    _converted(
        ctx,
        job,
        lead["ConvertedAccountId"],
        lead["ConvertedContactId"],
        lead.get("ConvertedOpportunityId") or "",
        options,
        earlier=True,
    )
    return True


def _converted(
    ctx: FlowContext,
    job: Job,
    account_id: str,
    contact_id: str,
    opportunity_id: str,
    options: dict[str, Any],
    *,
    earlier: bool = False,
) -> None:
    lead_id = job.person.sf_lead_id
    ctx.engine.link_converted(job.person, contact_id)
    job.pull.update({("Account", account_id), ("Lead", lead_id), ("Contact", contact_id)})
    if opportunity_id:
        job.pull.add(("Opportunity", opportunity_id))
    account = "existing account" if options.get("account") else "new account"
    opportunity = f"opportunity {opportunity_id}" if opportunity_id else "no opportunity"
    ids = {"lead": lead_id, "contact": contact_id, "account": account_id, "opportunity": opportunity_id}
    ids = {k: v for k, v in ids.items() if v}
    if earlier and not job.retried:
        job.finish(
            skipped(
                f"Lead {lead_id} was already converted in Salesforce into contact {contact_id}.", sf_ids=ids
            )
        )
        return
    said = "An earlier, interrupted attempt converted" if earlier else "Converted"
    job.finish(
        succeeded(
            f"{said} lead {lead_id} into contact {contact_id} on {account} {account_id}, with {opportunity}.",
            sf_ids=ids,
        )
    )
