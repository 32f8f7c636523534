"""Field-level security: which fields each user sees and may edit (profile defaults + overrides)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sfdc_emulator.org.schema import SYSTEM_FIELDS


@dataclass(frozen=True)
class ProfileDef:
    """A profile and its default field-level security (pairs of (object, field))."""

    key: str
    name: str
    hidden: frozenset[tuple[str, str]] = frozenset()
    read_only: frozenset[tuple[str, str]] = frozenset()


PROFILES = (
    ProfileDef("admin", "System Administrator"),
    ProfileDef(
        "rep",
        "Standard User",
        hidden=frozenset({("Lead", "Internal_Score__c")}),
    ),
    ProfileDef(
        "sync",
        "Integration Sync User",
        # Why: the sync user must not see everything (the app drops hidden fields from its schema) and must
        # meet a field it can read but not write.
        hidden=frozenset(
            {
                ("Lead", "AnnualRevenue"),
                ("Lead", "Internal_Score__c"),
                ("Contact", "Birthdate"),
                ("Contact", "Internal_Notes__c"),
            }
        ),
        read_only=frozenset(
            {("Lead", "Rating"), ("Account", "Health_Score__c"), ("Contact", "EmailBouncedReason")}
        ),
    ),
)

ACCESS_LEVELS = ("hidden", "read", "edit")


@dataclass(frozen=True)
class FieldAccess:
    """One user's view of the schema: pairs (object, field) that are hidden or read-only for them."""

    hidden: frozenset[tuple[str, str]] = frozenset()
    read_only: frozenset[tuple[str, str]] = frozenset()

    def visible(self, obj: str, field: str) -> bool:
        return (obj, field) not in self.hidden

    def editable(self, obj: str, field: str) -> bool:
        return (obj, field) not in self.hidden and (obj, field) not in self.read_only


FULL_ACCESS = FieldAccess()


class FieldSecurity:
    """Resolves FieldAccess per user id from the user's profile and the `_emu_field_access` overrides."""

    def __init__(self, store: object) -> None:
        self.store = store
        self._cache: dict[str, FieldAccess] = {}
        self._lock = threading.Lock()

    def profile_of(self, user_id: str) -> tuple[str | None, ProfileDef | None]:
        row = self.store.fetchone(  # type: ignore[attr-defined]
            'SELECT p.Id, p.Name FROM "User" u LEFT JOIN "Profile" p ON p.Id = u.ProfileId WHERE u.Id = ?',
            (user_id,),
        )
        if not row or row[0] is None:
            return None, None
        return row[0], next((p for p in PROFILES if p.name == row[1]), None)

    def access(self, user_id: str | None) -> FieldAccess:
        if user_id is None:  # the org's own writes (triggers, conversions): every column, deleted or not
            return FULL_ACCESS
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        profile_id, profile = self.profile_of(user_id)
        levels: dict[tuple[str, str], str] = {}
        if profile is not None:
            levels.update({pair: "hidden" for pair in profile.hidden})
            levels.update({pair: "read" for pair in profile.read_only})
        for subject in (profile_id, user_id):
            if subject is None:
                continue
            for obj, field, level in self.store.fetchall(  # type: ignore[attr-defined]
                "SELECT object, field, access FROM _emu_field_access WHERE subject_id = ?", (subject,)
            ):
                levels[(obj, field)] = level
        # A deleted custom field is gone for every user whatever their profile says: describe leaves it out,
        # SOQL and DML naming it answer INVALID_FIELD, exactly as for a field the user cannot see.
        for obj, field in self.store.fetchall("SELECT object, field FROM _emu_deleted_fields"):  # type: ignore[attr-defined]
            levels[(obj, field)] = "hidden"
        result = FieldAccess(
            hidden=frozenset(k for k, v in levels.items() if v == "hidden"),
            read_only=frozenset(k for k, v in levels.items() if v == "read"),
        )
        with self._lock:
            self._cache[user_id] = result
        return result

    def set_access(self, subject_id: str, obj: str, field: str, level: str) -> None:
        """Override one field for a user or a profile id; `level` is hidden, read or edit."""
        if level not in ACCESS_LEVELS:
            raise ValueError(f"access must be one of {', '.join(ACCESS_LEVELS)}")
        if field in SYSTEM_FIELDS:
            raise ValueError(f"{field} is a system field and is always visible")
        self.store.execute(  # type: ignore[attr-defined]
            "INSERT INTO _emu_field_access (subject_id, object, field, access) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(subject_id, object, field) DO UPDATE SET access = excluded.access",
            (subject_id, obj, field, level),
        )
        self.invalidate()

    def delete_field(self, obj: str, field: str, *, custom: bool) -> None:
        """Delete a custom field (Setup → Fields → Delete). Its values stay in the store, unreachable, as they
        stay in Salesforce's deleted-fields bin until erased; a reset brings the field back."""
        if not custom:
            raise ValueError(f"{obj}.{field} is a standard field: only custom fields can be deleted")
        self.store.execute(  # type: ignore[attr-defined]
            "INSERT OR IGNORE INTO _emu_deleted_fields (object, field) VALUES (?, ?)", (obj, field)
        )
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()
