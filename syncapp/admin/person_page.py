"""The panels under a person's form: latest activity, campaigns, opportunities, tasks, custom records."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from syncapp.admin.activity import activity_details, outcome_badge
from syncapp.admin.display import EMPTY, Panel, admin_link, changelist_url, lookup_link
from syncapp.models import (
    ActivityLog,
    CampaignMember,
    CustomObjectRecord,
    OpportunityContactRole,
    Person,
    SalesforceActivity,
)

ACTIVITY_ROWS = 25
RELATED_ROWS = 20


def _when(value) -> str:
    return date_format(localtime(value), "DATETIME_FORMAT") if value else ""


def _date(value) -> SafeString | str:
    return localize(value) if value else EMPTY


def activity_panel(person: Person) -> Panel:
    # The (person, -occurred_at) index serves this directly: no sort, whatever the log's size.
    entries = ActivityLog.objects.filter(person=person).order_by("-occurred_at", "-id")[:ACTIVITY_ROWS]
    rows = [
        (
            format_html('<span class="sync-nowrap">{}</span>', _when(entry.occurred_at)),
            entry.get_type_display(),
            outcome_badge(entry),
            entry.primary_attribute or EMPTY,
            activity_details(entry.attributes),
            entry.source or EMPTY,
        )
        for entry in entries
    ]
    return Panel(
        key="activity",
        title="Activity log",
        columns=("Time", "Type", "Outcome", "Primary attribute", "Details", "Source"),
        rows=rows,
        more_url=reverse("admin:syncapp_person_activity", args=[person.pk]),
        more_label=f"Full activity log of {person}",
        empty_text="No activity yet.",
    )


def campaign_panel(person: Person) -> Panel:
    members = CampaignMember.objects.filter(person=person).select_related("campaign")[:RELATED_ROWS]
    rows = [
        (lookup_link(m, "campaign"), admin_link(m, m.status or "member"), "Yes" if m.has_responded else "No")
        for m in members
    ]
    return Panel(
        key="campaigns",
        title="Campaign memberships",
        columns=("Campaign", "Status", "Responded"),
        rows=rows,
        more_url=changelist_url(CampaignMember, person__id__exact=person.pk),
        more_label="All memberships",
        empty_text="Not a member of any campaign.",
    )


def opportunity_panel(person: Person) -> Panel:
    # Contact roles point at the contact id: a lead has none until it is converted.
    roles = []
    if person.sf_contact_id:
        roles = OpportunityContactRole.objects.filter(person_id=person.sf_contact_id).select_related(
            "opportunity"
        )[:RELATED_ROWS]
    rows = []
    for role in roles:
        opportunity = role.opportunity
        rows.append(
            (
                lookup_link(role, "opportunity"),
                admin_link(role, role.role or "—"),
                "Yes" if role.is_primary else "No",
                opportunity.stage_name if opportunity else EMPTY,
                localize(opportunity.amount) if opportunity and opportunity.amount is not None else EMPTY,
            )
        )
    return Panel(
        key="opportunities",
        title="Opportunity roles",
        columns=("Opportunity", "Role", "Primary", "Stage", "Amount"),
        rows=rows,
        more_url=(
            changelist_url(OpportunityContactRole, person__exact=person.sf_contact_id)
            if person.sf_contact_id
            else ""
        ),
        more_label="All roles",
        empty_text="No opportunity roles.",
    )


def salesforce_activity_panel(person: Person) -> Panel:
    activities = SalesforceActivity.objects.filter(person=person).order_by("-activity_date", "-id")[
        :RELATED_ROWS
    ]
    rows = [
        (admin_link(a), a.get_kind_display(), a.status or EMPTY, _date(a.activity_date)) for a in activities
    ]
    return Panel(
        key="sfdc-activities",
        title="Salesforce tasks and events",
        columns=("Subject", "Kind", "Status", "Date"),
        rows=rows,
        more_url=changelist_url(SalesforceActivity, person__id__exact=person.pk),
        more_label="All tasks and events",
        empty_text="No tasks or events.",
    )


def custom_record_panel(person: Person) -> Panel:
    records = CustomObjectRecord.objects.filter(person=person).select_related("object_type")[:RELATED_ROWS]
    rows = [(admin_link(r), str(r.object_type), r.sf_id or EMPTY) for r in records]
    return Panel(
        key="custom-records",
        title="Custom object records",
        columns=("Record", "Object", "Salesforce id"),
        rows=rows,
        more_url=changelist_url(CustomObjectRecord, person__id__exact=person.pk),
        more_label="All custom records",
        empty_text="No custom object records.",
    )


def person_panels(person: Person) -> list[Panel]:
    return [
        activity_panel(person),
        campaign_panel(person),
        opportunity_panel(person),
        salesforce_activity_panel(person),
        custom_record_panel(person),
    ]
