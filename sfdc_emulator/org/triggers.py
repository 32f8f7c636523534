"""Platform-maintained fields (trigger equivalents): compound names, stage flags, activity times."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta

from sfdc_emulator.org.errors import RecordError, RecordFailure
from sfdc_emulator.org.values import format_datetime, parse_datetime

CLOSED_STAGES = {"Closed Won": (True, True), "Closed Lost": (True, False)}
STAGE_PROBABILITY = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}


def derive(
    store: object, obj_name: str, record: MutableMapping[str, object], changes: dict[str, object]
) -> None:
    """Fill derived fields on `record` (the full row as it will be saved) and mirror them into `changes`."""
    before = dict(record)
    if obj_name in ("Lead", "Contact", "User"):
        record["Name"] = (
            " ".join(str(p) for p in (record.get("FirstName"), record.get("LastName")) if p) or None
        )
    elif obj_name == "Opportunity":
        stage = str(record.get("StageName") or "")
        record["IsClosed"], record["IsWon"] = (int(x) for x in CLOSED_STAGES.get(stage, (False, False)))
        if "StageName" in changes and "Probability" not in changes and stage in STAGE_PROBABILITY:
            record["Probability"] = float(STAGE_PROBABILITY[stage])
    elif obj_name == "Task":
        record["IsClosed"] = int(record.get("Status") == "Completed")
    elif obj_name == "Event":
        _event(record)
    elif obj_name == "CampaignMember":
        _campaign_member(store, record, changes)
    for key, value in record.items():
        if before.get(key) != value:
            changes[key] = value


def _event(record: MutableMapping[str, object]) -> None:
    start_text = record.get("StartDateTime") or record.get("ActivityDateTime")
    start = parse_datetime(str(start_text)) if start_text else None
    if start is None:
        raise RecordFailure(
            RecordError(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [ActivityDateTime]",
                ("ActivityDateTime",),
            )
        )
    end_text = record.get("EndDateTime")
    end = parse_datetime(str(end_text)) if end_text else None
    duration = record.get("DurationInMinutes")
    if duration is not None:
        end = start + timedelta(minutes=int(duration))  # type: ignore[call-overload]
    elif end is not None:
        duration = int((end - start).total_seconds() // 60)
    else:
        raise RecordFailure(
            RecordError(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [DurationInMinutes]",
                ("DurationInMinutes",),
            )
        )
    if end < start:
        raise RecordFailure(
            RecordError("FIELD_INTEGRITY_EXCEPTION", "End Date Time: must be after start", ("EndDateTime",))
        )
    record["StartDateTime"] = record["ActivityDateTime"] = format_datetime(start)
    record["EndDateTime"] = format_datetime(end)
    record["DurationInMinutes"] = duration
    record["ActivityDate"] = start.date().isoformat()


def _campaign_member(store: object, record: MutableMapping[str, object], changes: dict[str, object]) -> None:
    if not record.get("LeadId") and not record.get("ContactId"):
        raise RecordFailure(
            RecordError(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [LeadId, ContactId]",
                ("LeadId", "ContactId"),
            )
        )
    statuses = store.fetchall(  # type: ignore[attr-defined]
        'SELECT Label, IsDefault, HasResponded FROM "CampaignMemberStatus" '
        "WHERE CampaignId = ? AND IsDeleted = 0",
        (record.get("CampaignId"),),
    )
    if not record.get("Status"):
        default = next((s[0] for s in statuses if s[1]), None)
        record["Status"] = default or "Sent"
    match = next((s for s in statuses if str(s[0]).lower() == str(record["Status"]).lower()), None)
    if statuses and match is None:
        raise RecordFailure(
            RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"Status: bad value for restricted picklist field: {record['Status']}",
                ("Status",),
            )
        )
    if match is not None:
        record["Status"] = match[0]
    responded = bool(match[2]) if match is not None else record["Status"] == "Responded"
    record["HasResponded"] = int(responded)
    if responded and not record.get("FirstRespondedDate"):
        record["FirstRespondedDate"] = str(record.get("LastModifiedDate") or "")[:10] or None
    if "Id" in changes:  # insert: one membership per campaign and person
        who_field = "LeadId" if record.get("LeadId") else "ContactId"
        dup = store.fetchone(  # type: ignore[attr-defined]
            f'SELECT Id FROM "CampaignMember" WHERE CampaignId = ? AND "{who_field}" = ? AND IsDeleted = 0',
            (record.get("CampaignId"), record.get(who_field)),
        )
        if dup:
            raise RecordFailure(
                RecordError(
                    "DUPLICATE_VALUE", f"Already a campaign member. duplicate value found: {dup[0]}", ()
                )
            )


# Every new campaign starts with these member statuses in Salesforce (the first is the default).
DEFAULT_MEMBER_STATUSES = (("Sent", True, False), ("Responded", False, True))


def after_insert(store: object, obj_name: str, record: MutableMapping[str, object], user_id: str) -> None:
    """Rows the platform creates beside a new record: a campaign's default member statuses."""
    if obj_name != "Campaign":
        return
    rows = [
        {"CampaignId": record["Id"], "Label": label, "SortOrder": i + 1, "IsDefault": int(default),
         "HasResponded": int(responded)}
        for i, (label, default, responded) in enumerate(DEFAULT_MEMBER_STATUSES)
    ]  # fmt: skip
    store.bulk_insert("CampaignMemberStatus", rows, user_id=user_id, stamp=str(record["SystemModstamp"]))  # type: ignore[attr-defined]
