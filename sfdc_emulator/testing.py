"""In-process emulator for tests: free ports, in-memory org, fast reset, and a small control-API client.

emulator = RunningEmulator.start()          # once per test session
emulator.reset()                            # before each test (< 50 ms for the default org)
emulator.env                                # SALESFORCE_* settings pointing the app at it
emulator.create("Lead", {"LastName": "Ng", "Company": "Acme"}, as_user="rep")
emulator.inject_fault("server_unavailable", count=2)
emulator.drop_events(count=1, entity="Lead")  # Change Data Capture: lose, delay, expire; restart()
emulator.stop()
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sfdc_emulator.certs import CertPaths, ensure_certs
from sfdc_emulator.org.org import CLIENT_ID, CLIENT_SECRET, PASSWORD, SECURITY_TOKEN, Org
from sfdc_emulator.server.app import EmulatorServer
from sfdc_emulator.server.cometd.sessions import clients_of

API_VERSION = "59.0"
SYNC_USERNAME = "sync@emulator.local"

_CERT_DIR: Path | None = None


def shared_cert_dir() -> Path:
    """One certificate directory per process, so a test session generates its keys once."""
    global _CERT_DIR
    if _CERT_DIR is None:
        _CERT_DIR = Path(tempfile.mkdtemp(prefix="sfdc-emulator-"))
    return _CERT_DIR


class ControlError(Exception):
    pass


@dataclass
class RunningEmulator:
    org: Org
    server: EmulatorServer
    certs: CertPaths
    control: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def start(
        cls, *, db: str = ":memory:", seed: str = "empty", persons: int = 100, daily_api_limit: int = 100_000
    ) -> RunningEmulator:
        certs = ensure_certs(shared_cert_dir())
        org = Org(
            db, seed=seed, persons=persons, daily_api_limit=daily_api_limit, data_dir=certs.ca_file.parent
        )
        server = EmulatorServer(org, port=0, http_port=0, cert_file=certs.cert_file, key_file=certs.key_file)
        server.start()
        running = cls(org=org, server=server, certs=certs)
        running.control.verify = str(certs.ca_file)
        # Why: requests lets REQUESTS_CA_BUNDLE from the environment override session.verify.
        running.control.trust_env = False
        return running

    def stop(self) -> None:
        self.control.close()
        self.server.stop()
        self.org.store.close()

    def restart(self, *, down_seconds: float = 0.0) -> None:
        """Stop serving and start again on the same ports with the same org, as a restarted process would:
        open connections are cut and every CometD client is forgotten; data and change events stay."""
        https_port = self.server.https.server_port if self.server.https else None
        http_port = self.server.http.server_port if self.server.http else None
        self.server.stop()
        clients_of(self.org).forget_all()
        if down_seconds:
            time.sleep(down_seconds)  # the outage itself, not a wait for anything
        self.server = EmulatorServer(
            self.org,
            port=https_port or 0,
            http_port=http_port,
            cert_file=self.certs.cert_file,
            key_file=self.certs.key_file,
        )
        self.server.start()

    # --- where it is
    # ------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return str(self.server.https_url)

    @property
    def http_url(self) -> str:
        return str(self.server.http_url)

    @property
    def instance(self) -> str:
        """`host:port` as simple-salesforce's `instance=` wants it."""
        return self.base_url.split("://", 1)[1]

    @property
    def ca_file(self) -> str:
        return str(self.certs.ca_file)

    @property
    def jwt_key_file(self) -> str:
        return str(self.certs.jwt_key_file)

    @property
    def env(self) -> dict[str, str]:
        return {
            "SALESFORCE_LOGIN_URL": self.base_url,
            "SALESFORCE_AUTH_FLOW": "client_credentials",
            "SALESFORCE_CLIENT_ID": CLIENT_ID,
            "SALESFORCE_CLIENT_SECRET": CLIENT_SECRET,
            "SALESFORCE_CA_BUNDLE": self.ca_file,
            "SALESFORCE_USERNAME": SYNC_USERNAME,
            "SALESFORCE_PASSWORD": PASSWORD,
            "SALESFORCE_SECURITY_TOKEN": SECURITY_TOKEN,
            "SALESFORCE_API_VERSION": API_VERSION,
        }

    # --- tokens
    # -----------------------------------------------------------------------------------------------

    def token(self, user: str = "sync") -> str:
        """A session token for a user (default: the sync user), issued directly."""
        return self.org.auth.issue(self.org.user_id(user)).token

    def client_credentials_token(self) -> dict[str, object]:
        """A real OAuth client-credentials round trip over HTTPS."""
        response = requests.post(
            f"{self.base_url}/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
            verify=self.ca_file,
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    # --- control API
    # ------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, json: object = None, params: dict | None = None) -> object:
        response = self.control.request(
            method, f"{self.base_url}/_emulator{path}", json=json, params=params, timeout=30
        )
        if response.status_code >= 400 and not path.startswith("/records"):
            raise ControlError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def reset(self, mode: str = "baseline") -> None:
        """Back to the start-up state; in-process, so it costs a SQLite backup and no HTTP round trip."""
        self.org.reset(mode)

    def seed(self, persons: int = 100, seed: int = 42, *, as_baseline: bool = False) -> dict:
        return self._call("POST", "/seed", {"persons": persons, "seed": seed, "as_baseline": as_baseline})  # type: ignore[return-value]

    def create(self, sobject: str, values: dict, *, as_user: str = "admin", assign: bool = False) -> dict:
        """Create as a user in the UI; `assign` ticks "Assign using active assignment rule"."""
        body = {"as": as_user, "values": values, "assign": assign}
        return self._call("POST", f"/records/{sobject}", body)  # type: ignore[return-value]

    def update(self, sobject: str, record_id: str, values: dict, *, as_user: str = "admin") -> dict:
        return self._call("PATCH", f"/records/{sobject}/{record_id}", {"as": as_user, "values": values})  # type: ignore[return-value]

    def delete(self, sobject: str, record_id: str, *, as_user: str = "admin") -> dict:
        return self._call("DELETE", f"/records/{sobject}/{record_id}", params={"as": as_user})  # type: ignore[return-value]

    def record(self, sobject: str, record_id: str) -> dict:
        return self._call("GET", f"/records/{sobject}/{record_id}")  # type: ignore[return-value]

    def query(self, soql: str, *, include_deleted: bool = False, as_user: str = "admin") -> list[dict]:
        result = self._call("POST", "/query", {"q": soql, "all": include_deleted, "as": as_user})
        return result["records"]  # type: ignore[index]

    def set_rule(self, name: str, rule: dict) -> dict:
        return self._call("PUT", f"/rules/{name}", rule)  # type: ignore[return-value]

    def delete_rule(self, name: str) -> None:
        self._call("DELETE", f"/rules/{name}")

    def rules(self) -> list[dict]:
        return self._call("GET", "/rules")  # type: ignore[return-value]

    def set_assignment_rule(self, name: str, rule: dict) -> dict:
        """Create or replace a lead assignment rule (an active one deactivates the others)."""
        return self._call("PUT", f"/assignment-rules/{name}", rule)  # type: ignore[return-value]

    def delete_assignment_rule(self, name: str) -> None:
        self._call("DELETE", f"/assignment-rules/{name}")

    def assignment_rules(self) -> list[dict]:
        return self._call("GET", "/assignment-rules")  # type: ignore[return-value]

    def emails(self) -> list[dict]:
        """The notification emails the org would have sent (to_id, to_address, reason, record_id, subject)."""
        return self._call("GET", "/emails")  # type: ignore[return-value]

    def clear_emails(self) -> None:
        self._call("DELETE", "/emails")

    def set_field_access(
        self,
        sobject: str,
        field_name: str,
        access: str,
        *,
        user: str | None = None,
        profile: str | None = None,
    ) -> dict:
        body = {"object": sobject, "field": field_name, "access": access}
        body.update({"profile": profile} if profile else {"user": user or "sync"})
        return self._call("POST", "/field-access", body)  # type: ignore[return-value]

    def hide_field(self, sobject: str, field_name: str, *, user: str = "sync") -> dict:
        return self.set_field_access(sobject, field_name, "hidden", user=user)

    def delete_field(self, sobject: str, field_name: str) -> dict:
        """Delete a custom field from the org's schema, for every user, until the next reset."""
        return self._call("DELETE", f"/fields/{sobject}/{field_name}")  # type: ignore[return-value]

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        *,
        delay_ms: int = 0,
        path: str | None = None,
        method: str | None = None,
    ) -> dict:
        body = {"kind": kind, "count": count, "delay_ms": delay_ms, "path": path, "method": method}
        return self._call("POST", "/faults", body)  # type: ignore[return-value]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def expire_sessions(self) -> int:
        return self._call("POST", "/sessions/expire")["expired"]  # type: ignore[index]

    def usage(self) -> dict:
        return self._call("GET", "/usage")  # type: ignore[return-value]

    def set_usage(self, *, used: int | None = None, limit: int | None = None) -> dict:
        return self._call("POST", "/usage", {"used": used, "limit": limit})  # type: ignore[return-value]

    def request_log(self, limit: int | None = None) -> list[dict]:
        return self._call("GET", "/requests", params={"limit": limit} if limit else None)  # type: ignore[return-value]

    def clock(self) -> dict:
        return self._call("GET", "/clock")  # type: ignore[return-value]

    def set_clock(self, *, now: str | None = None, advance_seconds: float | None = None) -> dict:
        return self._call("POST", "/clock", {"now": now, "advance_seconds": advance_seconds})  # type: ignore[return-value]

    def settings(self, **values: object) -> dict:
        return self._call("POST", "/settings", values)  # type: ignore[return-value]

    # --- Change Data Capture and CometD
    # ------------------------------------------------------------------------------

    def streaming(self) -> dict:
        """Selection, last replay id, retained and dropped events, delivery today, the CometD clients."""
        return self._call("GET", "/streaming")  # type: ignore[return-value]

    def select_change_events(self, entities: list[str], *, limit: int | None = None) -> dict:
        return self._call("PUT", "/streaming/selection", {"entities": entities, "limit": limit})  # type: ignore[return-value]

    def streaming_settings(self, **values: int) -> dict:
        """connect_timeout_ms, reconnect_window_ms, overflow_limit, delivery_limit, delivered."""
        return self._call("POST", "/streaming/settings", values)  # type: ignore[return-value]

    def drop_events(self, count: int = 1, *, entity: str | None = None) -> dict:
        """The next `count` change events (of `entity`) are lost: never delivered, never replayed."""
        return self._call("POST", "/streaming/faults", {"kind": "drop", "count": count, "entity": entity})  # type: ignore[return-value]

    def delay_events(self, count: int = 1, *, delay_ms: int, entity: str | None = None) -> dict:
        body = {"kind": "delay", "count": count, "delay_ms": delay_ms, "entity": entity}
        return self._call("POST", "/streaming/faults", body)  # type: ignore[return-value]

    def clear_stream_faults(self) -> None:
        self._call("DELETE", "/streaming/faults")

    def expire_replay_window(self) -> dict:
        return self._call("POST", "/streaming/expire")  # type: ignore[return-value]

    def forget_streaming_clients(self) -> int:
        return self._call("POST", "/streaming/clients/forget")["forgotten"]  # type: ignore[index]

    def change_events(self, *, after: int = 0, entity: str | None = None) -> list[dict]:
        params: dict[str, object] = {"after": after}
        if entity:
            params["entity"] = entity
        return self._call("GET", "/streaming/events", params=params)  # type: ignore[return-value]
