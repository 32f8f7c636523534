"""The sync's own state: settings, cursors, runs and steps, errors, field settings, the outbox, flow runs.

Long because it holds the eight small models the engine keeps about itself, each a screen or less.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from syncapp.models.base import Singleton


class ConflictPolicy(models.TextChoices):
    SALESFORCE_WINS = "salesforce", "Salesforce wins"
    LOCAL_WINS = "local", "Local change wins"


# Bounds no sensible setting reaches, held by validators (the form says so) and by CHECK constraints (nothing
# stores an out-of-range value): a pause of 2**63 seconds overflows every date computation. Below 30 seconds
# cycles would run back to back: change events (the listener) are the way to hear of changes sooner.
MIN_PAUSE_SECONDS = 30
MAX_PAUSE_SECONDS = 7 * 24 * 60 * 60
MAX_BULK_THRESHOLD = 100_000_000
MAX_SCHEMA_EVERY_CYCLES = 10_000


class SyncSettings(Singleton, models.Model):
    """The singleton (pk=1) an administrator edits; also holds the cycle lease."""

    MIN_PAUSE_SECONDS = MIN_PAUSE_SECONDS
    MAX_PAUSE_SECONDS = MAX_PAUSE_SECONDS

    enabled = models.BooleanField(default=True, help_text="Switch the background sync on or off.")
    pause_seconds = models.PositiveIntegerField(
        "pause between cycles",
        default=5 * 60,
        validators=[MinValueValidator(MIN_PAUSE_SECONDS), MaxValueValidator(MAX_PAUSE_SECONDS)],
        help_text="From the end of one cycle to the start of the next, when change events are off or the "
        "listener is not connected: 30 seconds to a week.",
    )
    streaming = models.BooleanField(
        default=True,
        help_text="Listen for Salesforce change events (manage.py listen): a change reaches the mirror in "
        "seconds, and the regular cycle becomes a safety net.",
    )
    safety_net_minutes = models.PositiveIntegerField(
        default=15,
        help_text="With the listener connected, minutes between regular cycles (they catch any lost event).",
    )
    # Marketo's documented defaults: leads → local wins, contacts and campaigns → Salesforce wins.
    lead_conflict_policy = models.CharField(
        max_length=10, choices=ConflictPolicy.choices, default=ConflictPolicy.LOCAL_WINS
    )
    contact_conflict_policy = models.CharField(
        max_length=10, choices=ConflictPolicy.choices, default=ConflictPolicy.SALESFORCE_WINS
    )
    campaign_conflict_policy = models.CharField(
        max_length=10, choices=ConflictPolicy.choices, default=ConflictPolicy.SALESFORCE_WINS
    )
    campaign_member_conflict_policy = models.CharField(
        max_length=10, choices=ConflictPolicy.choices, default=ConflictPolicy.SALESFORCE_WINS
    )
    default_last_name = models.CharField(max_length=80, default="[not provided]")
    default_company = models.CharField(max_length=255, default="[not provided]")
    notify_owner_on_assignment = models.BooleanField(
        default=False,
        help_text="Salesforce emails the owner: new leads that Sync Person to SFDC gives to the assignment "
        "rules are created over SOAP with EmailHeader, and Convert Person's notification email is on by "
        "default (the marketer can still choose per run).",
    )
    bulk_threshold = models.PositiveIntegerField(
        default=10000,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_BULK_THRESHOLD)],
        help_text="An initial load larger than this many records uses a Bulk API 2.0 query "
        "(0 to 100,000,000).",
    )
    schema_every_cycles = models.PositiveIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SCHEMA_EVERY_CYCLES)],
        help_text="Refresh the field list from Salesforce every this many cycles (1: every cycle; at most "
        "10,000).",
    )
    # The lease: one cycle at a time across every worker; a crashed holder's lease expires.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sync settings"
        verbose_name_plural = "sync settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    pause_seconds__gte=MIN_PAUSE_SECONDS, pause_seconds__lte=MAX_PAUSE_SECONDS
                ),
                name="syncsettings_pause_seconds_range",
            ),
            models.CheckConstraint(
                condition=models.Q(bulk_threshold__gte=0, bulk_threshold__lte=MAX_BULK_THRESHOLD),
                name="syncsettings_bulk_threshold_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    schema_every_cycles__gte=1, schema_every_cycles__lte=MAX_SCHEMA_EVERY_CYCLES
                ),
                name="syncsettings_schema_every_cycles_range",
            ),
        ]

    def __str__(self) -> str:
        return "Sync settings"


class SyncCursor(models.Model):
    """Per sObject: how far the pull has read, and where an interrupted initial load resumes."""

    class LoadState(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    sobject = models.CharField("Salesforce object", max_length=80, unique=True)
    high_water = models.DateTimeField("high-water SystemModstamp", null=True, blank=True)
    read_through = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Every record stamped before this has been read (server time of the last full read, less "
        "the overlap): the next delta starts here rather than re-reading the last burst of changes.",
    )
    load_state = models.CharField(max_length=12, choices=LoadState.choices, default=LoadState.NOT_STARTED)
    load_started_at = models.DateTimeField(null=True, blank=True)
    bulk_job_id = models.CharField("Bulk API job id", max_length=18, blank=True)
    bulk_locator = models.CharField(max_length=64, blank=True)
    rows_read = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sobject"]

    def __str__(self) -> str:
        return self.sobject


class DeferredIndex(models.Model):
    """A secondary index dropped while a large initial load fills its table; the cycle rebuilds it after.

    The definition is saved before the index is dropped, in the same transaction, so a worker killed
    mid-load loses nothing: the next cycle rebuilds every index listed here once its loads are done.
    """

    name = models.CharField(max_length=128, unique=True)
    table = models.CharField(max_length=128)
    definition = models.TextField(help_text="The CREATE INDEX statement, as the database reported it.")
    deferred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "index set aside during a load"
        verbose_name_plural = "indexes set aside during a load"

    def __str__(self) -> str:
        return f"{self.name} on {self.table}"


class RunStatus(models.TextChoices):
    """Marketo's Sync Status values, for a whole cycle and for each of its steps."""

    RUNNING = "running", "In process"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    INCOMPLETE = "incomplete", "Incomplete"


