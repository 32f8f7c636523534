"""Injected faults: the next N matching requests answer 503/502, a lock error, an expired session, a delay…"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

# kind → what the emulator does when the fault fires (see control API docs in README):
#   server_unavailable  503 SERVER_UNAVAILABLE          bad_gateway      502 with an HTML body
#   unable_to_lock_row  the next N record saves fail with UNABLE_TO_LOCK_ROW (per record in collections)
#   invalid_session     401 INVALID_SESSION_ID and the caller's session is revoked (the client must log in)
#   delay               sleep delay_ms, then answer normally
#   request_limit       403 REQUEST_LIMIT_EXCEEDED
KINDS = (
    "server_unavailable",
    "bad_gateway",
    "unable_to_lock_row",
    "invalid_session",
    "delay",
    "request_limit",
)
ALIASES = {
    "503": "server_unavailable",
    "502": "bad_gateway",
    "lock": "unable_to_lock_row",
    "expire_session": "invalid_session",
    "limit": "request_limit",
}


@dataclass
class Fault:
    kind: str
    remaining: int
    delay_ms: int = 0
    path: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or re.search(self.path, path) is not None

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "remaining": self.remaining,
            "delay_ms": self.delay_ms,
            "path": self.path,
            "method": self.method,
        }


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def inject(
        self,
        kind: str,
        count: int = 1,
        *,
        delay_ms: int = 0,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        kind = ALIASES.get(kind, kind)
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
        if path:
            re.compile(path)
        fault = Fault(kind, max(1, int(count)), int(delay_ms), path, method)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take_request_faults(self, method: str, path: str) -> list[Fault]:
        """Consume one use of every request-level fault matching this request (record locks excluded)."""
        fired = []
        with self._lock:
            for fault in self._faults:
                if fault.kind != "unable_to_lock_row" and fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    fired.append(fault)
            self._faults = [f for f in self._faults if f.remaining > 0]
        return fired

    def take_lock(self) -> bool:
        """True (and one use consumed) when the next record save must fail with UNABLE_TO_LOCK_ROW."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == "unable_to_lock_row" and fault.remaining > 0:
                    fault.remaining -= 1
                    self._faults = [f for f in self._faults if f.remaining > 0]
                    return True
        return False

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return [f.as_json() for f in self._faults]
