"""Fixtures: one in-process emulator per session, reset before every test, and simple-salesforce clients."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[RunningEmulator]:
    running = RunningEmulator.start()
    yield running
    running.stop()


@pytest.fixture
def emulator(emulator_server: RunningEmulator) -> RunningEmulator:
    emulator_server.reset()
    return emulator_server


def https_session(emulator: RunningEmulator) -> requests.Session:
    session = requests.Session()
    session.verify = emulator.ca_file
    # Why: requests lets REQUESTS_CA_BUNDLE from the environment override session.verify.
    session.trust_env = False
    return session


class ToEmulator(HTTPAdapter):
    """Sends simple-salesforce's hard-coded login.salesforce.com calls to the emulator (spec §1.1-A)."""

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance

    def send(self, request: requests.PreparedRequest, **kw: object) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url)
        request.url = urlunsplit(("https", self.instance, parts.path, parts.query, parts.fragment))
        return super().send(request, **kw)  # type: ignore[arg-type]


def login_session(emulator: RunningEmulator) -> requests.Session:
    session = https_session(emulator)
    for host in ("https://login.salesforce.com", "https://test.salesforce.com"):
        session.mount(host, ToEmulator(emulator.instance))
    return session


@pytest.fixture
def sf(emulator: RunningEmulator) -> Salesforce:
    """simple-salesforce in direct mode with a token from a real client-credentials call."""
    token = emulator.client_credentials_token()
    return Salesforce(
        session_id=str(token["access_token"]),
        instance_url=str(token["instance_url"]),
        session=https_session(emulator),
    )
