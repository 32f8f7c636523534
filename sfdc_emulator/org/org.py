"""One emulated org: store + auth + API usage + faults + request log, its default data, reset and seeding."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from pathlib import Path

from sfdc_emulator.org import ids
from sfdc_emulator.org.assignment import DEFAULT_ASSIGNMENT_RULE, check_assignment_spec, put_rule
from sfdc_emulator.org.auth import Auth
from sfdc_emulator.org.changes import ChangeCapture
from sfdc_emulator.org.errors import RecordError, RecordFailure, SfError
from sfdc_emulator.org.events import EventLog
from sfdc_emulator.org.faults import Faults
from sfdc_emulator.org.picklists import LEAD_STATUSES
from sfdc_emulator.org.rules import DEFAULT_RULES, check_rule_spec
from sfdc_emulator.org.security import PROFILES
from sfdc_emulator.org.store import Store
from sfdc_emulator.org.users import DEFAULT_USERS, user_id_of
from sfdc_emulator.seed.demo import seed_demo

log = logging.getLogger("sfdc_emulator")

CLIENT_ID = "emulator-client-id"
CLIENT_SECRET = "emulator-client-secret"
PASSWORD = "emulator"
SECURITY_TOKEN = "token"
DEFAULT_DAILY_LIMIT = 100_000
BASELINE_MAX_BYTES = 256 * 1024 * 1024


class ApiUsage:
    """Daily API request counter (UTC day of the org clock), persisted in settings."""

    def __init__(self, store: Store, limit: int) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.limit = int(store.get_setting("daily_api_limit", limit))  # type: ignore[arg-type]
        saved = store.get_setting("api_usage", {}) or {}
        self.day = str(saved.get("day", ""))  # type: ignore[union-attr]
        self.used = int(saved.get("used", 0))  # type: ignore[union-attr]

    def _roll(self) -> None:
        today = self.store.clock.today()
        if today != self.day:
            self.day, self.used = today, 0

    def try_consume(self) -> bool:
        """Count one request; False (and nothing counted) when the daily limit is already used up."""
        with self._lock:
            self._roll()
            if self.used >= self.limit:
                return False
            self.used += 1
            self._save()
            return True

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            self._roll()
            return self.used, self.limit

    def set(self, *, used: int | None = None, limit: int | None = None) -> None:
        with self._lock:
            self._roll()
            if used is not None:
                self.used = int(used)
            if limit is not None:
                self.limit = int(limit)
                self.store.set_setting("daily_api_limit", self.limit)
            self._save()

    def _save(self) -> None:
        self.store.set_setting("api_usage", {"day": self.day, "used": self.used})


class Org:
    """Everything one emulated org holds. Created by the server, the CLI and the test harness."""

    def __init__(
        self,
        db: str = ":memory:",
        *,
        seed: str = "empty",
        persons: int = 1000,
        daily_api_limit: int = DEFAULT_DAILY_LIMIT,
        data_dir: Path | None = None,
    ) -> None:
        self.store = Store(db)
        self.schema = self.store.schema
        self.clock = self.store.clock
        self.data_dir = data_dir
        self.auth = Auth(self.store)
        self._initial_limit = daily_api_limit
        fresh = self.store.fetchone('SELECT count(*) FROM "Organization"')[0] == 0  # type: ignore[index]
        if fresh:
            self.install_defaults()
            if daily_api_limit != DEFAULT_DAILY_LIMIT:
                self.store.set_setting("daily_api_limit", daily_api_limit)
            if seed == "demo":
                self.seed_demo(persons)
        self.usage = ApiUsage(self.store, daily_api_limit)
        if not fresh and daily_api_limit != DEFAULT_DAILY_LIMIT:
            self.usage.set(limit=daily_api_limit)
        self.faults = Faults()
        self.store.before_write = self._before_write
        # Change Data Capture from here on: installing and seeding the org publish nothing.
        self.events = EventLog(self.store)
        self.store.capture = ChangeCapture(self.events.wants, self.events.publish)
        self.request_log: deque[dict[str, object]] = deque(maxlen=5000)
        self.snapshot_baseline()

    # --- default org --------------------------------------------------------------------------------------

    def user_id(self, key_or_username: str) -> str:
        """The id of a default user by key (admin, sync, rep, rep2) or of any user by username."""
        return user_id_of(self.store, key_or_username)

    @property
    def admin_id(self) -> str:
        return self.user_id("admin")

    @property
    def sync_user_id(self) -> str:
        return self.user_id("sync")

    def profile_id(self, key_or_name: str) -> str | None:
        name = next((p.name for p in PROFILES if p.key == key_or_name), key_or_name)
        row = self.store.fetchone('SELECT Id FROM "Profile" WHERE Name = ? COLLATE NOCASE', (name,))
        return row[0] if row else None

    def install_defaults(self) -> None:
        """Profiles, users, the lead queue, lead statuses, the Organization row, app, credentials, rules."""
        store = self.store
        admin_id = ids.make_id("005", 1)  # the first user creates everything, itself included
        profile_ids = dict(
            zip(
                [p.key for p in PROFILES],
                store.bulk_insert("Profile", [{"Name": p.name} for p in PROFILES], user_id=admin_id),
                strict=True,
            )
        )
        rows = [
            {
                "Username": u.username,
                "FirstName": u.first,
                "LastName": u.last,
                "Name": f"{u.first} {u.last}",
                "Email": u.username,
                "Alias": (u.first[:1] + u.last[:4]).lower(),
                "Title": u.title,
                "ProfileId": profile_ids[u.profile],
                "IsActive": 1,
                "CompanyName": "Emulated Org",
            }
            for u in DEFAULT_USERS
        ]
        user_ids = store.bulk_insert("User", rows, user_id=admin_id)
        assert user_ids[0] == admin_id
        for user_id in user_ids:
            self.auth.set_credentials(user_id, PASSWORD, SECURITY_TOKEN)
        sync_id = user_ids[1]
        [queue_id] = store.bulk_insert(
            "Group",
            [
                {
                    "Name": "Lead Queue",
                    "DeveloperName": "Lead_Queue",
                    "Type": "Queue",
                    "Email": "lead-queue@emulator.local",
                    "OwnerId": admin_id,
                }
            ],
            user_id=admin_id,
        )
        store.bulk_insert("QueueSobject", [{"QueueId": queue_id, "SobjectType": "Lead"}], user_id=admin_id)
        store.bulk_insert(
            "LeadStatus",
            [
                {
                    "MasterLabel": s,
                    "ApiName": s,
                    "SortOrder": i + 1,
                    "IsDefault": int(i == 0),
                    "IsConverted": int(s == "Closed - Converted"),
                }
                for i, s in enumerate(LEAD_STATUSES)
            ],
            user_id=admin_id,
        )
        store.bulk_insert(
            "Organization",
            [
                {
                    "Id": ids.ORG_ID,
                    "Name": "Emulated Org",
                    "IsSandbox": 0,
                    "InstanceName": "EMU1",
                    "OrganizationType": "Enterprise Edition",
                    "Country": "US",
                    "DefaultLocaleSidKey": "en_US",
                    "TimeZoneSidKey": "America/Los_Angeles",
                    "LanguageLocaleKey": "en_US",
                }
            ],
            user_id=admin_id,
        )
        certificate = None
        if self.data_dir is not None:
            jwt_cert = self.data_dir / "emulator-jwt-cert.pem"
            certificate = jwt_cert.read_text() if jwt_cert.exists() else None
        self.auth.register_app(CLIENT_ID, CLIENT_SECRET, sync_id, certificate)
        for spec in DEFAULT_RULES:
            store.rules.put(check_rule_spec(spec, store.object(str(spec["object"]))))
        put_rule(store, check_assignment_spec(DEFAULT_ASSIGNMENT_RULE, store), user_id=admin_id)

    def seed_demo(self, persons: int, seed: int = 42) -> dict[str, object]:
        summary = seed_demo(self.store, persons=persons, seed=seed)
        return {"counts": dict(summary.counts), "seconds": round(summary.seconds, 3)}

    # --- reset ---------------------------------------------------------------------------------------------

    def snapshot_baseline(self) -> bool:
        """Remember the current data as the reset baseline, unless it is too big to copy cheaply."""
        pages = self.store.fetchone("PRAGMA page_count")[0] * self.store.fetchone("PRAGMA page_size")[0]  # type: ignore[index]
        if pages > BASELINE_MAX_BYTES:
            # Why: copying a million-person org on every start would double its memory/disk for little use.
            log.info("database is %d MB: no baseline snapshot, reset supports mode=empty only", pages >> 20)
            return False
        self.store.snapshot()
        return True

    def reset(self, mode: str = "baseline") -> None:
        """Back to the state at start-up (`baseline`) or to the default org without demo data (`empty`)."""
        started = time.perf_counter()
        if mode == "empty":
            self.store.clear_records()
            for table in (
                "_emu_credentials",
                "_emu_connected_apps",
                "_emu_field_access",
                "_emu_deleted_fields",
                "_emu_validation_rules",
                "_emu_assignment_rules",
                "_emu_emails",
            ):
                self.store.execute(f"DELETE FROM {table}")
            self.install_defaults()
            self.snapshot_baseline()
        else:
            try:
                self.store.restore()
            except RuntimeError:
                raise SfError(
                    400, "BAD_REQUEST", "no baseline snapshot for this org: reset with mode=empty"
                ) from None
        self.auth.persist_all()
        self.faults.clear()
        self.clock.reset()
        self.request_log.clear()
        self.usage = ApiUsage(self.store, self._initial_limit)
        self.usage.set(used=0)
        self.store.security.invalidate()
        self.store.rules.invalidate()
        self.events.after_reset()
        log.debug("reset (%s) in %.1f ms", mode, (time.perf_counter() - started) * 1000)

    def _before_write(self, obj_name: str, record_id: str | None) -> None:
        if self.faults.take_lock():
            target = record_id or ids.make_id(self.schema.get_object(obj_name).key_prefix, 0)  # type: ignore[union-attr]
            raise RecordFailure(
                RecordError(
                    "UNABLE_TO_LOCK_ROW",
                    f"unable to obtain exclusive access to this record or 1 records: {target}",
                )
            )

    def set_clock(self, when: dt.datetime | None = None, advance_seconds: float | None = None) -> None:
        if when is not None:
            self.clock.set(when)
        if advance_seconds:
            self.clock.advance(advance_seconds)
