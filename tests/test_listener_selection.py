"""End to end: custom objects stream too, and the org's change-event selection decides which objects do.

Same harness as tests/test_listener.py: `manage.py listen` as a real process, the emulator over HTTPS.
"""

from __future__ import annotations

from sfdc_emulator.testing import RunningEmulator
from tests import test_listener
from tests.test_listener import App

# The harness's fixtures: a migrated database per module, a synced mirror per test.
migrated = test_listener.migrated
app = test_listener.app

SELECTED = ["Account", "CampaignMember", "Contact", "Lead", "Subscription__c"]  # 5: Opportunity left out


def published(mirror: App, sobject: str) -> object:
    return mirror.one("SELECT published FROM syncapp_streamchannel WHERE sobject = ?", (sobject,))


def test_an_edit_of_a_custom_object_record_reaches_the_mirror_without_a_cycle_started_by_hand(
    app: App, emulator: RunningEmulator
) -> None:
    emulator.select_change_events(SELECTED)
    app.listen()
    # The first session's catch-up cycle is over: from here only an event can start a cycle.
    app.wait_for(
        lambda: (
            app.one("SELECT count(*) FROM syncapp_streamchannel WHERE dirty_since IS NOT NULL") == 0
            and app.one("SELECT lease_owner FROM syncapp_syncsettings") == ""
        ),
        "idle",
    )
    before = app.runs("event")
    [record] = [r["Id"] for r in emulator.query("SELECT Id FROM Subscription__c ORDER BY Id LIMIT 1")]

    emulator.update("Subscription__c", record, {"Name": "Renewed by a rep"}, as_user="rep")

    app.wait_for(
        lambda: (
            app.one("SELECT name FROM syncapp_customobjectrecord WHERE sf_id = ?", (record,))
            == "Renewed by a rep"
        ),
        "the custom object edit",
    )
    assert app.runs("event") > before
    assert app.runs("schedule") == 0
    assert published(app, "Subscription__c") == 1


def test_objects_the_selection_leaves_out_stay_on_the_safety_net(app: App, emulator: RunningEmulator) -> None:
    emulator.select_change_events(SELECTED)
    app.listen()
    assert published(app, "Opportunity") == 0
    assert published(app, "Task") == 0
    channel = "/data/OpportunityChangeEvent"
    assert all(channel not in c["subscriptions"] for c in emulator.streaming()["clients"])

    [opportunity] = [r["Id"] for r in emulator.query("SELECT Id FROM Opportunity ORDER BY Id LIMIT 1")]
    emulator.update("Opportunity", opportunity, {"Name": "Found by the safety net"}, as_user="rep")
    app.execute("UPDATE syncapp_syncsettings SET safety_net_minutes = 0")
    app.shell("from syncapp import services; services.sync_cycle_run_if_due()")

    assert (
        app.one("SELECT name FROM syncapp_opportunity WHERE sf_id = ?", (opportunity,))
        == "Found by the safety net"
    )


def test_an_object_selected_while_the_listener_runs_is_subscribed_at_the_next_selection_read(
    app: App, emulator: RunningEmulator
) -> None:
    app.listen()
    assert published(app, "Subscription__c") == 0  # the org's default five hold no custom object
    emulator.select_change_events(SELECTED)
    app.execute("UPDATE syncapp_listenerstate SET selection_at = NULL")  # the hourly read falls due

    app.wait_for(lambda: published(app, "Subscription__c") == 1, "the selection read again")
    app.wait_for(
        lambda: any(
            "/data/Subscription__ChangeEvent" in c["subscriptions"] for c in emulator.streaming()["clients"]
        ),
        "a session subscribed to the custom object",
    )
    [record] = [r["Id"] for r in emulator.query("SELECT Id FROM Subscription__c ORDER BY Id LIMIT 1")]
    emulator.update("Subscription__c", record, {"Name": "Heard after the change"}, as_user="rep")

    app.wait_for(
        lambda: (
            app.one("SELECT name FROM syncapp_customobjectrecord WHERE sf_id = ?", (record,))
            == "Heard after the change"
        ),
        "the custom object edit",
    )
    assert app.runs("schedule") == 0
