"""OAuth flows, identity endpoints and the Salesforce-shaped 401."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed, SalesforceExpiredSession  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session, login_session


def _token(emulator: RunningEmulator, **data: str) -> requests.Response:
    return https_session(emulator).post(f"{emulator.base_url}/services/oauth2/token", data=data, timeout=10)


def test_client_credentials_with_basic_auth_returns_a_token_and_the_instance_url(emulator):
    body = emulator.client_credentials_token()
    assert body["instance_url"] == emulator.base_url
    assert body["access_token"].startswith("00D")
    assert body["token_type"] == "Bearer"


def test_client_credentials_accepts_the_secret_in_the_body(emulator):
    response = _token(
        emulator,
        grant_type="client_credentials",
        client_id="emulator-client-id",
        client_secret="emulator-client-secret",
    )
    assert response.status_code == 200


def test_a_wrong_client_secret_is_rejected_with_an_oauth_error(emulator):
    response = _token(
        emulator, grant_type="client_credentials", client_id="emulator-client-id", client_secret="nope"
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}


def test_an_unknown_client_id_is_rejected(emulator):
    response = _token(emulator, grant_type="client_credentials", client_id="x", client_secret="y")
    assert response.json()["error"] == "invalid_client_id"


def test_simple_salesforce_password_flow_logs_in_as_the_sync_user(emulator):
    sf = Salesforce(
        username="sync@emulator.local",
        password="emulator",
        consumer_key="emulator-client-id",
        consumer_secret="emulator-client-secret",
        session=login_session(emulator),
    )
    me = sf.query(f"SELECT Username FROM User WHERE Id = '{emulator.org.sync_user_id}'")
    assert me["records"][0]["Username"] == "sync@emulator.local"


def test_a_bad_password_fails_authentication(emulator):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(
            username="sync@emulator.local",
            password="wrong",
            consumer_key="emulator-client-id",
            consumer_secret="emulator-client-secret",
            session=login_session(emulator),
        )
    assert "invalid_grant" in str(info.value)


def test_jwt_bearer_accepts_an_assertion_signed_with_the_trusted_key(emulator):
    sf = Salesforce(
        username="sync@emulator.local",
        consumer_key="emulator-client-id",
        privatekey_file=emulator.jwt_key_file,
        session=login_session(emulator),
    )
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_jwt_bearer_rejects_an_assertion_signed_with_another_key(emulator):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assertion = jwt.encode(
        {
            "iss": "emulator-client-id",
            "sub": "sync@emulator.local",
            "aud": "https://login.salesforce.com",
            "exp": int(time.time()) + 180,
        },
        other,
        algorithm="RS256",
    )
    response = _token(emulator, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=assertion)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_bad_token_gets_the_salesforce_401_array(emulator):
    response = https_session(emulator).get(
        f"{emulator.base_url}/services/data/v59.0/limits",
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_an_expired_direct_session_raises_expired_session(emulator, sf):
    emulator.expire_sessions()
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Lead")


def test_sessions_expire_after_two_hours_of_org_time(emulator, sf):
    emulator.set_clock(advance_seconds=7201)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Lead")


def test_userinfo_and_identity_name_the_user_and_org(emulator, sf):
    info = sf.oauth2("userinfo")
    assert info["user_id"] == emulator.org.sync_user_id
    assert info["organization_id"].startswith("00D")
    identity = sf.session.get(
        f"{emulator.base_url}/id/{info['organization_id']}/{info['user_id']}",
        headers=sf.headers,
        params={"version": "59.0"},
        timeout=10,
    ).json()
    assert identity["username"] == "sync@emulator.local"
    assert identity["urls"]["rest"].endswith("/services/data/v59.0/")