class SyncRun(models.Model):
    Status = RunStatus

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    trigger = models.CharField(max_length=20, default="schedule")
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    api_calls = models.PositiveIntegerField("API calls", default=0)
    api_used = models.PositiveIntegerField("org API calls used today", null=True, blank=True)
    api_limit = models.PositiveIntegerField("org daily API limit", null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Sync cycle {self.started_at:%Y-%m-%d %H:%M:%S}"


class SyncStep(models.Model):
    """Marketo's Sync Status row: one object and one operation within a run."""

    class Operation(models.TextChoices):
        SCHEMA = "schema", "Sync schema"
        INITIAL_LOAD = "initial_load", "Initial load"
        PULL_UPDATES = "pull_updates", "Pull updates"
        PUSH_UPDATES = "push_updates", "Push updates"
        REBUILD_INDEXES = "rebuild_indexes", "Rebuild indexes"

    Status = RunStatus

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="steps")
    sobject = models.CharField("Salesforce object", max_length=80)
    operation = models.CharField(max_length=20, choices=Operation.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField("new", default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField("failed items", default=0)
    skipped = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField("API calls", default=0)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["sobject", "-started_at"], name="syncstep_object_time")]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.sobject}"


class SyncError(models.Model):
    class Level(models.TextChoices):
        RECORD = "record", "Record level"
        JOB = "job", "Job level"

    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="errors")
    level = models.CharField(max_length=6, choices=Level.choices, default=Level.RECORD)
    sobject = models.CharField("Salesforce object", max_length=80, blank=True)
    operation = models.CharField(max_length=20, blank=True)
    sf_id = models.CharField("Salesforce id", max_length=18, blank=True, db_index=True)
    person = models.ForeignKey("syncapp.Person", null=True, blank=True, on_delete=models.SET_NULL)
    local_id = models.CharField(max_length=32, blank=True)
    code = models.CharField("error type", max_length=80, blank=True)
    message = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # The list's "error type" and "Salesforce object" filters list their values with SELECT DISTINCT:
        # from these small indexes rather than from every row of a hundred thousand errors.
        indexes = [
            models.Index(fields=["code"], name="syncerror_code"),
            models.Index(fields=["sobject"], name="syncerror_sobject"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.message[:80]}"


class FieldSetting(models.Model):
    """One Salesforce field as the sync user sees it (from describe), and whether we sync it."""

    sobject = models.CharField("Salesforce object", max_length=80)
    api_name = models.CharField("API name", max_length=80)
    label = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=40, blank=True)
    length = models.PositiveIntegerField(default=0)
    custom = models.BooleanField(default=False)
    visible = models.BooleanField(default=True, help_text="The sync user can read it.")
    createable = models.BooleanField(default=False)
    updateable = models.BooleanField(default=False)
    nillable = models.BooleanField(default=True, help_text="Salesforce accepts an empty value.")
    # Every value describe lists, inactive ones too: {"value", "label", "active", "default"}.
    picklist_values = models.JSONField(default=list, blank=True)
    restricted_picklist = models.BooleanField(
        default=False, help_text="Salesforce refuses any value not in the picklist."
    )
    reference_to = models.JSONField(default=list, blank=True)
    sync_enabled = models.BooleanField(default=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sobject", "api_name"]
        constraints = [
            models.UniqueConstraint(fields=["sobject", "api_name"], name="fieldsetting_unique_field")
        ]

    def __str__(self) -> str:
        return f"{self.sobject}.{self.api_name}"

    def picklist(self, *, active_only: bool = True) -> list[tuple[str, str]]:
        """(value, label) pairs in Salesforce's order (rows stored before labels were kept: bare values)."""
        pairs = []
        for item in self.picklist_values or []:
            if isinstance(item, dict):
                if item.get("value") and (item.get("active", True) or not active_only):
                    pairs.append((str(item["value"]), str(item.get("label") or item["value"])))
            elif item:
                pairs.append((str(item), str(item)))
        return pairs


class OutboundChange(models.Model):
    """The outbox: one local edit of one synced field, written in the same transaction as the edit."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    sobject = models.CharField("Salesforce object", max_length=80)
    local_id = models.BigIntegerField()
    sf_id = models.CharField(max_length=18, blank=True)
    field = models.CharField(max_length=80)
    new_value = models.JSONField(null=True, blank=True)
    base_value = models.JSONField(null=True, blank=True)
    actor = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "sobject", "local_id"], name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject}.{self.field} → {self.new_value!r}"


class FlowRun(models.Model):
    """One flow action for one person: written before anything is sent to Salesforce (write-ahead), so a
    worker that dies mid-run leaves a row the next worker start retries or fails, never a silent loss."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    action = models.CharField(max_length=40)
    options = models.JSONField(default=dict, blank=True)
    person = models.ForeignKey("syncapp.Person", null=True, blank=True, on_delete=models.SET_NULL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    result = models.TextField(blank=True)
    error_code = models.CharField("Salesforce error code", max_length=80, blank=True)
    sf_ids = models.JSONField("Salesforce ids touched", default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="flowrun_person_time"),
            models.Index(fields=["status", "started_at"], name="flowrun_status"),
        ]
        # One permission per action (the flows registry's keys): "Marketers" get them all.
        permissions = [
            ("run_sync_person_to_sfdc", "Can run Sync Person to SFDC"),
            ("run_convert_person", "Can run Convert Person"),
            ("run_add_to_sfdc_campaign", "Can run Add to SFDC Campaign"),
            ("run_change_status_in_sfdc_campaign", "Can run Change Status in SFDC Campaign"),
            ("run_remove_from_sfdc_campaign", "Can run Remove from SFDC Campaign"),
            ("run_change_owner", "Can run Change Owner"),
            ("run_create_task", "Can run Create Task"),
            ("run_delete_person_from_sfdc", "Can run Delete Person from SFDC"),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
