"""Admin for the activity log (every person's history) and for Salesforce tasks and events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from syncapp.admin.display import (
    EMPTY,
    admin_link,
    badge,
    lookup_link,
    modified_column,
    readable_value,
    short_datetime,
)
from syncapp.admin.filters import picklist_filter
from syncapp.admin.key_search import KeySearch, KeySearchMixin
from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.admin.paging import CappedPaginator
from syncapp.admin.people_search import HELP as PEOPLE_SEARCH_HELP
from syncapp.admin.people_search import PeopleSearchMixin
from syncapp.models import ActivityLog, Person, SalesforceActivity

OUTCOME_BADGE = {"success": "ok", "skipped": "pending", "failed": "error"}

# The writers name attributes after Marketo's (old / new value, reason, code, message); accept both spellings.
FIELD_KEYS = ("field", "attribute", "attribute_name")
OLD_KEYS = ("old_value", "old")
NEW_KEYS = ("new_value", "new")
CODE_KEYS = ("error_code", "code")
MESSAGE_KEYS = ("message", "error_message")
SHOWN_KEYS = {*FIELD_KEYS, *OLD_KEYS, *NEW_KEYS, *CODE_KEYS, *MESSAGE_KEYS, "source"}


def _first(attrs: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[bool, Any]:
    for key in keys:
        if key in attrs:
            return True, attrs[key]
    return False, None


def activity_details(attrs: Mapping[str, Any] | None, primary: str = "") -> SafeString:
    """An entry's attributes, readable: field old → new, Salesforce's code and message, then the rest."""
    attrs = attrs if isinstance(attrs, Mapping) else {}
    parts: list[SafeString] = []
    _, field = _first(attrs, FIELD_KEYS)
    # Lists too narrow for a primary-attribute column pass it here; it names the field when none is given.
    field = field or primary
    has_old, old = _first(attrs, OLD_KEYS)
    has_new, new = _first(attrs, NEW_KEYS)
    if has_old or has_new:
        parts.append(
            format_html(
                '{}<span class="sync-old">{}</span> → <span class="sync-new">{}</span>',
                format_html("<strong>{}</strong>: ", field) if field else "",
                readable_value(old),
                readable_value(new),
            )
        )
    elif field:
        parts.append(format_html("<strong>{}</strong>", readable_value(field)))
    _, code = _first(attrs, CODE_KEYS)
    _, message = _first(attrs, MESSAGE_KEYS)
    if code or message:
        parts.append(
            format_html(
                '<span class="sync-error-text">{}{}</span>',
                format_html('<code class="sync-code">{}</code> ', code) if code else "",
                message or "",
            )
        )
    rest = [
        (attribute_label(key), attribute_text(value))
        for key, value in sorted(attrs.items())
        if key not in SHOWN_KEYS
    ]
    if rest:
        parts.append(format_html_join(" · ", '<span class="sync-attr">{}: {}</span>', rest))
    if not parts:
        return EMPTY
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))


def attribute_label(key: str) -> str:
    """`rejected_values` → "Rejected values"; an API name (`Rating__c`, `LeadSource`) stays as it is."""
    if key != key.lower():
        return key
    return key.replace("_", " ").capitalize().replace("Sfdc", "SFDC")


def attribute_text(value: Any) -> str:
    """Nested values in words: {"Amount": ["10", "20"]} → "Amount: 10 → 20"; {"Phone": "1"} → "Phone = 1"."""
    if isinstance(value, Mapping):
        items = []
        for key, inner in sorted(value.items()):
            if isinstance(inner, list | tuple) and len(inner) == 2:
                items.append(f"{key}: {readable_value(inner[0])} → {readable_value(inner[1])}")
            else:
                items.append(f"{key} = {readable_value(inner)}")
        return "; ".join(items) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(readable_value(item) for item in value) or "—"
    return readable_value(value)


def outcome_badge(entry: ActivityLog) -> SafeString:
    return badge(entry.get_outcome_display(), OUTCOME_BADGE.get(entry.outcome, "neutral"))


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdminMixin, PeopleSearchMixin, admin.ModelAdmin):
    notice = (
        "The activity log is written by the sync and by flow actions; it is a record of what happened, "
        "so nobody edits it."
    )
    list_display = ("when", "person_link", "type", "outcome_badge", "details", "source")
    list_display_links = ("when",)
    list_filter = ("type", "outcome", ("occurred_at", admin.DateFieldListFilter))
    # Tens of millions of rows: a search finds people (as the people list does), then reads their entries
    # from the (person, time) index; a word inside the primary attribute would be a scan of every row.
    person_path = "person"
    search_help_text = f"Finds the entries of the people this search finds. {PEOPLE_SEARCH_HELP}"
    list_select_related = ("person",)
    raw_id_fields = ("person", "sync_run", "flow_run", "actor")
    show_full_result_count = False
    paginator = CappedPaginator  # tens of millions of rows: never COUNT them all
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("person", "occurred_at", "type", "outcome", "primary_attribute")}),
        ("Details", {"fields": ("details", "source", "sync_run", "flow_run", "actor")}),
        ("Raw attributes", {"fields": ("attributes",), "classes": ("collapse",)}),
    )
    readonly_fields = ("details",)

    @admin.display(description="time", ordering="occurred_at")
    def when(self, obj: ActivityLog) -> SafeString:
        return short_datetime(obj.occurred_at)

    @admin.display(description="person", ordering="person__email")
    def person_link(self, obj: ActivityLog) -> SafeString | str:
        return admin_link(obj.person)

    @admin.display(description="outcome", ordering="outcome")
    def outcome_badge(self, obj: ActivityLog) -> SafeString:
        return outcome_badge(obj)

    @admin.display(description="details")
    def details(self, obj: ActivityLog) -> SafeString:
        return activity_details(obj.attributes, primary=obj.primary_attribute)

    def changelist_view(self, request, extra_context=None):
        # Opened from a person's page: say whose log this is rather than the generic title.
        extra_context = {"title": "Activity log", **(extra_context or {})}
        person_id = request.GET.get("person__id__exact", "")
        # isdigit() alone accepts "²", which int() refuses; an id too large for the column matches nobody.
        if person_id.isascii() and person_id.isdigit() and len(person_id) < 19:
            person = Person.objects.filter(pk=int(person_id)).first()
            if person is not None:
                extra_context["title"] = f"Activity log of {person}"
        return super().changelist_view(request, extra_context)


@admin.register(SalesforceActivity)
class SalesforceActivityAdmin(ReadOnlyAdminMixin, KeySearchMixin, admin.ModelAdmin):
    notice = "Tasks and events flow from Salesforce to the app only: edit them in Salesforce."
    list_display = ("__str__", "kind", "status", "activity_date", "person_link", "owner_link", "modified")
    modified = modified_column
    list_filter = ("kind", picklist_filter("status", "Status", ("Task", "Event"), "status"), "sf_deleted")
    # Millions of tasks: the subject is searched by prefix from its key's index, and counted to the cap.
    key_search = KeySearch(
        keys=("search_subject",), phrase_keys=("search_subject",), id_fields=("sf_id", "who_sf_id")
    )
    search_help_text = (
        "Finds tasks and events whose subject starts with the search, accents and case aside. A Salesforce "
        "id (15 or 18 characters) of a task or event, or of its lead or contact, finds exactly those."
    )
    list_select_related = ("person", "owner")
    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 50
    readonly_fields = ("person_link", "owner_link")
    fieldsets = (
        (None, {"fields": ("kind", "subject", "status", "activity_date", "person_link", "owner_link")}),
        (
            "Salesforce",
            {"fields": ("sf_id", "who_sf_id", "what_sf_id", "sf_created_at", "sf_modstamp", "sf_deleted")},
        ),
    )

    @admin.display(description="person")
    def person_link(self, obj: SalesforceActivity) -> SafeString | str:
        return admin_link(obj.person) if obj.person_id else EMPTY

    @admin.display(description="assigned to", ordering="owner__name")
    def owner_link(self, obj: SalesforceActivity) -> SafeString | str:
        return lookup_link(obj, "owner")
