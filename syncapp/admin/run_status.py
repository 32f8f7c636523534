"""A run or step that finished but failed some records reads "Succeeded with errors", never a plain success.

A derived display state rather than a stored status: the counts already say it (a step's `failed`), every
past run reads right without a data migration, and the engine keeps one notion of "finished".
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString

from syncapp.admin.display import status_badge
from syncapp.models import SyncRun, SyncStep

WITH_ERRORS = "succeeded_with_errors"
WITH_ERRORS_LABEL = "Succeeded with errors"


def failed_items() -> Exists:
    """True when a step of the run failed some records; one EXISTS on the steps' run index."""
    return Exists(SyncStep.objects.filter(run=OuterRef("pk"), failed__gt=0))


def with_errors_badge(title: str) -> SafeString:
    return format_html(
        '<span class="sync-badge sync-badge--warning" title="{}">{}</span>', title, WITH_ERRORS_LABEL
    )


def run_badge(run: SyncRun) -> SafeString:
    # Annotated by the run list's queryset; a run loaded on its own page asks once.
    has_failed = getattr(run, "has_failed_items", None)
    if has_failed is None:
        has_failed = run.steps.filter(failed__gt=0).exists()
    if run.status == SyncRun.Status.SUCCEEDED and has_failed:
        return with_errors_badge("Some records failed: see the steps and errors of this run.")
    return status_badge(run)


def step_badge(step: SyncStep) -> SafeString:
    if step.status == SyncStep.Status.SUCCEEDED and step.failed:
        return with_errors_badge(f"{step.failed:,} records failed.")
    return status_badge(step)


class OutcomeFilter(admin.SimpleListFilter):
    """The status filter, with "Succeeded with errors" told apart from a clean success."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        choices = list(SyncRun.Status.choices)
        index = choices.index((SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED.label)) + 1
        choices.insert(index, (WITH_ERRORS, WITH_ERRORS_LABEL))
        return choices

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value not in {WITH_ERRORS, *SyncRun.Status.values}:
            return queryset.none()
        succeeded = SyncRun.Status.SUCCEEDED
        failed = failed_items() if queryset.model is SyncRun else Q(failed__gt=0)
        if value == WITH_ERRORS:
            return queryset.filter(failed, status=succeeded)
        if value == succeeded:
            return queryset.filter(status=succeeded).exclude(failed)
        return queryset.filter(status=value)
