"""An outage of Salesforce's login endpoint is retried, then named as an outage, not a settings mistake."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from syncapp import services
from syncapp.models import SyncError, SyncRun
from syncapp.salesforce import auth
from syncapp.salesforce.auth import LOGIN_ATTEMPTS
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import ConfigurationError, TransientError, UnavailableError

TOKEN_PATH = "^/services/oauth2/token$"


@pytest.fixture
def backoff(monkeypatch) -> list[float]:
    """The waits between login attempts, recorded instead of slept: the test asserts them, at no cost."""
    waits: list[float] = []
    monkeypatch.setattr(auth._post_token.retry, "sleep", waits.append)
    return waits


def token_requests(emulator) -> list[int]:
    return [r["status"] for r in emulator.request_log() if r["path"] == "/services/oauth2/token"]


@pytest.mark.parametrize("kind", ["server_unavailable", "bad_gateway"])
def test_a_brief_login_outage_is_retried_with_backoff_and_the_login_succeeds(emulator, backoff, kind):
    emulator.inject_fault(kind, count=LOGIN_ATTEMPTS - 1, path=TOKEN_PATH)

    client = connect()

    assert client.token.access_token
    assert backoff == [0.5, 1.0, 2.0]
    assert token_requests(emulator)[-LOGIN_ATTEMPTS:] == [503 if kind == "server_unavailable" else 502] * (
        LOGIN_ATTEMPTS - 1
    ) + [200]


def test_a_lasting_login_outage_is_a_transient_error_that_says_salesforce_was_unavailable(emulator, backoff):
    emulator.inject_fault("server_unavailable", count=LOGIN_ATTEMPTS, path=TOKEN_PATH)

    with pytest.raises(UnavailableError) as info:
        connect()

    assert isinstance(info.value, TransientError)
    assert not isinstance(info.value, ConfigurationError)
    assert info.value.message.startswith("Salesforce was unavailable: its login at https://127.0.0.1:")
    assert "HTTP 503" in info.value.message
    assert "SALESFORCE_LOGIN_URL" not in info.value.message
    assert token_requests(emulator)[-LOGIN_ATTEMPTS:] == [503] * LOGIN_ATTEMPTS


def test_a_sync_cycle_during_a_login_outage_fails_saying_salesforce_was_unavailable(db, emulator, backoff):
    emulator.inject_fault("bad_gateway", count=LOGIN_ATTEMPTS, path=TOKEN_PATH)

    run = services.sync_cycle_run(trigger="manual").run

    assert run.status == SyncRun.Status.FAILED
    assert run.message.startswith("Salesforce was unavailable")
    assert "HTTP 502" in run.message
    assert "check SALESFORCE_LOGIN_URL" not in run.message
    assert SyncError.objects.get(run=run).code == "SERVER_UNAVAILABLE"


def test_sfdc_check_names_the_outage(emulator, backoff):
    emulator.inject_fault("server_unavailable", count=LOGIN_ATTEMPTS, path=TOKEN_PATH)

    with pytest.raises(CommandError, match="Salesforce was unavailable"):
        call_command("sfdc_check")


def test_a_login_url_that_is_not_salesforce_still_says_to_check_it(emulator, settings):
    settings.SALESFORCE_LOGIN_URL = emulator.env["SALESFORCE_LOGIN_URL"] + "/not-salesforce"

    with pytest.raises(
        ConfigurationError, match="answered HTTP 404 without a token: check SALESFORCE_LOGIN_URL"
    ):
        connect()
