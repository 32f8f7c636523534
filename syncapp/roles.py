"""The two roles (Marketers, Sync administrators) as one permission matrix, applied to auth groups.

The data migration `0004_roles` and `manage.py ensure_admin` both call `apply_roles`, so a new model or a
new flow permission reaches the groups at the next `ensure_admin` (which `make run` calls) without a
second list to keep in step. Superusers need no group: they hold every permission.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

MARKETERS = "Marketers"
SYNC_ADMINISTRATORS = "Sync administrators"

# What a marketer edits (the edits reach Salesforce through the outbox).
MARKETER_CHANGES = ("person", "lead", "contact", "campaign", "campaignmember")
# Flow actions are authorised by the custom permissions declared on these models' Meta.permissions,
# whatever they are: a flow added later is picked up without touching this module.
FLOW_PERMISSION_MODELS = ("flowrun", "person")
# What only a sync administrator changes: the sync's switch, pause and policies (and so starting or
# stopping it and running a cycle now), which fields sync, which custom objects sync.
SYNC_ADMIN_CHANGES = ("syncsettings", "fieldsetting", "customobjecttype")
# Technical tables outside syncapp that a sync administrator may look at (never change).
TECHNICAL_APPS = ("django_q", "axes")

Codename = tuple[str, str]  # (app_label, codename)


def _default_codenames(model) -> set[str]:
    name = model._meta.model_name
    return {f"{action}_{name}" for action in model._meta.default_permissions}


def role_permissions(apps: Apps = global_apps) -> dict[str, set[Codename]]:
    """The matrix: each group's permissions as (app_label, codename) pairs, read from the models."""
    syncapp = apps.get_app_config("syncapp")
    views = {("syncapp", f"view_{model._meta.model_name}") for model in syncapp.get_models()}
    flows = {
        ("syncapp", codename)
        for model in syncapp.get_models()
        if model._meta.model_name in FLOW_PERMISSION_MODELS
        for codename, _ in model._meta.permissions
        if codename not in _default_codenames(model)
    }
    marketer = views | flows | {("syncapp", f"change_{name}") for name in MARKETER_CHANGES}
    technical = {
        (label, f"view_{model._meta.model_name}")
        for label in TECHNICAL_APPS
        if label in {config.label for config in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models()
    }
    sync_admin = marketer | technical | {("syncapp", f"change_{name}") for name in SYNC_ADMIN_CHANGES}
    return {MARKETERS: marketer, SYNC_ADMINISTRATORS: sync_admin}


def apply_roles(apps: Apps = global_apps) -> dict[str, int]:
    """Create both groups if needed and set their permissions to exactly the matrix; returns the counts.

    Exactly, not "at least": a permission removed from the matrix is removed from the group too, so the
    matrix above stays the one place that says what a role may do.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    # In a migration, permissions are only created after every migration ran (post_migrate): make them now.
    # A migration's app configs are stubs without a models module, which create_permissions would skip.
    for config in apps.get_app_configs():
        models_module = getattr(config, "models_module", None)
        config.models_module = models_module or True
        try:
            create_permissions(config, verbosity=0, apps=apps)
        finally:
            config.models_module = models_module
    matrix = role_permissions(apps)
    wanted_labels = {label for pairs in matrix.values() for label, _ in pairs}
    available = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in permission_model.objects.filter(content_type__app_label__in=wanted_labels).select_related(
            "content_type"
        )
    }
    counts = {}
    for name, pairs in matrix.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set([available[pair] for pair in sorted(pairs) if pair in available])
        counts[name] = group.permissions.count()
    return counts
