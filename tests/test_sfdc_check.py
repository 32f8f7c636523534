"""`manage.py sfdc_check` says in one line whether Salesforce is reachable, and what to fix when not."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command


def test_sfdc_check_names_the_missing_settings_when_salesforce_is_not_configured(settings):
    settings.SALESFORCE_CLIENT_ID = ""
    settings.SALESFORCE_CLIENT_SECRET = ""

    with pytest.raises(CommandError, match=r"set SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET in \.env"):
        call_command("sfdc_check")


def test_sfdc_check_says_salesforce_is_unreachable_and_what_to_check(settings, closed_port):
    settings.SALESFORCE_LOGIN_URL = f"https://127.0.0.1:{closed_port}"
    settings.SALESFORCE_CLIENT_ID = "id"
    settings.SALESFORCE_CLIENT_SECRET = "secret"

    with pytest.raises(
        CommandError, match=r"Cannot reach Salesforce at https://127\.0\.0\.1:.*SALESFORCE_LOGIN_URL"
    ):
        call_command("sfdc_check")


def test_sfdc_check_reports_an_unknown_auth_flow(settings):
    settings.SALESFORCE_AUTH_FLOW = "magic"

    with pytest.raises(CommandError, match="client_credentials, password or jwt"):
        call_command("sfdc_check")


def test_sfdc_check_logs_in_to_the_emulator_and_reports_api_usage(emulator, capsys):
    call_command("sfdc_check")

    out = capsys.readouterr().out
    assert "Salesforce is reachable: logged in as sync@emulator.local" in out
    assert "daily API calls used" in out


def test_sfdc_check_names_the_settings_to_fix_when_the_client_secret_is_wrong(emulator, settings):
    settings.SALESFORCE_CLIENT_SECRET = "wrong"

    with pytest.raises(CommandError, match="check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET"):
        call_command("sfdc_check")


def test_the_password_flow_logs_in_with_the_security_token(emulator, settings):
    settings.SALESFORCE_AUTH_FLOW = "password"

    call_command("sfdc_check")


def test_the_jwt_bearer_flow_logs_in_with_the_connected_apps_key(emulator, settings):
    settings.SALESFORCE_AUTH_FLOW = "jwt"
    settings.SALESFORCE_PRIVATE_KEY_FILE = emulator.jwt_key_file

    call_command("sfdc_check")


def test_sfdc_check_never_sends_the_client_secret_over_plain_http_to_another_host(settings):
    # Were the login attempted, it would fail with "Cannot reach Salesforce": .invalid never resolves.
    settings.SALESFORCE_LOGIN_URL = "http://sf.invalid:8443"
    settings.SALESFORCE_CLIENT_ID = "id"
    settings.SALESFORCE_CLIENT_SECRET = "secret"

    with pytest.raises(
        CommandError, match=r"uses plain http to sf\.invalid: the client secret would be sent"
    ):
        call_command("sfdc_check")
