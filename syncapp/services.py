"""The one door for the admin, tasks and commands: every action the product offers is a function here."""

from __future__ import annotations

from dataclasses import dataclass

from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import SalesforceError


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def salesforce_connection_check() -> ConnectionCheck:
    """Log in with the configured credentials and read the org's API usage; say in one line what happened."""
    try:
        client = connect()
        info = client.userinfo()
        client.limits()
    except SalesforceError as exc:
        return ConnectionCheck(ok=False, message=exc.message)
    usage = client.api_usage
    usage_text = f", {usage.used:,} of {usage.limit:,} daily API calls used" if usage else ""
    who = info.get("preferred_username") or info.get("email") or "the sync user"
    return ConnectionCheck(
        ok=True,
        message=(
            f"Salesforce is reachable: logged in as {who} at {client.token.instance_url} "
            f"(API v{client.credentials.api_version}{usage_text})."
        ),
    )
