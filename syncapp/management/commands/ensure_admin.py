"""`manage.py ensure_admin`: the roles, the settings row, and one login of each kind, printed once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from syncapp.models import SyncSettings
from syncapp.roles import MARKETERS, SYNC_ADMINISTRATORS, apply_roles


@dataclass(frozen=True)
class Login:
    kind: str
    username: str
    group: str = ""  # none for the superuser, who holds every permission


class Command(BaseCommand):
    help = (
        "Bring the Marketers and Sync administrators groups up to date, then create one login of each kind "
        "(superuser, sync administrator, marketer) with a random password if none exists, and print it once."
    )
    # A setup step of `make run`, run before the demo org exists: the Salesforce checks would only warn
    # that it is not configured yet. `manage.py check` and the web server still run every check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin", help="the superuser's name")
        parser.add_argument("--sync-admin-username", default="syncadmin")
        parser.add_argument("--marketer-username", default="marketer")

    def handle(self, *args, username: str, sync_admin_username: str, marketer_username: str, **options):
        with transaction.atomic():
            apply_roles()
            SyncSettings.ensure()
        logins = (
            Login("Superuser", username),
            Login("Sync administrator", sync_admin_username, SYNC_ADMINISTRATORS),
            Login("Marketer", marketer_username, MARKETERS),
        )
        for login in logins:
            self.ensure_login(login)

    def ensure_login(self, login: Login) -> None:
        users = get_user_model().objects
        kind = users.filter(is_superuser=True) if not login.group else users.filter(groups__name=login.group)
        existing = kind.order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"{login.kind} login: {existing.get_username()} already exists (reset its password with "
                f"`.venv/bin/python manage.py changepassword {existing.get_username()}`)."
            )
            return
        if users.filter(username=login.username).exists():
            self.stderr.write(
                f"{login.kind} login not created: a user named {login.username!r} exists without that role. "
                "Add it to the group in the admin, or pass another name."
            )
            return
        # Printed here, to this terminal, once: the password is never logged or stored in clear anywhere.
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            if login.group:
                user = users.create_user(username=login.username, email="", password=password, is_staff=True)
                user.groups.add(Group.objects.get(name=login.group))
            else:
                users.create_superuser(username=login.username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(f"{login.kind} login (shown once): {login.username} / {password}")
        )
