"""The person's activity log (every sync event, flow action and rejection) and Salesforce tasks and events."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from syncapp.models.base import SalesforceLookup, SalesforceRecord
from syncapp.models.search import SearchKeyed, SearchKeyField


class ActivityLog(models.Model):
    """One line of a person's history, newest first. Written in bulk by the sync."""

    class Type(models.TextChoices):
        NEW_PERSON = "new_person", "New Person"
        CHANGE_DATA_VALUE = "change_data_value", "Change Data Value"
        SYNC_PERSON = "sync_person", "Sync Person to SFDC"
        SYNC_TO_SFDC = "sync_to_sfdc", "Sync Updates to SFDC"
        CONVERT_PERSON = "convert_person", "Convert Person"
        CONVERTED_IN_SFDC = "converted_in_sfdc", "Converted in SFDC"
        MERGED = "merged", "Merged"
        DELETED_IN_SFDC = "deleted_in_sfdc", "Deleted in SFDC"
        CHANGE_OWNER = "change_owner", "Change Owner"
        ADD_TO_CAMPAIGN = "add_to_campaign", "Add to SFDC Campaign"
        REMOVE_FROM_CAMPAIGN = "remove_from_campaign", "Remove from SFDC Campaign"
        CHANGE_CAMPAIGN_STATUS = "change_campaign_status", "Change Status in SFDC Campaign"
        CREATE_TASK = "create_task", "Create Task"
        SFDC_ACTIVITY = "sfdc_activity", "SFDC Activity"
        SFDC_ACTIVITY_UPDATED = "sfdc_activity_updated", "SFDC Activity Updated"
        ADD_TO_OPPORTUNITY = "add_to_opportunity", "Add to Opportunity"
        REMOVE_FROM_OPPORTUNITY = "remove_from_opportunity", "Remove from Opportunity"
        UPDATE_OPPORTUNITY = "update_opportunity", "Update Opportunity"
        SALESFORCE_REJECTED = "salesforce_rejected", "Salesforce Rejected Update"
        DELETE_FROM_SFDC = "delete_from_sfdc", "Delete Person from SFDC"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # The (person, -occurred_at) index serves the person's log; single-column FK indexes would only slow
    # the millions of inserts of a first load.
    person = models.ForeignKey(
        "syncapp.Person", on_delete=models.CASCADE, related_name="activity_log", db_index=False
    )
    occurred_at = models.DateTimeField(db_index=True)
    type = models.CharField(max_length=32, choices=Type.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)
    primary_attribute = models.CharField(max_length=255, blank=True)
    # old / new value, reason, Salesforce error code, message and fields: whatever the type carries.
    attributes = models.JSONField(default=dict, blank=True)
    # Who or what caused it: "Salesforce", "sync", "flow: Convert Person", "admin: jane".
    source = models.CharField(max_length=255, blank=True)
    sync_run = models.ForeignKey(
        "syncapp.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    flow_run = models.ForeignKey(
        "syncapp.FlowRun", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )

    class Meta:
        verbose_name = "activity log entry"
        verbose_name_plural = "activity log entries"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-occurred_at"], name="activity_person_time"),
            models.Index(fields=["type", "-occurred_at"], name="activity_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.primary_attribute}".rstrip(": ")


class SalesforceActivity(SearchKeyed, SalesforceRecord):
    """A Salesforce Task or Event, linked to a person through WhoId."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        EVENT = "event", "Event"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=255, blank=True)
    activity_date = models.DateField(null=True, blank=True)
    who_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    what_sf_id = models.CharField(max_length=18, blank=True)
    person = models.ForeignKey(
        "syncapp.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="salesforce_activities",
    )
    owner = SalesforceLookup(
        "syncapp.SalesforceUser",
        related_name="activities",
        db_column="owner_sf_id",
        verbose_name="assigned to",
    )
    search_subject = SearchKeyField(source="subject")

    class Meta:
        verbose_name = "Salesforce activity"
        verbose_name_plural = "Salesforce activities (tasks and events)"
        ordering = ["-activity_date", "-id"]
        indexes = [
            models.Index(
                fields=["search_subject"], name="activity_search_subject", opclasses=["varchar_pattern_ops"]
            ),
            # Millions of tasks: the list reads its fifty rows from this index instead of sorting them all.
            models.Index(fields=["-activity_date", "-id"], name="activity_date"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} {self.sf_id}"
