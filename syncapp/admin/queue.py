"""django-q2's tables in our admin, replacing its own ModelAdmins, which trust anyone who may look.

As shipped, a user with only the *view* permission could re-queue tasks and delete failure records (the
"resubmit" action asks for no permission), and a schedule's function could be any dotted path (`os.system`)
run by the worker. Here: looking needs the view permission (sync administrators hold it); re-queueing needs
the change permission, and deleting a failure the delete permission too; schedules and the raw queue are
changed by superusers only, and a schedule can only call one of our tasks.
"""

from __future__ import annotations

from importlib import import_module

import django_q.admin as q_admin  # registers django-q2's admins first, so that we can replace them
from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django_q.conf import Conf
from django_q.models import Failure, OrmQ, Schedule, Success

TASKS_MODULE = "syncapp.tasks"

for _model in (Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.action(description="Run the selected tasks again", permissions=["change"])
def resubmit_task(model_admin, request, queryset) -> None:
    q_admin.resubmit_task(model_admin, request, queryset)


# Django grants an action when *any* of its permissions is held: "rerun" asks for change and delete at once.
@admin.action(
    description="Run the selected tasks again (and remove their failure records)", permissions=["rerun"]
)
def resubmit_failed_task(model_admin, request, queryset) -> None:
    # django-q2's action deletes each failure it re-queues when the admin is (a subclass of) its FailAdmin.
    q_admin.resubmit_task(model_admin, request, queryset)


class SuperuserChangesMixin:
    """Anyone with the view permission may look; only a superuser adds, changes or deletes."""

    show_facets = admin.ShowFacets.NEVER  # as on every list of ours (`list_rows.py`)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Success)
class SuccessAdmin(q_admin.TaskAdmin):
    actions = [resubmit_task]
    show_facets = admin.ShowFacets.NEVER  # a busy queue keeps many results: no count per filter choice


@admin.register(Failure)
class FailureAdmin(q_admin.FailAdmin):
    actions = [resubmit_failed_task]
    show_facets = admin.ShowFacets.NEVER

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)


def _task_path_error(path: str) -> str:
    """Why `path` may not be scheduled ("" when it may): only a public function of syncapp.tasks."""
    module, _, name = path.rpartition(".")
    public = module == TASKS_MODULE and name and not name.startswith("_")
    if public and callable(getattr(import_module(TASKS_MODULE), name, None)):
        return ""
    return f"Choose one of the sync's tasks ({TASKS_MODULE}.<name>); {path!r} is not one."


class ScheduleForm(forms.ModelForm):
    """The admin builds the form's fields from the Schedule model; this adds the checks on what runs."""

    def clean_func(self) -> str:
        func = self.cleaned_data["func"].strip()
        if error := _task_path_error(func):
            raise forms.ValidationError(error)
        return func

    def clean_hook(self) -> str | None:
        hook = (self.cleaned_data.get("hook") or "").strip()
        if hook and (error := _task_path_error(hook)):
            raise forms.ValidationError(error)
        return hook or None


@admin.register(Schedule)
class ScheduleAdmin(SuperuserChangesMixin, q_admin.ScheduleAdmin):
    form = ScheduleForm


if Conf.ORM or Conf.TESTING:

    @admin.register(OrmQ)
    class QueueAdmin(SuperuserChangesMixin, q_admin.QueueAdmin):
        pass
