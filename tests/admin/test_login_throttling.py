"""Login throttling: ten wrong passwords lock a username out from that address until cool-off or reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.client_ip import client_ip

LOGIN = reverse("admin:login")
PASSWORD = "right-password-42"


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", password=PASSWORD, is_staff=True)


def log_in(client, password: str, username: str = "ada", **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def fail_until_locked(client, settings, **extra) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert log_in(client, "wrong", **extra).status_code in (200, 429)


def test_after_ten_wrong_passwords_the_right_one_is_refused_with_the_reason(client, ada, settings):
    fail_until_locked(client, settings)

    response = log_in(client, PASSWORD)

    assert settings.AXES_FAILURE_LIMIT == 10
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "blocked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_wrong_passwords_than_the_limit_do_not_lock_anyone_out(client, ada, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")

    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert response.url == "/admin/"


def test_a_lockout_holds_one_username_from_one_address_only(client, ada, django_user_model, settings):
    django_user_model.objects.create_user("grace", password=PASSWORD, is_staff=True)
    fail_until_locked(client, settings)

    locked = log_in(client, PASSWORD)
    other_user = log_in(client, PASSWORD, username="grace")
    client.logout()
    other_address = log_in(client, PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert locked.status_code == 429
    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_the_lockout_lifts_fifteen_minutes_after_the_last_attempt(client, ada, settings):
    fail_until_locked(client, settings)
    start = timezone.now()

    with time_machine.travel(start + timedelta(minutes=14)):
        still_locked = log_in(client, PASSWORD)
    with time_machine.travel(start + timedelta(minutes=14 + 16)):
        response = log_in(client, PASSWORD)

    assert still_locked.status_code == 429
    assert response.status_code == 302


def test_a_superuser_unlocks_a_locked_out_user_in_the_admin(client, admin_client, ada, settings):
    fail_until_locked(client, settings)
    locked = log_in(client, PASSWORD)
    attempts = list(AccessAttempt.objects.filter(username="ada").values_list("pk", flat=True))

    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    response = log_in(client, PASSWORD)

    assert locked.status_code == 429
    assert attempts
    assert response.status_code == 302


def test_the_reset_command_unlocks_a_locked_out_user(client, ada, settings):
    fail_until_locked(client, settings)
    locked = log_in(client, PASSWORD)

    call_command("axes_reset_username", "ada", stdout=None)
    response = log_in(client, PASSWORD)

    assert locked.status_code == 429
    assert response.status_code == 302


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended():
    forwarded = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")

    assert client_ip(forwarded) == "203.0.113.7"
    assert client_ip(direct) == "198.51.100.4"
