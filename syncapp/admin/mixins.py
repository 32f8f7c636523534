"""Admin mixins: read-only for what Salesforce owns, edits through services, the settings singleton."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst

from syncapp import selectors
from syncapp.admin.display import sf_field_rows
from syncapp.admin.list_rows import ListRowsMixin
from syncapp.admin.lists import ListInputMixin


class NoticeMixin(ListRowsMixin, ListInputMixin):
    """Says at the top of the list and of each page why a record is (or is not) editable here.

    It also shows a mirrored record's Salesforce fields (its synced columns and the `sf_fields` JSON, read by
    API name) as a readable table under the form, instead of the raw JSON.
    """

    notice: str = ""

    def _with_notice(self, extra_context: dict[str, Any] | None) -> dict[str, Any]:
        return {"syncapp_notice": self.notice, **(extra_context or {})}

    def _list_context(self, extra_context: dict[str, Any] | None) -> dict[str, Any]:
        # "Sync errors", not Django's "Select sync error to view": a list is named after what it lists.
        return self._with_notice(
            {"title": capfirst(self.model._meta.verbose_name_plural), **(extra_context or {})}
        )

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list[str]:
        return [name for name in super().get_fields(request, obj) if name != "sf_fields"]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and hasattr(obj, "sf_fields"):
            unsent = selectors.unsent_changes_for(obj=obj)
            context["sf_field_rows"] = sf_field_rows(selectors.salesforce_fields_for(obj=obj), unsent)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, self._with_notice(extra_context))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, self._list_context(extra_context))


class ReadOnlyAdminMixin(NoticeMixin):
    """For what flows one way (Salesforce → app) and for the sync's own state.

    No add, no delete, no change: the page renders as "View …" for users with the view permission, and a POST
    to it is refused with 403 by Django itself. A model may name a few `editable_fields` that are local
    configuration (an object's `enabled` flag, a field's `sync_enabled`): then those, and only those, can be
    changed by users who hold the change permission.
    """

    editable_fields: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return bool(self.editable_fields) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> tuple[str, ...]:
        declared = tuple(super().get_readonly_fields(request, obj))
        model_fields = tuple(
            f.name for f in self.model._meta.get_fields() if f.concrete and f.name not in self.editable_fields
        )
        return declared + tuple(name for name in model_fields if name not in declared)

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


class ServiceSaveMixin(NoticeMixin):
    """Edits go through a service (the one door that also writes the outbox), never through `obj.save()`.

    `service` is a function of `syncapp.services`, set as `staticmethod(services.<name>)` so that grep finds
    its callers, taking `(*, <service_arg>, changes, actor)`.
    """

    service: Callable[..., models.Model]
    service_arg: str = ""
    editable_fields: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> tuple[str, ...]:
        declared = tuple(super().get_readonly_fields(request, obj))
        editable = set(self.editable_fields)
        if obj is not None:
            # Fields the Salesforce sync user cannot update are shown, not offered for editing.
            editable = selectors.fields_editable_for(obj=obj, candidates=self.editable_fields)
        model_fields = tuple(
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete and f.name not in editable and f.name not in declared
        )
        return declared + model_fields

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in self.editable_fields
        }
        if not changes:
            return
        # The form already wrote the new values onto `obj`; the service needs the row as it is stored, to
        # record each change's base value (what Salesforce last sent) in the outbox.
        concrete = self.model._meta.concrete_model
        stored = concrete._default_manager.get(pk=obj.pk)
        try:
            self.run_service(request, stored, changes)
        except ValueError as exc:
            # The service refuses a field Salesforce made read-only for the sync user (its transaction
            # rolls back): say so on the page instead of a 500 or a false "changed successfully".
            request.syncapp_save_error = str(exc)

    def run_service(
        self, request: HttpRequest, stored: models.Model, changes: dict[str, object]
    ) -> models.Model:
        actor = f"admin: {request.user.get_username()}"
        return self.service(
            **{self.service_arg: stored, "changes": changes, "actor": actor}, **self.service_extra(request)
        )

    def service_extra(self, request: HttpRequest) -> dict[str, object]:
        return {}

    def log_change(self, request: HttpRequest, obj: models.Model, message):
        if getattr(request, "syncapp_save_error", None):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: models.Model) -> HttpResponse:
        error = getattr(request, "syncapp_save_error", None)
        if error:
            self.message_user(request, f"Nothing was saved. {error}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class SingletonAdminMixin(NoticeMixin):
    """For SyncSettings: the list goes straight to the one row; it is edited, never added twice or deleted.

    On a fresh install the row does not exist yet: its page shows the defaults (the model's `load()`), and
    the first save by someone holding the change permission creates it. Looking at it never writes. The add
    view stays closed even then: it would give the row whatever id the database picks, not the singleton's.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            defaults = self.model.load()
            if defaults._state.adding and str(object_id) == str(defaults.pk):
                return defaults
        return obj

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.model.load()
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
