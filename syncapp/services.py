"""The one door for the admin, tasks and commands: every action the product offers is a function here."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from syncapp.models import Campaign, CampaignMember, ListenerState, Person, SyncSettings
from syncapp.salesforce.client import connect
from syncapp.salesforce.errors import SalesforceError
from syncapp.sync import cycle, listener
from syncapp.sync.edits import record_update

log = logging.getLogger(__name__)


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


# --- the sync cycle -----------------------------------------------------------------------------------------
def sync_cycle_run(*, trigger: str = "manual") -> cycle.CycleResult:
    """Run one full cycle now, in this process (the lease still keeps it the only one running)."""
    return cycle.run_cycle(trigger=trigger)


def sync_cycle_run_if_due() -> cycle.CycleResult:
    """What the schedule calls every minute: a cycle starts once the pause since the last one has passed.
    With the change-event listener live, what this safety-net cycle still finds is counted: lost events."""
    if not cycle.cycle_is_due():
        return cycle.CycleResult(run=None, skipped_reason="Not due yet (or sync is switched off).")
    live = ListenerState.load().is_live()
    result = cycle.run_cycle(trigger="schedule")
    if live and result.run is not None:
        listener.safety_net_count(result.run.pk)
    return result


def stream_listen(*, stop: threading.Event) -> None:
    """Hold the change-event listener until `stop` is set (manage.py listen); idle while streaming is off."""
    while not stop.is_set():
        if SyncSettings.load().streaming:
            listener.Listener(stop=stop).run()
        else:
            stop.wait(30)  # switched off in the sync settings: look again now and then


def sync_cycle_request() -> None:
    """Queue a cycle on the workers now (the admin's "Sync now"), once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("syncapp.tasks.run_sync_cycle", "manual"))


def sync_switch(*, enabled: bool, actor: str) -> SyncSettings:
    """Switch the background sync on or off. A cycle already running finishes; none starts while off."""
    sync_settings = SyncSettings.ensure()
    if sync_settings.enabled != enabled:
        sync_settings.enabled = enabled
        sync_settings.save(update_fields=["enabled"])
        log.info("The sync was switched %s by %s.", "on" if enabled else "off", actor)
    return sync_settings


# --- local edits --------------------------------------------------------------------------------------------
def person_update(
    *, person: Person, changes: dict[str, Any], actor: str, actor_id: int | None = None
) -> Person:
    """Edit a person's synced fields; the change reaches Salesforce through the outbox at the next push."""
    return record_update(obj=person, changes=changes, actor=actor, actor_id=actor_id)


def campaign_update(*, campaign: Campaign, changes: dict[str, Any], actor: str) -> Campaign:
    return record_update(obj=campaign, changes=changes, actor=actor)


def campaign_member_update(*, member: CampaignMember, changes: dict[str, Any], actor: str) -> CampaignMember:
    return record_update(obj=member, changes=changes, actor=actor)
