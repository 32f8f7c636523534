"""What every list of ours saves per row: the rows' unused columns, and the action checkbox's template.

A list of fifty people spent most of its time rendering, not querying (the queries took about a
millisecond). Three costs per row are Django's and avoidable: each row's checkbox is rendered through the
form renderer's templates (a template render per row), each row's link is resolved by `reverse` anew, and
each row and its joined owner and account are loaded whole, the `sf_fields` JSON of every other
Salesforce field included, for columns that show a handful of them.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from syncapp.admin.display import change_url_of
from syncapp.admin.lists import CheckedChangeList
from syncapp.models.search import SearchKeyField


def unshown_columns(model: type[models.Model], prefix: str = "") -> list[str]:
    """A mirrored record's columns no list shows: the JSON of its other fields and its search keys."""
    return [
        f"{prefix}{f.name}"
        for f in model._meta.concrete_fields
        if f.name == "sf_fields" or isinstance(f, SearchKeyField)
    ]


class LeanChangeList(CheckedChangeList):
    """Loads the listed rows (and the rows `list_select_related` joins) without their unshown columns."""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        deferred = unshown_columns(self.model)
        related = self.list_select_related
        for name in related if isinstance(related, list | tuple) else ():
            target = self.model._meta.get_field(name).related_model
            deferred += unshown_columns(target, f"{name}__")
        # A column a list does show stays loaded (deferred, it would cost a query per row).
        shown = set(self.list_display)
        return queryset.defer(*(name for name in deferred if name not in shown)) if deferred else queryset

    def url_for_result(self, result: models.Model) -> str:
        return change_url_of(self.opts.label_lower, result.pk, self.model_admin.admin_site.name) or ""


class ListRowsMixin:
    """Mixed into every admin of ours (through NoticeMixin)."""

    # Django's "Show counts" link counts every filter choice over the whole table: at a million people that
    # is a scan per choice, and the load test's clicks on it waited past 300 s while a first load ran.
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request: HttpRequest, **kwargs):
        return LeanChangeList

    def action_checkbox(self, obj: models.Model) -> SafeString:
        # The tag Django's CheckboxInput renders, written once instead of through two templates per row.
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
