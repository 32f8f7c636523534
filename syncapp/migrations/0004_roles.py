"""The Marketers and Sync administrators groups, with the permissions of `syncapp.roles`."""

from __future__ import annotations

from django.db import migrations


def create_roles(apps, schema_editor) -> None:
    from syncapp.roles import apply_roles

    apply_roles(apps)


def remove_roles(apps, schema_editor) -> None:
    from syncapp.roles import MARKETERS, SYNC_ADMINISTRATORS

    apps.get_model("auth", "Group").objects.filter(name__in=[MARKETERS, SYNC_ADMINISTRATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0003_leaner_mirror_writes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
