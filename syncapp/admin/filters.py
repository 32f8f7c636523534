"""List filters that stay cheap on tables of millions of rows."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet

from syncapp.models import FieldSetting


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


class ErrorStateFilter(admin.SimpleListFilter):
    """Open errors by default (what still needs a look); resolved ones, or all, one click away."""

    title = "state"
    parameter_name = "state"
    DEFAULT = "open"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def value(self) -> str:
        value = super().value()
        return value if value in ("open", "resolved", "all") else self.DEFAULT

    def choices(self, changelist):
        # No "All" link of Django's own: it would drop the parameter, which means the default (open).
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset
