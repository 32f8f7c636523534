"""The default org's users (admin, sync, rep, rep2) and looking a user up by key, username or id."""

from __future__ import annotations

from dataclasses import dataclass

from sfdc_emulator.org import ids
from sfdc_emulator.org.store import Store


@dataclass(frozen=True)
class UserSpec:
    key: str
    username: str
    first: str
    last: str
    profile: str
    title: str


DEFAULT_USERS = (
    UserSpec("admin", "admin@emulator.local", "Ada", "Admin", "admin", "Salesforce Administrator"),
    UserSpec("sync", "sync@emulator.local", "Sync", "Integration", "sync", "Integration User"),
    UserSpec("rep", "rep@emulator.local", "Riley", "Rep", "rep", "Account Executive"),
    UserSpec("rep2", "rep2@emulator.local", "Sam", "Seller", "rep", "Sales Development Rep"),
)


def user_id_of(store: Store, key_or_username: str) -> str:
    """The id of a default user by key (admin, sync, rep, rep2), of any user by username, or a user id."""
    norm = ids.normalize(key_or_username)
    if norm is not None and ids.prefix_of(norm) == "005":
        if store.get_row("User", norm, ["Id"]) is None:
            raise KeyError(key_or_username)
        return norm
    username = next((u.username for u in DEFAULT_USERS if u.key == key_or_username), key_or_username)
    row = store.fetchone('SELECT Id FROM "User" WHERE Username = ? COLLATE NOCASE', (username,))
    if row is None:
        raise KeyError(key_or_username)
    return row[0]
