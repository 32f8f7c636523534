"""List filters that stay cheap on tables of millions of rows."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet

from syncapp.models import FieldSetting, OutboundChange

# The outbox names a person's row by the sObject it is pushed as.
PERSON_SOBJECTS = ("Lead", "Contact")


def pending_outbound(sobjects: tuple[str, ...]) -> Exists:
    """True when a local edit of the row waits in the outbox; one correlated EXISTS on the outbox index."""
    return Exists(
        OutboundChange.objects.filter(
            state=OutboundChange.State.PENDING, sobject__in=sobjects, local_id=OuterRef("pk")
        )
    )


def picklist_filter(field: str, api_name: str, sobjects: tuple[str, ...], title: str) -> type:
    """A filter whose choices are the picklist Salesforce describes for the field.

    AllValuesFieldListFilter would run SELECT DISTINCT over the whole table on every page load; the describe
    (kept in FieldSetting by the schema step) already lists the values. Before the first schema step we fall
    back to the distinct values, which is cheap then because the mirror is still small.
    """

    class PicklistFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin) -> list[tuple[str, str]]:
            choices: dict[str, str] = {}
            settings = FieldSetting.objects.filter(sobject__in=sobjects, api_name=api_name)
            for setting in settings:
                for value, label in setting.picklist():
                    choices.setdefault(value, label)
            if not choices:
                stored = (
                    model_admin.get_queryset(request)
                    .exclude(**{field: ""})
                    .order_by(field)
                    .values_list(field, flat=True)
                    .distinct()[:50]
                )
                choices = {value: value for value in stored}
            return list(choices.items())

        def queryset(self, request, queryset: QuerySet) -> QuerySet:
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    PicklistFilter.title = title
    PicklistFilter.__name__ = f"{field.title().replace('_', '')}PicklistFilter"
    return PicklistFilter


class SyncStatusFilter(admin.SimpleListFilter):
    """In sync, waiting to be pushed, or rejected by Salesforce on the last push."""

    title = "sync status"
    parameter_name = "sync"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("error", "Rejected by Salesforce"), ("pending", "Pending sync"), ("ok", "In sync")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        pending = pending_outbound(PERSON_SOBJECTS)
        if self.value() == "error":
            return queryset.exclude(sync_error="")
        if self.value() == "pending":
            return queryset.filter(pending)
        if self.value() == "ok":
            return queryset.filter(sync_error="").exclude(pending)
        return queryset
