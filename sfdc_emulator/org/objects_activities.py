"""The default org's activities: Task and Event, linked to a person (WhoId) and to a record (WhatId)."""

from __future__ import annotations

from sfdc_emulator.org.schema import (
    ObjectDef,
    f,
    obj,
    pick,
    ref,
    ro,
    s,
)

# A task's Subject is a combobox: these values are offered, any text is accepted.
SUBJECTS = ("Call", "Send Letter", "Send Quote", "Other")
# What an activity may be related to (WhatId): the objects with an Activities related list in the demo org.
WHAT = ("Account", "Opportunity", "Campaign", "Subscription__c")


def task() -> ObjectDef:
    return obj(
        "Task",
        "00T",
        [
            ref("WhoId", ("Lead", "Contact"), "Who", child="Tasks", cascade=True, label="Name ID"),
            ref("WhatId", WHAT, "What", child="Tasks", cascade=True, label="Related To ID"),
            f("Subject", "combobox", 255, picklist_values=SUBJECTS),
            f("ActivityDate", "date", label="Due Date Only"),
            pick(
                "Status",
                ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
                restricted=True,
                nillable=False,
                default="Not Started",
            ),
            pick("Priority", ("High", "Normal", "Low"), restricted=True, nillable=False, default="Normal"),
            pick("Type", ("Call", "Email", "Meeting", "Other")),
            pick("TaskSubtype", ("Task", "Email", "Call")),
            f("Description", "textarea", 32000, label="Comments"),
            ro(f("IsClosed", "boolean", label="Closed")),
        ],
    )


def event() -> ObjectDef:
    return obj(
        "Event",
        "00U",
        [
            ref("WhoId", ("Lead", "Contact"), "Who", child="Events", cascade=True, label="Name ID"),
            ref("WhatId", WHAT, "What", child="Events", cascade=True, label="Related To ID"),
            s("Subject", 255),
            s("Location", 255),
            f("StartDateTime", "datetime", label="Start Date Time"),
            f("EndDateTime", "datetime", label="End Date Time"),
            f("ActivityDateTime", "datetime", label="Due Date Time"),
            f("ActivityDate", "date", label="Due Date Only"),
            f("DurationInMinutes", "int", label="Duration"),
            f("IsAllDayEvent", "boolean", label="All-Day Event"),
            pick("Type", ("Call", "Email", "Meeting", "Other")),
            pick("ShowAs", ("Busy", "Free", "OutOfOffice")),
            f("Description", "textarea", 32000),
        ],
    )
