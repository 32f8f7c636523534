"""Admin for the outbox (local edits waiting for Salesforce) and flow runs: read-only history."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from syncapp import selectors
from syncapp.admin.display import (
    EMPTY,
    admin_link,
    duration_text,
    readable_value,
    short_datetime,
    status_badge,
)
from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.models import FlowRun, OutboundChange, Person

# Which admin page shows the local row an outbox entry edits, by the sObject it is pushed as.
RECORD_ADMIN = {
    **dict.fromkeys(selectors.person_sobjects(), "admin:syncapp_person_change"),
    "Campaign": "admin:syncapp_campaign_change",
    "CampaignMember": "admin:syncapp_campaignmember_change",
}


@admin.register(OutboundChange)
class OutboundChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = (
        "The outbox: every local edit waits here until the sync sends it to Salesforce. It is written by "
        "the edits themselves and drained by the sync."
    )
    list_display = (
        "when",
        "sobject",
        "record_link",
        "field",
        "change",
        "actor",
        "state_badge",
        "attempts",
    )
    list_display_links = ("when",)
    list_filter = ("state", "sobject")
    search_fields = ("=sf_id", "=field", "actor")
    search_help_text = "Search by an exact Salesforce id or field API name, or by who made the change."
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("record_link", "change", "state_badge")
    fieldsets = (
        (None, {"fields": ("sobject", "record_link", "sf_id", "field", "change", "actor", "created_at")}),
        ("Delivery", {"fields": ("state_badge", "attempts", "next_attempt_at", "sent_at", "error")}),
    )

    @admin.display(description="time", ordering="created_at")
    def when(self, obj: OutboundChange) -> SafeString:
        return short_datetime(obj.created_at)

    def get_queryset(self, request):
        # The person's name beside the id, in the list's one query (a correlated lookup per shown row).
        person = Person.objects.filter(pk=OuterRef("local_id"))
        name = Concat("first_name", Value(" "), "last_name", output_field=CharField())
        return (
            super()
            .get_queryset(request)
            .annotate(
                person_name=Case(
                    When(
                        sobject__in=selectors.person_sobjects(),
                        then=Subquery(person.annotate(n=name).values("n")[:1]),
                    ),
                    default=Value(""),
                )
            )
        )

    @admin.display(description="record")
    def record_link(self, obj: OutboundChange) -> SafeString | str:
        name = RECORD_ADMIN.get(obj.sobject)
        person = (getattr(obj, "person_name", "") or "").strip()
        label = person or obj.sf_id or f"#{obj.local_id}"
        if name is None:
            return label
        link = format_html('<a href="{}">{}</a>', reverse(name, args=[obj.local_id]), label)
        return (
            format_html('{}<span class="sync-sub">{}</span>', link, obj.sf_id)
            if person and obj.sf_id
            else link
        )

    @admin.display(description="change")
    def change(self, obj: OutboundChange) -> SafeString:
        return format_html(
            '<span class="sync-old">{}</span> → <span class="sync-new">{}</span>',
            readable_value(obj.base_value),
            readable_value(obj.new_value),
        )

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj: OutboundChange) -> SafeString:
        return status_badge(obj, "state")


@admin.register(FlowRun)
class FlowRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = "Flow runs are started from a person's page or a list action; this is their history."
    list_display = (
        "when",
        "action",
        "person_link",
        "requested_by",
        "status_badge",
        "short_result",
        "duration",
    )
    list_display_links = ("when",)
    list_filter = ("status", "action", ("created_at", admin.DateFieldListFilter))
    search_fields = ("^person__email", "=task_id")
    search_help_text = "Search by the start of the person's email, or an exact task id."
    list_select_related = ("person", "requested_by")
    raw_id_fields = ("person", "requested_by")
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("person_link", "status_badge", "duration")
    fieldsets = (
        (None, {"fields": ("action", "person_link", "requested_by", "options")}),
        (
            "Outcome",
            {"fields": ("status_badge", "result", ("created_at", "started_at", "finished_at"), "duration")},
        ),
        ("Queue", {"fields": ("task_id",)}),
    )

    @admin.display(description="requested", ordering="created_at")
    def when(self, obj: FlowRun) -> SafeString:
        return short_datetime(obj.created_at)

    @admin.display(description="person")
    def person_link(self, obj: FlowRun) -> SafeString | str:
        return admin_link(obj.person) if obj.person_id else EMPTY

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: FlowRun) -> SafeString:
        return status_badge(obj)

    @admin.display(description="result")
    def short_result(self, obj: FlowRun) -> str:
        return Truncator(obj.result).chars(80)

    @admin.display(description="duration")
    def duration(self, obj: FlowRun) -> str:
        return duration_text(obj.started_at, obj.finished_at)
