"""Sessions and credentials: passwords + security tokens, connected apps, OAuth grants and JWT bearer."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from sfdc_emulator.org import ids
from sfdc_emulator.org.store import Store

SESSION_SECONDS = 7200
_TOKEN_ALPHABET = ids.BASE62


@dataclass(frozen=True)
class Session:
    token: str
    user_id: str
    issued_at: float
    expires_at: float


class OAuthError(Exception):
    """An OAuth token-endpoint failure: `{"error", "error_description"}` with an HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def new_token() -> str:
    # Why: the sf CLI only accepts tokens matching (00D\w{12,15})![.\w]* (spec §2.1, §10.2).
    body = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(96))
    return f"{ids.ORG_ID_15}!AQ4AQ{body}"


class Auth:
    """Issues and validates session tokens (kept in memory, persisted in `_emu_sessions` for restarts)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {
            row[0]: Session(*row)
            for row in store.fetchall("SELECT token, user_id, issued_at, expires_at FROM _emu_sessions")
        }

    def _now(self) -> float:
        return self.store.clock.now().timestamp()

    def issue(self, user_id: str) -> Session:
        """A fresh session for `user_id`, valid at once (simple-salesforce retries with it immediately)."""
        now = self._now()
        session = Session(new_token(), user_id, now, now + SESSION_SECONDS)
        with self._lock:
            self._sessions[session.token] = session
        self._persist(session)
        return session

    def _persist(self, session: Session) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO _emu_sessions (token, user_id, issued_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (session.token, session.user_id, session.issued_at, session.expires_at),
        )

    def persist_all(self) -> None:
        """Write every live session back (after a baseline restore replaced the table)."""
        self.store.execute("DELETE FROM _emu_sessions")
        for session in list(self._sessions.values()):
            self._persist(session)

    def validate(self, token: str | None) -> Session | None:
        if not token:
            return None
        session = self._sessions.get(token)
        if session is None or session.expires_at <= self._now():
            return None
        return session

    def revoke(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)
        self.store.execute("DELETE FROM _emu_sessions WHERE token = ?", (token,))

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
        self.store.execute("DELETE FROM _emu_sessions")
        return count

    # --- credentials
    # ------------------------------------------------------------------------------------------

    def set_credentials(self, user_id: str, password: str, security_token: str) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO _emu_credentials (user_id, password, security_token) VALUES (?, ?, ?)",
            (user_id, password, security_token),
        )

    def user_id_for(self, username: str) -> str | None:
        row = self.store.fetchone(
            'SELECT Id FROM "User" WHERE Username = ? COLLATE NOCASE AND IsActive = 1 AND IsDeleted = 0',
            (username,),
        )
        return row[0] if row else None

    def check_password(self, username: str, password: str, *, token_optional: bool = False) -> str | None:
        """The user id when `password` is password + security token (or, if allowed, the bare password)."""
        user_id = self.user_id_for(username)
        if user_id is None:
            return None
        row = self.store.fetchone(
            "SELECT password, security_token FROM _emu_credentials WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        stored, token = row
        if secrets.compare_digest(password, stored + (token or "")):
            return user_id
        if token_optional and secrets.compare_digest(password, stored):
            return user_id
        return None

    # --- connected apps
    # ---------------------------------------------------------------------------------------

    def register_app(
        self, client_id: str, client_secret: str, run_as_user_id: str, certificate: str | None = None
    ) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO _emu_connected_apps "
            "(client_id, client_secret, run_as_user_id, certificate) "
            "VALUES (?, ?, ?, ?)",
            (client_id, client_secret, run_as_user_id, certificate),
        )

    def _app(self, client_id: str) -> tuple[str, str, str | None]:
        row = self.store.fetchone(
            "SELECT client_secret, run_as_user_id, certificate FROM _emu_connected_apps WHERE client_id = ?",
            (client_id,),
        )
        if row is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        return row[0], row[1], row[2]

    def client_credentials(self, client_id: str, client_secret: str) -> str:
        secret, run_as, _cert = self._app(client_id)
        if not secrets.compare_digest(client_secret or "", secret):
            raise OAuthError("invalid_client", "invalid client credentials")
        if not run_as:
            raise OAuthError("invalid_grant", "no client credentials user enabled")
        return run_as

    def password_grant(self, client_id: str, client_secret: str, username: str, password: str) -> str:
        secret, _run_as, _cert = self._app(client_id)
        if not secrets.compare_digest(client_secret or "", secret):
            raise OAuthError("invalid_client", "invalid client credentials")
        # Why: simple-salesforce's OAuth password flow sends the bare password (the org trusts the IP range).
        user_id = self.check_password(username, password, token_optional=True)
        if user_id is None:
            raise OAuthError("invalid_grant", "authentication failure")
        return user_id

    def jwt_bearer(self, assertion: str) -> str:
        """Validate an RS256 assertion signed by the key whose certificate the connected app trusts."""
        try:
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        _secret, _run_as, certificate = self._app(str(claims.get("iss", "")))
        if not certificate:
            raise OAuthError("invalid_client", "no certificate registered for this client")
        try:
            key = _public_key(certificate)
            claims = jwt.decode(
                assertion,
                key,  # type: ignore[arg-type]
                algorithms=["RS256"],
                options={"require": ["iss", "sub", "aud", "exp"], "verify_aud": False},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "expired authorization code") from None
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
        aud = claims["aud"]
        audiences = aud if isinstance(aud, list) else [aud]
        if not any(_audience_ok(str(a)) for a in audiences):
            raise OAuthError("invalid_grant", "audience is invalid")
        user_id = self.user_id_for(str(claims["sub"]))
        if user_id is None:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        return user_id


def _audience_ok(aud: str) -> bool:
    # Why: simple-salesforce sets aud to https://{domain}.salesforce.com; local clients may use the emulator
    # URL.
    host = aud.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host.endswith(".salesforce.com") or host in ("127.0.0.1", "localhost")


def _public_key(pem: str) -> object:
    data = pem.encode()
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return load_pem_public_key(data)
