"""Flow actions in the admin: a "Salesforce actions" menu on a person's page, the same actions on the lists.

Every button is a POST with CSRF that opens the action's options page (a GET shows the same page and changes
nothing); running it needs the action's own permission (`syncapp.run_<key>`), checked here because
`admin_view` only checks `is_staff`. The person page shows the person's recent flow runs and polls a small
fragment while one is queued or running, so the outcome appears without a manual reload.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from syncapp import services
from syncapp.admin.person_page import activity_panel
from syncapp.models import FlowRun, Person

RECENT_RUNS = 5
MAX_BULK = 5000  # people per bulk request: beyond this, filter the list further (or use `manage.py flow`)


def allowed_actions(request: HttpRequest) -> list:
    return [a for a in services.flow_actions().values() if request.user.has_perm(a.permission)]


def flow_runs_context(person: Person, url_name: str = "admin:syncapp_person_flow_runs") -> dict[str, Any]:
    runs = list(FlowRun.objects.filter(person=person).select_related("requested_by")[:RECENT_RUNS])
    labels = {key: action.label for key, action in services.flow_actions().items()}
    for run in runs:
        run.label = labels.get(run.action, run.action)
    return {
        "flow_runs": runs,
        "flow_runs_active": any(run.is_active for run in runs),
        "flow_runs_url": reverse(url_name, args=[person.pk]),
    }


class FlowActionsMixin:
    """Mixed into the people admins (all people, leads, contacts)."""

    change_form_template = "admin/syncapp/flows/person_change_form.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/flow/<str:key>/", wrap(self.flow_view), name=f"{prefix}_flow"),
            path("<path:object_id>/flow-runs/", wrap(self.flow_runs_view), name=f"{prefix}_flow_runs"),
            *super().get_urls(),
        ]

    def _url_name(self, suffix: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    # --- one person -----------------------------------------------------------------------------------------
    def _person(self, request: HttpRequest, object_id: str) -> Person:
        if not object_id.isdigit():
            raise Http404("No such person.")
        person = get_object_or_404(Person, pk=object_id)
        if not self.has_view_permission(request, person):
            raise PermissionDenied
        return person

    def flow_view(self, request: HttpRequest, object_id: str, key: str) -> HttpResponse:
        person = self._person(request, object_id)
        action = services.flow_actions().get(key)
        if action is None:
            raise Http404("No such flow action.")
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[person.pk])
        run_it = request.method == "POST" and "_run" in request.POST
        form = action.form(data=request.POST if run_it else None)
        if run_it and form.is_valid():
            runs = services.flow_run_request(
                action=key, persons=[person], options=form.options(), actor=request.user
            )
            if runs:
                text, level = (
                    f"{action.label} is running for {person}: the outcome appears below.",
                    messages.SUCCESS,
                )
            else:
                text, level = f"{action.label} is already queued or running for {person}.", messages.WARNING
            self.message_user(request, text, level)
            return HttpResponseRedirect(back)
        return self._options_page(request, action, form, [person], back, post_url=request.path)

    def flow_runs_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        person = self._person(request, object_id)
        context = {**flow_runs_context(person, self._url_name("flow_runs")), "panel": activity_panel(person)}
        return TemplateResponse(request, "admin/syncapp/flows/flow_runs_fragment.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(flow_runs_context(obj, self._url_name("flow_runs")))
            context["flow_actions"] = allowed_actions(request)
            context["flow_url_name"] = self._url_name("flow")
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- many people: list actions --------------------------------------------------------------------------
    def get_actions(self, request: HttpRequest) -> dict:
        if self.actions is None or "_popup" in request.GET:
            return {}
        actions = {}
        for action in allowed_actions(request):
            name = f"flow_{action.key}"
            actions[name] = (_bulk(action.key), name, f"{action.label}…")
        return actions

    def response_action(self, request: HttpRequest, queryset: QuerySet):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(pk.isdigit() for pk in selected):
            # Django would filter on the forged values and answer a 500.
            self.message_user(request, "The selection was not a list of people.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def _options_page(self, request, action, form, people, back, *, post_url, selected=None) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.label}",
            "action": action,
            "form": form,
            "people": people[:20],
            "more_people": max(0, len(people) - 20) if selected is None else max(0, len(selected) - 20),
            "count": len(selected) if selected is not None else len(people),
            "selected": selected,
            "post_url": post_url,
            "back_url": back,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "bulk_action_name": f"flow_{action.key}",
        }
        return TemplateResponse(request, "admin/syncapp/flows/options.html", context)


def _bulk(key: str):
    def run_for_selected(modeladmin: FlowActionsMixin, request: HttpRequest, queryset: QuerySet):
        action = services.flow_action(key)
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True)[: MAX_BULK + 1])
        if len(ids) > MAX_BULK:
            modeladmin.message_user(
                request,
                f"{action.label} runs for at most {MAX_BULK:,} people at a time: narrow the list first.",
                messages.ERROR,
            )
            return None
        run_it = "_run" in request.POST
        form = action.form(data=request.POST if run_it else None)
        if run_it and form.is_valid():
            people = list(Person.objects.filter(pk__in=ids))
            runs = services.flow_run_request(
                action=key, persons=people, options=form.options(), actor=request.user
            )
            busy = len(people) - len(runs)
            text = f"{action.label} is running for {len(runs)} people; each person's page shows the outcome."
            if busy:
                text += f" {busy} already had it queued or running and were left alone."
            modeladmin.message_user(request, text, messages.SUCCESS)
            return None
        people = list(Person.objects.filter(pk__in=ids[:20]))
        back = request.get_full_path()
        return modeladmin._options_page(request, action, form, people, back, post_url=back, selected=ids)

    run_for_selected.__name__ = f"flow_{key}"
    return run_for_selected
