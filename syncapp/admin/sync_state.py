"""Admin for the sync's own state: cursors, runs and their steps, errors.

Long because it holds five read-only admins and the run page's two panels; each is short.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from syncapp import services
from syncapp.admin.display import (
    EMPTY,
    Panel,
    admin_link,
    changelist_url,
    duration_text,
    progress_bar,
    short_datetime,
    status_badge,
)
from syncapp.admin.error_search import ErrorSearchMixin
from syncapp.admin.exports import sync_errors_csv
from syncapp.admin.filters import ErrorStateFilter
from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.admin.paging import CappedPaginator
from syncapp.admin.run_status import OutcomeFilter, failed_items, run_badge, step_badge
from syncapp.models import DeferredIndex, SyncCursor, SyncError, SyncRun, SyncStep

STATE_NOTICE = "This is the sync's own record of its work: it is written by the sync and read here."


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = STATE_NOTICE
    list_display = ("sobject", "load_state_badge", "high_water", "progress", "updated_at")
    list_filter = ("load_state",)
    search_fields = ("sobject",)
    readonly_fields = ("load_state_badge", "progress")
    fieldsets = (
        (None, {"fields": ("sobject", "high_water", "updated_at")}),
        (
            "Initial load",
            {"fields": ("load_state_badge", "progress", "load_started_at")},
        ),
        ("Bulk API job", {"fields": ("bulk_job_id", "bulk_locator")}),
    )

    @admin.display(description="initial load", ordering="load_state")
    def load_state_badge(self, obj: SyncCursor) -> SafeString:
        return status_badge(obj, "load_state")

    @admin.display(description="rows read")
    def progress(self, obj: SyncCursor) -> SafeString:
        return progress_bar(obj.rows_read, obj.rows_total)


@admin.register(DeferredIndex)
class DeferredIndexAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = (
        "Indexes set aside while a large initial load fills their table. The sync rebuilds them when its "
        "loads are done; until then lists sorted or filtered on them are slower."
    )
    list_display = ("name", "table", "deferred_at")
    readonly_fields = ("name", "table", "definition", "deferred_at")


def _step_counts(step: SyncStep) -> tuple[int, ...]:
    return (step.created, step.updated, step.deleted, step.failed, step.skipped)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = STATE_NOTICE
    change_list_template = "admin/syncapp/syncrun/change_list.html"

    def get_urls(self):
        return [
            path(
                "sync-now/", self.admin_site.admin_view(self.sync_now_view), name="syncapp_syncrun_sync_now"
            ),
            *super().get_urls(),
        ]

    def can_start_cycles(self, request: HttpRequest) -> bool:
        return request.user.has_perm("syncapp.change_syncsettings")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(
            request, {**(extra_context or {}), "can_sync_now": self.can_start_cycles(request)}
        )

    def sync_now_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.can_start_cycles(request):
            raise PermissionDenied
        services.sync_cycle_request()
        self.message_user(
            request,
            "A sync cycle was queued: it starts as soon as a worker is free (after any cycle still running).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:syncapp_syncrun_changelist"))

    # No "finished" column: the duration says it, and the message needs the room in a 1,400-pixel window.
    list_display = (
        "started",
        "status_badge",
        "trigger",
        "duration",
        "api_calls",
        "api_usage",
        "short_message",
    )
    list_display_links = ("started",)
    list_filter = (OutcomeFilter, "trigger", ("started_at", admin.DateFieldListFilter))
    search_fields = ("message",)
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("status_badge", "duration", "api_usage")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "status_badge",
                    "trigger",
                    ("started_at", "finished_at"),
                    "duration",
                    "heartbeat_at",
                )
            },
        ),
        ("Salesforce API", {"fields": ("api_calls", "api_usage")}),
        ("Message", {"fields": ("message",)}),
    )

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(has_failed_items=failed_items())

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: SyncRun) -> SafeString:
        return run_badge(obj)

    @admin.display(description="started", ordering="started_at")
    def started(self, obj: SyncRun) -> SafeString:
        return short_datetime(obj.started_at)

    @admin.display(description="finished", ordering="finished_at")
    def finished(self, obj: SyncRun) -> SafeString:
        return short_datetime(obj.finished_at)

    @admin.display(description="duration")
    def duration(self, obj: SyncRun) -> str:
        return duration_text(obj.started_at, obj.finished_at)

    @admin.display(description="API usage (org, today)")
    def api_usage(self, obj: SyncRun) -> SafeString | str:
        if obj.api_used is None or not obj.api_limit:
            return EMPTY
        return format_html(
            '<span title="{}%">{} / {}</span>',
            round(100 * obj.api_used / obj.api_limit, 1),
            f"{obj.api_used:,}",
            f"{obj.api_limit:,}",
        )

    @admin.display(description="message")
    def short_message(self, obj: SyncRun) -> str:
        return Truncator(obj.message).chars(80)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["panels"] = [steps_panel(obj), errors_panel(obj)]
        return super().render_change_form(request, context, add, change, form_url, obj)


def steps_panel(run: SyncRun) -> Panel:
    steps = run.steps.order_by("started_at", "id")
    rows = [
        (
            admin_link(step, step.sobject),
            step.get_operation_display(),
            step_badge(step),
            *_step_counts(step),
            step.api_calls,
            progress_bar(step.progress_done, step.progress_total) if step.progress_total else EMPTY,
            duration_text(step.started_at, step.finished_at),
        )
        for step in steps
    ]
    return Panel(
        key="steps",
        title="Steps",
        columns=(
            "Object",
            "Operation",
            "Status",
            "New",
            "Updated",
            "Deleted",
            "Failed",
            "Skipped",
            "API calls",
            "Progress",
            "Duration",
        ),
        rows=rows,
        empty_text="No steps yet.",
    )


ERROR_ROWS = 50


def errors_panel(run: SyncRun) -> Panel:
    errors = run.errors.select_related("person").order_by("-occurred_at", "-id")[:ERROR_ROWS]
    rows = [
        (
            admin_link(error, error.get_level_display()),
            format_html('<code class="sync-code">{}</code>', error.code) if error.code else EMPTY,
            error.sobject or EMPTY,
            error.sf_id or EMPTY,
            admin_link(error.person) if error.person_id else EMPTY,
            error.message,
        )
        for error in errors
    ]
    return Panel(
        key="errors",
        title="Errors",
        columns=("Level", "Error type", "Object", "Salesforce id", "Person", "Message"),
        rows=rows,
        more_url=changelist_url(SyncError, run__id__exact=run.pk),
        more_label="All errors of this run",
        empty_text="No errors.",
    )


@admin.register(SyncStep)
class SyncStepAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = STATE_NOTICE
    list_display = (
        "__str__",
        "run_link",
        "status_badge",
        "created",
        "updated",
        "deleted",
        "failed",
        "skipped",
        "api_calls",
        "progress",
        "started",
        "duration",
    )
    list_filter = ("sobject", "operation", OutcomeFilter)
    search_fields = ("=sobject", "message")
    list_select_related = ("run",)
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("run_link", "status_badge", "progress", "duration")
    fieldsets = (
        (None, {"fields": ("run_link", "sobject", "operation", "status_badge")}),
        (
            "Counts",
            {"fields": (("created", "updated", "deleted", "failed", "skipped"), "api_calls", "progress")},
        ),
        ("Time", {"fields": (("started_at", "finished_at"), "duration")}),
        ("Message", {"fields": ("message",)}),
    )

    @admin.display(description="run", ordering="run__started_at")
    def run_link(self, obj: SyncStep) -> SafeString | str:
        return admin_link(obj.run)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: SyncStep) -> SafeString:
        return step_badge(obj)

    @admin.display(description="progress")
    def progress(self, obj: SyncStep) -> SafeString:
        return progress_bar(obj.progress_done, obj.progress_total) if obj.progress_total else EMPTY

    @admin.display(description="started", ordering="started_at")
    def started(self, obj: SyncStep) -> SafeString:
        return short_datetime(obj.started_at)

    @admin.display(description="duration")
    def duration(self, obj: SyncStep) -> str:
        return duration_text(obj.started_at, obj.finished_at)


@admin.register(SyncError)
class SyncErrorAdmin(ReadOnlyAdminMixin, ErrorSearchMixin, admin.ModelAdmin):
    notice = STATE_NOTICE
    change_list_template = "admin/syncapp/syncerror/change_list.html"

    def get_urls(self):
        export = self.admin_site.admin_view(lambda request: sync_errors_csv(self, request))
        return [path("export.csv", export, name="syncapp_syncerror_export"), *super().get_urls()]

    # The record as its name (with its Salesforce id under it), not three id columns: it fits 1,400 pixels.
    list_display = ("when", "level", "code", "record", "short_message", "state")
    list_display_links = ("when",)
    list_filter = (ErrorStateFilter, "level", "code", "sobject", ("occurred_at", admin.DateFieldListFilter))
    list_select_related = ("person",)
    raw_id_fields = ("person", "run")
    show_full_result_count = False
    paginator = CappedPaginator  # errors pile up by the hundred thousand: count to the cap, not all of them
    list_per_page = 50
    readonly_fields = ("person_link", "run_link")
    fieldsets = (
        (None, {"fields": ("occurred_at", "level", "code", "message", "fields")}),
        ("Record", {"fields": ("sobject", "operation", "sf_id", "local_id", "person_link")}),
        ("Run", {"fields": ("run_link", "resolved_at")}),
    )

    @admin.display(description="time", ordering="occurred_at")
    def when(self, obj: SyncError) -> SafeString:
        return short_datetime(obj.occurred_at)

    @admin.display(description="person")
    def person_link(self, obj: SyncError) -> SafeString | str:
        return admin_link(obj.person) if obj.person_id else EMPTY

    @admin.display(description="record", ordering="sf_id")
    def record(self, obj: SyncError) -> SafeString | str:
        name = admin_link(obj.person) if obj.person_id else obj.sobject or EMPTY
        detail = " · ".join(part for part in (obj.sobject if obj.person_id else "", obj.sf_id) if part)
        return format_html('{}<span class="sync-sub">{}</span>', name, detail) if detail else name

    @admin.display(description="run")
    def run_link(self, obj: SyncError) -> SafeString | str:
        return admin_link(obj.run) if obj.run_id else EMPTY

    @admin.display(description="message")
    def short_message(self, obj: SyncError) -> str:
        return Truncator(obj.message).chars(100)

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj: SyncError) -> SafeString | str:
        if obj.resolved_at is None:
            return "Open"
        return format_html("Resolved {}", short_datetime(obj.resolved_at))
