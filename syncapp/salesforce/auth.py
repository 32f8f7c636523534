"""OAuth 2.0 login against SALESFORCE_LOGIN_URL: client credentials, username-password, JWT bearer.

We fetch the token ourselves rather than through simple-salesforce's login helpers because those hard-code
`https://{domain}.salesforce.com`, which cannot name a My Domain with a port or the loopback emulator.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from syncapp.salesforce.errors import (
    AuthenticationError,
    ConfigurationError,
    UnavailableError,
    UnreachableError,
)

# An outage of the login endpoint is retried like any other call (client.py): 4 tries, 0.5 s, 1 s, 2 s apart.
LOGIN_ATTEMPTS = 4

REQUIRED_BY_FLOW = {
    "client_credentials": ("client_id", "client_secret"),
    "password": ("client_id", "client_secret", "username", "password"),
    "jwt": ("client_id", "username", "private_key_file"),
}


def cleartext_login_error(login_url: str) -> str:
    """Why `login_url` must not be used ("" when it may): plain http only to loopback, where the emulator is.

    Over http the client secret (and the password flow's password) would cross the network readable by
    anyone on the way; Salesforce itself only answers on https.
    """
    parts = urlsplit(login_url)
    if parts.scheme != "http" or _is_loopback(parts.hostname or ""):
        return ""
    return (
        f"SALESFORCE_LOGIN_URL {login_url!r} uses plain http to {parts.hostname or 'no host'}: the client "
        "secret would be sent in clear text. Use its https:// address (plain http is only allowed on "
        "loopback: 127.0.0.1, localhost or ::1, for the emulator)."
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Credentials:
    """Everything needed to log in; secrets are kept out of repr so they never reach a log line."""

    login_url: str
    flow: str
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    security_token: str = field(default="", repr=False)
    private_key_file: str = ""
    api_version: str = "62.0"
    ca_bundle: str = ""
    timeout: float = 60.0

    @classmethod
    def from_settings(cls) -> Credentials:
        return cls(
            login_url=settings.SALESFORCE_LOGIN_URL.rstrip("/"),
            flow=settings.SALESFORCE_AUTH_FLOW,
            client_id=settings.SALESFORCE_CLIENT_ID,
            client_secret=settings.SALESFORCE_CLIENT_SECRET,
            username=settings.SALESFORCE_USERNAME,
            password=settings.SALESFORCE_PASSWORD,
            security_token=settings.SALESFORCE_SECURITY_TOKEN,
            private_key_file=settings.SALESFORCE_PRIVATE_KEY_FILE,
            api_version=settings.SALESFORCE_API_VERSION,
            ca_bundle=settings.SALESFORCE_CA_BUNDLE,
            timeout=settings.SALESFORCE_TIMEOUT,
        )

    def missing_settings(self) -> list[str]:
        """Names of the SALESFORCE_* settings this flow needs but does not have."""
        needed = REQUIRED_BY_FLOW.get(self.flow, ())
        return [f"SALESFORCE_{name.upper()}" for name in needed if not getattr(self, name)]


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    instance_url: str
    identity_url: str = ""
    issued_at: float = 0.0


class ExtraCAAdapter(HTTPAdapter):
    """Trusts one extra CA on top of the system's.

    Setting `session.verify` to a file is not enough: requests lets REQUESTS_CA_BUNDLE from the environment
    override it, and it would replace the system CAs rather than add to them. An SSL context on the pool
    keeps our CA loaded whatever bundle requests adds to it.
    """

    def __init__(self, ca_file: str) -> None:
        self.ssl_context = ssl.create_default_context()
        self.ssl_context.load_verify_locations(ca_file)
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self.ssl_context
        return super().init_poolmanager(*args, **kwargs)


def http_session(credentials: Credentials) -> requests.Session:
    """A requests session for Salesforce, trusting SALESFORCE_CA_BUNDLE (the emulator's CA) when set."""
    session = requests.Session()
    if credentials.ca_bundle:
        try:
            session.mount("https://", ExtraCAAdapter(credentials.ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(
                f"SALESFORCE_CA_BUNDLE {credentials.ca_bundle!r} is not a readable PEM CA file: {exc}."
            ) from exc
    session.headers["User-Agent"] = "syncapp"
    return session


def _token_request(credentials: Credentials) -> tuple[dict[str, str], tuple[str, str] | None]:
    flow = credentials.flow
    if flow == "client_credentials":
        return {"grant_type": "client_credentials"}, (credentials.client_id, credentials.client_secret)
    if flow == "password":
        return {
            "grant_type": "password",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "username": credentials.username,
            # Salesforce wants the security token appended unless the caller's IP is trusted.
            "password": credentials.password + credentials.security_token,
        }, None
    if flow == "jwt":
        try:
            key = Path(credentials.private_key_file).read_text()
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read SALESFORCE_PRIVATE_KEY_FILE {credentials.private_key_file!r}: {exc.strerror}."
            ) from exc
        claims = {
            "iss": credentials.client_id,
            "sub": credentials.username,
            "aud": credentials.login_url,
            "exp": int(time.time()) + 180,
        }
        assertion = jwt.encode(claims, key, algorithm="RS256")
        return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}, None
    raise ConfigurationError(
        f"SALESFORCE_AUTH_FLOW {flow!r} is not supported: use client_credentials, password or jwt."
    )


def _explain_refusal(credentials: Credentials, error: str, description: str) -> str:
    detail = f"{error}: {description}" if description else error
    if error in ("invalid_client_id", "invalid_client"):
        fix = "check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET"
    elif credentials.flow == "password":
        fix = "check SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN"
    elif credentials.flow == "jwt":
        fix = "check SALESFORCE_USERNAME and that the connected app trusts the certificate of the private key"
    else:
        fix = "check that the connected app allows the client credentials flow and has a run-as user"
    return f"Salesforce rejected the login ({detail}): {fix}."


@retry(
    retry=retry_if_exception_type(UnavailableError),
    stop=stop_after_attempt(LOGIN_ATTEMPTS),
    wait=wait_exponential(multiplier=0.5, max=8),
    reraise=True,
)
def _post_token(
    credentials: Credentials, http: requests.Session, url: str, data: dict, basic_auth: tuple | None
) -> requests.Response:
    try:
        response = http.post(url, data=data, auth=basic_auth, timeout=credentials.timeout)
    except requests.exceptions.SSLError as exc:
        raise UnreachableError(
            f"The TLS certificate of {credentials.login_url} is not trusted. If this is the emulator, set "
            "SALESFORCE_CA_BUNDLE to the CA file it printed."
        ) from exc
    except requests.exceptions.ConnectionError as exc:
        raise UnreachableError(
            f"Cannot reach Salesforce at {credentials.login_url}: connection failed. "
            "Check SALESFORCE_LOGIN_URL and that the server (or the emulator) is running."
        ) from exc
    except requests.exceptions.Timeout as exc:
        raise UnreachableError(
            f"Salesforce at {credentials.login_url} did not answer within {credentials.timeout:.0f} s."
        ) from exc
    # A 5xx is Salesforce's side failing (maintenance, an outage), not our settings: worth another try, and
    # when the tries run out the error says so instead of sending the operator to check the login URL.
    if response.status_code >= 500:
        raise UnavailableError(
            f"Salesforce was unavailable: its login at {url} answered HTTP {response.status_code} to each "
            f"of {LOGIN_ATTEMPTS} tries. This is usually brief (maintenance or an outage); the sync tries "
            "again at its next cycle.",
            code="SERVER_UNAVAILABLE",
            status=response.status_code,
        )
    return response


def fetch_token(credentials: Credentials, http: requests.Session) -> Token:
    """Log in once and return the access token and instance URL, or raise with an actionable message."""
    missing = credentials.missing_settings()
    if missing:
        raise ConfigurationError(
            f"Salesforce is not configured: set {', '.join(missing)} in .env "
            f"(SALESFORCE_AUTH_FLOW is {credentials.flow})."
        )
    if error := cleartext_login_error(credentials.login_url):
        raise ConfigurationError(error)
    data, basic_auth = _token_request(credentials)
    url = f"{credentials.login_url}/services/oauth2/token"
    response = _post_token(credentials, http, url, data, basic_auth)
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        if isinstance(body, dict) and body.get("error"):
            raise AuthenticationError(
                _explain_refusal(credentials, body["error"], body.get("error_description", "")),
                code=body["error"],
                status=response.status_code,
            )
        raise AuthenticationError(
            f"Salesforce login at {url} answered HTTP {response.status_code} without a token: "
            "check SALESFORCE_LOGIN_URL.",
            status=response.status_code,
        )
    return Token(
        access_token=body["access_token"],
        instance_url=body["instance_url"].rstrip("/"),
        identity_url=body.get("id", ""),
        issued_at=time.time(),
    )
