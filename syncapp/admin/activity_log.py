"""A person's whole activity log: newest first, paginated, filtered by type and outcome, exported as CSV."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from syncapp.admin.activity import (
    CODE_KEYS,
    FIELD_KEYS,
    MESSAGE_KEYS,
    NEW_KEYS,
    OLD_KEYS,
    SHOWN_KEYS,
    activity_details,
    outcome_badge,
)
from syncapp.admin.display import admin_link
from syncapp.admin.exports import CHUNK, csv_response
from syncapp.models import ActivityLog, Person

PER_PAGE = 50


class ActivityFilterForm(forms.Form):
    """The log's filters, from the querystring; a value that is not a choice is a form error, never a 500."""

    type = forms.ChoiceField(required=False, label="Activity type")
    outcome = forms.ChoiceField(
        required=False, label="Outcome", choices=[("", "Any outcome"), *ActivityLog.Outcome.choices]
    )

    def __init__(self, *args: Any, type_counts: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The types this person has first, each with its count; the others stay valid (an old bookmark
        # finds nothing rather than failing) and come last, at zero.
        present = sorted(type_counts.items(), key=lambda item: -item[1])
        labels = dict(ActivityLog.Type.choices)
        absent = [(value, label) for value, label in ActivityLog.Type.choices if value not in type_counts]
        self.fields["type"].choices = [
            ("", "All activity types"),
            *((value, f"{labels.get(value, value)} ({count:,})") for value, count in present),
            *((value, f"{label} (0)") for value, label in absent),
        ]

    def apply(self, queryset: QuerySet) -> QuerySet:
        if not self.is_valid():
            return queryset
        if self.cleaned_data["type"]:
            queryset = queryset.filter(type=self.cleaned_data["type"])
        if self.cleaned_data["outcome"]:
            queryset = queryset.filter(outcome=self.cleaned_data["outcome"])
        return queryset


class KnownCountPaginator(Paginator):
    """A paginator told its count: the type counts already summed it, so no second COUNT runs."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _person(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Person:
    person = model_admin.get_object(request, object_id)
    if person is None:
        raise Http404("No such person.")
    if not model_admin.has_view_or_change_permission(request, person):
        raise PermissionDenied
    return person


def _filtered(request: HttpRequest, person: Person) -> tuple[ActivityFilterForm, QuerySet, int]:
    entries = ActivityLog.objects.filter(person=person)
    type_counts = dict(
        entries.order_by().values_list("type").annotate(n=Count("id")).values_list("type", "n")
    )
    form = ActivityFilterForm(request.GET or None, type_counts=type_counts)
    queryset = form.apply(entries).order_by("-occurred_at", "-id")
    if not form.is_bound or not form.is_valid():
        total = sum(type_counts.values())
    elif form.cleaned_data["outcome"]:
        total = queryset.count()  # one indexed pass over this person's entries
    else:
        chosen = form.cleaned_data["type"]
        total = type_counts.get(chosen, 0) if chosen else sum(type_counts.values())
    return form, queryset, total


def activity_log_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    person = _person(model_admin, request, object_id)
    form, queryset, total = _filtered(request, person)
    paginator = KnownCountPaginator(
        queryset.select_related("sync_run", "flow_run", "actor"), PER_PAGE, count=total
    )
    page = paginator.get_page(request.GET.get("p"))
    rows = [
        {
            "entry": entry,
            "outcome": outcome_badge(entry),
            "details": activity_details(entry.attributes),
            "stands_out": entry.outcome == ActivityLog.Outcome.FAILED
            or entry.type == ActivityLog.Type.SALESFORCE_REJECTED,
            "cause": _cause(entry),
        }
        for entry in page.object_list
    ]
    query = request.GET.copy()
    query.pop("p", None)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Activity log of {person}",
        "subtitle": None,
        "opts": opts,
        "person": person,
        "person_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[person.pk]),
        "form": form,
        "rows": rows,
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "total": total,
        "query": query.urlencode(),
        "csv_url": reverse("admin:syncapp_person_activity_csv", args=[person.pk]),
    }
    return TemplateResponse(request, "admin/syncapp/person/activity_log.html", context)


def _cause(entry: ActivityLog) -> object:
    """What wrote the entry, linked when it is a run the admin shows."""
    if entry.flow_run_id:
        return admin_link(entry.flow_run)
    if entry.sync_run_id:
        return admin_link(entry.sync_run)
    if entry.actor_id:
        return entry.actor.get_username()
    return ""


def _first(attrs: dict, keys: tuple[str, ...]) -> object:
    return next((attrs[key] for key in keys if key in attrs), "")


CSV_HEADER = (
    "Time",
    "Activity type",
    "Outcome",
    "Primary attribute",
    "Field",
    "Old value",
    "New value",
    "Salesforce error code",
    "Message",
    "Other attributes",
    "Source",
)


def activity_log_csv(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str
) -> StreamingHttpResponse:
    """The person's log as the page filters it, every entry (not one page), streamed."""
    person = _person(model_admin, request, object_id)
    _, queryset, _ = _filtered(request, person)
    labels = dict(ActivityLog.Type.choices)
    outcomes = dict(ActivityLog.Outcome.choices)

    def rows():
        fields = ("occurred_at", "type", "outcome", "primary_attribute", "attributes", "source")
        for occurred_at, type_, outcome, primary, attrs, source in queryset.values_list(*fields).iterator(
            chunk_size=CHUNK
        ):
            attrs = attrs if isinstance(attrs, dict) else {}
            rest = "; ".join(
                f"{key}: {value}" for key, value in sorted(attrs.items()) if key not in SHOWN_KEYS
            )
            yield (
                occurred_at,
                labels.get(type_, type_),
                outcomes.get(outcome, outcome),
                primary,
                _first(attrs, FIELD_KEYS),
                _first(attrs, OLD_KEYS),
                _first(attrs, NEW_KEYS),
                _first(attrs, CODE_KEYS),
                _first(attrs, MESSAGE_KEYS),
                rest,
                source or attrs.get("source", ""),
            )

    name = (person.email or f"person-{person.pk}").replace('"', "")
    return csv_response(filename=f"activity-log-{name}.csv", header=CSV_HEADER, rows=rows())
