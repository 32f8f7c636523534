"""Lead conversion (SOAP `convertLead`): Account/Contact/Opportunity from a Lead, the Lead left converted.

Semantics follow spec §8.4. Choices where a real org's exact behaviour is unverified, kept Salesforce-like:
- converting a converted lead → CANNOT_UPDATE_CONVERTED_LEAD "cannot reference converted lead";
- a queue-owned lead without `ownerId` fails: the new records would belong to the queue, which may not own an
  Account or Contact (FIELD_INTEGRITY_EXCEPTION on OwnerId; Salesforce requires an ownerId then, §6.5);
- lead validation rules do not run on the converted lead (the org default); new records are validated;
- the new Opportunity: Name "<Company>-" (the UI default), StageName = the first open stage, CloseDate = the
  last day of the current calendar quarter, LeadSource from the lead;
- campaign memberships get the new ContactId; the lead's tasks/events move to the contact (WhoId) and, when
  unrelated, to the opportunity or account (WhatId); all of them get a fresh SystemModstamp.
Custom Lead fields map only through the `lead_convert_mapping` setting ({"Contact": {"Lead_F__c": "F__c"}}).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sfdc_emulator.org import dml, ids
from sfdc_emulator.org.emails import record_email
from sfdc_emulator.org.errors import RecordError, SaveResult
from sfdc_emulator.org.store import Store, q


@dataclass(frozen=True)
class LeadConvert:
    """One `<leadConverts>` element."""

    lead_id: str | None
    converted_status: str | None
    account_id: str | None = None
    contact_id: str | None = None
    opportunity_name: str | None = None
    do_not_create_opportunity: bool = False
    owner_id: str | None = None
    overwrite_lead_source: bool = False
    send_notification_email: bool = False


@dataclass(frozen=True)
class ConvertResult:
    lead_id: str | None
    success: bool
    account_id: str | None = None
    contact_id: str | None = None
    opportunity_id: str | None = None
    errors: tuple[RecordError, ...] = ()


class _Failed(Exception):
    def __init__(self, *errors: RecordError) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


ACCOUNT_MAP = {
    "Company": "Name", "Street": "BillingStreet", "City": "BillingCity", "State": "BillingState",
    "PostalCode": "BillingPostalCode", "Country": "BillingCountry", "Phone": "Phone", "Fax": "Fax",
    "Website": "Website", "Industry": "Industry", "AnnualRevenue": "AnnualRevenue",
    "NumberOfEmployees": "NumberOfEmployees", "Rating": "Rating", "LeadSource": "AccountSource",
}  # fmt: skip
CONTACT_MAP = {
    "Salutation": "Salutation", "FirstName": "FirstName", "LastName": "LastName", "Title": "Title",
    "Email": "Email", "Phone": "Phone", "MobilePhone": "MobilePhone", "Fax": "Fax", "Street": "MailingStreet",
    "City": "MailingCity", "State": "MailingState", "PostalCode": "MailingPostalCode",
    "Country": "MailingCountry",
    "LeadSource": "LeadSource", "HasOptedOutOfEmail": "HasOptedOutOfEmail", "DoNotCall": "DoNotCall",
    "Description": "Description",
}  # fmt: skip


def _err(code: str, message: str, *fields: str) -> _Failed:
    return _Failed(RecordError(code, message, tuple(fields)))


def _check(result: SaveResult) -> str:
    if not result.success:
        raise _Failed(*result.errors)
    return result.id  # type: ignore[return-value]


def _norm(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    norm = ids.normalize(value)
    if norm is None:
        raise _err("MALFORMED_ID", f"{field}: id value of incorrect type: {value}", field)
    return norm


def _live_row(store: Store, sobject: str, record_id: str, field: str) -> dict:
    row = store.get_row(sobject, record_id)
    if row is None or row["IsDeleted"]:
        raise _err("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {record_id}", field)
    return row


def _quarter_end(today: dt.date) -> str:
    month = ((today.month - 1) // 3 + 1) * 3
    first_next = dt.date(today.year + (month == 12), month % 12 + 1, 1)
    return (first_next - dt.timedelta(days=1)).isoformat()


def _as_input(value: object, fd_type: str) -> object:
    """A stored value as DML input (booleans back to True/False)."""
    if fd_type == "boolean":
        return bool(value)
    return value


def _mapped(
    store: Store, lead: Mapping[str, object], target: str, base: Mapping[str, str]
) -> dict[str, object]:
    obj = store.object(target)
    lead_obj = store.object("Lead")
    mapping = dict(base)
    mapping.update((store.get_setting("lead_convert_mapping", {}) or {}).get(target, {}))  # type: ignore[union-attr]
    out: dict[str, object] = {}
    for src, dst in mapping.items():
        if src in lead_obj.fields and dst in obj.fields and lead.get(src) not in (None, ""):
            out[dst] = _as_input(lead[src], lead_obj.fields[src].type)
    return out


def _fill_empty(
    existing: Mapping[str, object], values: Mapping[str, object], keep: tuple[str, ...] = ()
) -> dict:
    """Merging into an existing record only fills fields that are empty there (spec §8.4)."""
    return {k: v for k, v in values.items() if k in keep or existing.get(k) in (None, "")}


def convert_lead(store: Store, spec: LeadConvert, *, user_id: str) -> ConvertResult:
    """Convert one lead in its own transaction; failures roll back everything this lead touched."""
    try:
        with store.transaction():
            return _convert(store, spec, user_id)
    except _Failed as failure:
        return ConvertResult(lead_id=spec.lead_id, success=False, errors=failure.errors)


def _convert(store: Store, spec: LeadConvert, user_id: str) -> ConvertResult:
    lead_id = _norm(spec.lead_id, "leadId")
    if lead_id is None:
        raise _err("REQUIRED_FIELD_MISSING", "Required fields are missing: [leadId]", "leadId")
    lead = store.get_row("Lead", lead_id) if lead_id.startswith("00Q") else None
    if lead is None:
        raise _err("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {spec.lead_id}", "leadId")
    if lead["IsDeleted"]:
        raise _err("ENTITY_IS_DELETED", "entity is deleted")
    if lead["IsConverted"]:
        raise _err("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    status = _converted_status(store, spec.converted_status)
    account_id = _norm(spec.account_id, "accountId")
    contact_id = _norm(spec.contact_id, "contactId")
    owner_id = _norm(spec.owner_id, "ownerId")
    if owner_id is not None:
        owner = store.get_row("User", owner_id, ["Id", "IsActive"]) if owner_id.startswith("005") else None
        if owner is None or not owner["IsActive"]:
            raise _err(
                "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {spec.owner_id}", "ownerId"
            )
    else:
        owner_id = str(lead["OwnerId"])
    if contact_id is not None and account_id is None:
        raise _err("REQUIRED_FIELD_MISSING", "Required fields are missing: [accountId]", "accountId")

    account_values = _mapped(store, lead, "Account", ACCOUNT_MAP)
    if account_id is None:
        new_account = {**account_values, "OwnerId": owner_id}
        account_id = _check(dml.create(store, "Account", new_account, user_id=user_id, system=True))
    else:
        existing = _live_row(store, "Account", account_id, "accountId")
        fill = _fill_empty(existing, {k: v for k, v in account_values.items() if k != "Name"})
        _check(dml.update(store, "Account", account_id, fill, user_id=user_id, system=True))

    contact_values = _mapped(store, lead, "Contact", CONTACT_MAP)
    contact_values["AccountId"] = account_id
    if contact_id is None:
        new_contact = {**contact_values, "OwnerId": owner_id}
        contact_id = _check(dml.create(store, "Contact", new_contact, user_id=user_id, system=True))
    else:
        existing = _live_row(store, "Contact", contact_id, "contactId")
        if existing["AccountId"] != account_id:
            message = f"contactId {spec.contact_id} is not on the account"
            raise _err("INVALID_CROSS_REFERENCE_KEY", message, "contactId")
        keep = ("LeadSource",) if spec.overwrite_lead_source and "LeadSource" in contact_values else ()
        fill = _fill_empty(existing, contact_values, keep)
        _check(dml.update(store, "Contact", contact_id, fill, user_id=user_id, system=True))

    opportunity_id = None
    if not spec.do_not_create_opportunity:
        new_opportunity = _opportunity(store, lead, spec, account_id, owner_id)
        opportunity_id = _check(
            dml.create(store, "Opportunity", new_opportunity, user_id=user_id, system=True)
        )
        # Salesforce makes the converted contact the opportunity's primary contact role.
        role = {"OpportunityId": opportunity_id, "ContactId": contact_id, "IsPrimary": True}
        _check(dml.create(store, "OpportunityContactRole", role, user_id=user_id, system=True))

    # Why a raw write: lead validation rules do not run on conversion in a default org ("Require Validation
    # for Converted Leads" is off), so a lead that breaks a rule can still be converted.
    stamp = store.clock.stamp()
    store.update_row("Lead", lead_id, {
        "IsConverted": 1, "ConvertedDate": stamp[:10], "ConvertedAccountId": account_id,
        "ConvertedContactId": contact_id, "ConvertedOpportunityId": opportunity_id, "Status": status,
        "LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp,
    })  # fmt: skip
    if store.capture is not None:  # the conversion's Lead UPDATE event carries no LastModifiedDate (§2.6)
        store.capture.hide("Lead", lead_id, ("LastModifiedDate", "LastModifiedById"))
    _move_related(store, lead_id, contact_id, opportunity_id or account_id, user_id)
    if spec.send_notification_email:  # to the owner of the new records (spec streaming §6.5)
        record_email(store, to_id=owner_id, reason="lead_convert", record_id=lead_id, name=lead.get("Name"))
    return ConvertResult(lead_id, True, account_id, contact_id, opportunity_id)


def _converted_status(store: Store, value: str | None) -> str:
    if not value:
        raise _err("REQUIRED_FIELD_MISSING", "Required fields are missing: [ConvertedStatus]", "Status")
    row = store.fetchone(
        "SELECT MasterLabel FROM LeadStatus WHERE IsConverted = 1 AND IsDeleted = 0 "
        "AND (MasterLabel = ? OR ApiName = ?) ORDER BY SortOrder LIMIT 1",
        (value, value),
    )
    if row is None:
        raise _err("INVALID_STATUS", f"invalid convertedStatus: {value}", "Status")
    return str(row[0])


def _opportunity(store: Store, lead: Mapping, spec: LeadConvert, account_id: str, owner_id: str) -> dict:
    stages = store.object("Opportunity").fields["StageName"].picklist_values
    today = store.clock.now().date()
    values: dict[str, object] = {
        "Name": spec.opportunity_name or f"{lead['Company']}-",
        "AccountId": account_id,
        "StageName": stages[0] if stages else "Prospecting",
        "CloseDate": _quarter_end(today),
        "OwnerId": owner_id,
    }
    if lead.get("LeadSource"):
        values["LeadSource"] = lead["LeadSource"]
    values.update(_mapped(store, lead, "Opportunity", {}))
    return values


def _move_related(store: Store, lead_id: str, contact_id: str, what_id: str, user_id: str) -> None:
    """Campaign memberships gain the contact; activities move to it (a save of each child: stamps bumped)."""
    stamp = store.clock.stamp()
    bump = {"LastModifiedDate": stamp, "LastModifiedById": user_id, "SystemModstamp": stamp}
    # Row by row through the store, so each moved child publishes its change event.
    members = store.fetchall(
        "SELECT Id FROM CampaignMember WHERE LeadId = ? AND ContactId IS NULL", (lead_id,)
    )
    for (member_id,) in members:
        store.update_row("CampaignMember", member_id, {"ContactId": contact_id, **bump})
    for table in ("Task", "Event"):
        rows = store.fetchall(f"SELECT Id, WhatId FROM {q(table)} WHERE WhoId = ?", (lead_id,))
        for child_id, child_what in rows:
            store.update_row(table, child_id, {"WhoId": contact_id, "WhatId": child_what or what_id, **bump})
