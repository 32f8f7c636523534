"""The admin's model list grouped as a marketer thinks, with the sync's technical tables set aside."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

# Each group: (label, css key, ((app_label, model_name), …) in reading order). A model not named here lands
# in "Advanced", so a newly registered table never clutters the marketer's groups by accident.
GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "People",
        "people",
        (
            ("syncapp", "lead"),
            ("syncapp", "contact"),
            ("syncapp", "person"),
            ("syncapp", "activitylog"),
        ),
    ),
    (
        "Salesforce data",
        "salesforce",
        (
            ("syncapp", "account"),
            ("syncapp", "opportunity"),
            ("syncapp", "opportunitycontactrole"),
            ("syncapp", "campaign"),
            ("syncapp", "campaignmember"),
            ("syncapp", "campaignmemberstatus"),
            ("syncapp", "salesforceuser"),
            ("syncapp", "salesforceactivity"),
            ("syncapp", "customobjectrecord"),
        ),
    ),
    (
        "Sync",
        "sync",
        (
            ("syncapp", "syncrun"),
            ("syncapp", "syncerror"),
            ("syncapp", "outboundchange"),
            ("syncapp", "flowrun"),
        ),
    ),
    (
        "Settings",
        "settings",
        (
            ("syncapp", "syncsettings"),
            ("syncapp", "fieldsetting"),
            ("syncapp", "customobjecttype"),
        ),
    ),
    ("Users and access", "access", (("auth", "user"), ("auth", "group"))),
)
ADVANCED = ("Advanced", "advanced")
# The Advanced group (cursors, steps, indexes set aside, django-q2's queue) is for sync administrators.
ADVANCED_PERMISSION = "syncapp.change_syncsettings"

# Names that read better than the verbose_name_plural the models carry.
LABELS = {
    ("syncapp", "person"): "All people",
    ("syncapp", "activitylog"): "Activity log",
    ("syncapp", "salesforceactivity"): "Tasks and events",
    ("syncapp", "customobjectrecord"): "Custom objects",
    ("syncapp", "outboundchange"): "Outbox (local changes)",
    ("syncapp", "syncrun"): "Sync runs",
    ("syncapp", "syncerror"): "Sync errors",
    ("syncapp", "synccursor"): "Sync cursors",
    ("syncapp", "syncstep"): "Sync steps",
}


def grouped_app_list(request: HttpRequest, app_dict: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Django's per-app dictionaries regrouped; each group has the keys the admin's templates read."""
    models: dict[tuple[str, str], dict[str, Any]] = {}
    for app_label, app in app_dict.items():
        for model in app["models"]:
            key = (app_label, model["object_name"].lower())
            if key in LABELS:
                model = {**model, "name": LABELS[key]}
            models[key] = model
    groups = []
    for label, css, keys in GROUPS:
        members = [models.pop(key) for key in keys if key in models]
        if members:
            groups.append(_group(label, css, members))
    if models and request.user.has_perm(ADVANCED_PERMISSION):
        leftover = sorted(models.values(), key=lambda m: str(m["name"]).lower())
        groups.append(_group(*ADVANCED, leftover))
    return groups


def _group(label: str, css: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    first_url = next((m["admin_url"] for m in members if m["admin_url"]), "")
    return {
        "name": label,
        "app_label": css,
        # The heading opens the group's first list: there is no page for a group of its own.
        "app_url": first_url,
        "has_module_perms": True,
        "models": members,
    }
