"""End to end: `manage.py listen` as a real process, the emulator over HTTPS, the mirror in a file database.

The listener and the cycles run in child processes over their own SQLite file (migrated once per module and
copied per test); the test reads the mirror with sqlite3 and waits on conditions with bounded deadlines.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sfdc_emulator.testing import RunningEmulator
from tests.conftest import ROOT
from tests.emulator.test_soap_convert import convert
from tests.emulator.test_soap_merge import merge

DEADLINE = 20.0  # seconds an event may take to reach the mirror before a test fails (the goal is 2)


class App:
    """The app's child processes over one database file."""

    def __init__(self, db: Path, emulator: RunningEmulator) -> None:
        self.db = db
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SALESFORCE_", "DJANGO_", "DATABASE"))
            },
            **emulator.env,
            "DATABASE_URL": f"sqlite:///{db}",
            "SECRET_KEY": "listener-test-secret-key-0123456789-abcdefghijklmnop",
            "DJANGO_SETTINGS_MODULE": "core.settings",
            "SYNCAPP_ENV_FILE": str(db.parent / "absent.env"),
            "DEBUG": "true",
        }
        self.listener: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def listen(self) -> None:
        self.listener = subprocess.Popen(
            [sys.executable, "manage.py", "listen"], cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.wait_for(
            lambda: self.one("SELECT connected FROM syncapp_listenerstate") == 1, "listener connected"
        )

    def stop_listener(self, sig: int = signal.SIGTERM) -> None:
        if self.listener is not None and self.listener.poll() is None:
            os.kill(self.listener.pid, sig)
            self.listener.wait(timeout=30)
        self.listener = None

    def one(self, sql: str, params: tuple = ()) -> object:
        with sqlite3.connect(self.db, timeout=20) as conn:
            row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: tuple = ()) -> None:
        with sqlite3.connect(self.db, timeout=20) as conn:
            conn.execute(sql, params)

    def wait_for(self, condition: Callable[[], bool], what: str, deadline: float = DEADLINE) -> float:
        """Seconds until `condition` held; fails the test past `deadline` (a bounded wait, not a sleep)."""
        started = time.monotonic()
        while not condition():
            if self.listener is not None and self.listener.poll() is not None:
                pytest.fail(f"the listener exited: {self.listener.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            if time.monotonic() - started > deadline:
                pytest.fail(f"not within {deadline} s: {what}")
            time.sleep(0.05)
        return time.monotonic() - started

    def runs(self, trigger: str) -> int:
        return int(self.one("SELECT count(*) FROM syncapp_syncrun WHERE trigger = ?", (trigger,)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, emulator_server) -> Path:
    db = tmp_path_factory.mktemp("listener") / "migrated.sqlite3"
    App(db, emulator_server).manage("migrate", "--noinput")
    return db


@pytest.fixture
def app(migrated, emulator, tmp_path) -> Iterator[App]:
    """A synced mirror (one full cycle done) of the freshly reset demo org; the listener not started yet."""
    db = tmp_path / "app.sqlite3"
    shutil.copy(migrated, db)
    emulator.streaming_settings(connect_timeout_ms=5000)
    running = App(db, emulator)
    running.manage("sync_now")
    yield running
    running.stop_listener()


def lead_ids(emulator: RunningEmulator, n: int) -> list[str]:
    rows = emulator.query(f"SELECT Id FROM Lead WHERE IsConverted = false ORDER BY Id LIMIT {n}")
    return [r["Id"] for r in rows]


def test_an_edit_a_create_a_delete_a_merge_and_a_conversion_reach_the_mirror_without_a_cycle_started_by_hand(
    app: App, emulator: RunningEmulator
) -> None:
    app.listen()
    edited, master, loser, converted = lead_ids(emulator, 4)
    contact = emulator.query("SELECT Id FROM Contact ORDER BY Id LIMIT 1")[0]["Id"]
    person = "SELECT {} FROM syncapp_person WHERE sf_lead_id = ?"

    emulator.update("Lead", edited, {"Title": "Head of Streaming"}, as_user="rep")
    app.wait_for(lambda: app.one(person.format("title"), (edited,)) == "Head of Streaming", "the edit")
    created = emulator.create("Lead", {"LastName": "Evented", "Company": "CDC Ltd"}, as_user="rep")["id"]
    app.wait_for(lambda: app.one(person.format("last_name"), (created,)) == "Evented", "the create")
    emulator.delete("Contact", contact, as_user="rep")
    app.wait_for(
        lambda: app.one("SELECT sf_deleted FROM syncapp_person WHERE sf_contact_id = ?", (contact,)) == 1,
        "the delete",
    )
    assert merge(emulator, "Lead", master, [loser], token=emulator.token("rep"))["success"]
    app.wait_for(lambda: app.one(person.format("merged_into_id"), (loser,)) is not None, "the merge")
    [result] = convert(
        emulator, {"leadId": converted, "convertedStatus": "Closed - Converted"}, token=emulator.token("rep")
    )
    assert result["success"], result
    app.wait_for(lambda: app.one(person.format("sfdc_type"), (converted,)) == "contact", "the conversion")
    assert app.runs("event") >= 5
    assert app.runs("schedule") == 0


def test_a_killed_listener_resumes_from_its_replay_id_with_nothing_lost(
    app: App, emulator: RunningEmulator
) -> None:
    app.listen()
    first, second, third = lead_ids(emulator, 3)
    emulator.update("Lead", first, {"Title": "Before"}, as_user="rep")
    app.wait_for(
        lambda: app.one("SELECT title FROM syncapp_person WHERE sf_lead_id = ?", (first,)) == "Before", "B"
    )
    # Killed between cycles: one killed mid-cycle holds the lease until it expires, as a killed worker does.
    app.wait_for(lambda: app.one("SELECT lease_owner FROM syncapp_syncsettings") == "", "the lease released")
    app.stop_listener(signal.SIGKILL)
    emulator.update("Lead", second, {"Title": "While down"}, as_user="rep")
    emulator.update("Lead", third, {"Title": "While down too"}, as_user="rep")
    cycles_before = app.runs("event")
    app.listen()
    for lead, title in ((second, "While down"), (third, "While down too")):
        app.wait_for(
            lambda lead=lead, title=title: (
                app.one("SELECT title FROM syncapp_person WHERE sf_lead_id = ?", (lead,)) == title
            ),
            f"{title} after the restart",
        )
    assert app.runs("event") > cycles_before
    assert app.one("SELECT gaps_today FROM syncapp_listenerstate") == 0  # resumed, not re-read blindly


def test_an_expired_replay_id_falls_back_to_a_delta_read(app: App, emulator: RunningEmulator) -> None:
    app.listen()
    [lead] = lead_ids(emulator, 1)
    emulator.update("Lead", lead, {"Title": "Seen"}, as_user="rep")
    app.wait_for(
        lambda: app.one("SELECT replay_id FROM syncapp_streamchannel WHERE sobject = 'Lead'"), "a replay id"
    )
    app.stop_listener()
    emulator.update("Lead", lead, {"Title": "Missed by the window"}, as_user="rep")
    emulator.expire_replay_window()
    app.listen()
    app.wait_for(
        lambda: (
            app.one("SELECT title FROM syncapp_person WHERE sf_lead_id = ?", (lead,))
            == "Missed by the window"
        ),
        "the delta read",
    )
    assert int(app.one("SELECT gaps_today FROM syncapp_listenerstate")) >= 1  # type: ignore[arg-type]


def test_a_dropped_event_is_caught_by_the_safety_net_and_counted(app: App, emulator: RunningEmulator) -> None:
    app.listen()
    [lead] = lead_ids(emulator, 1)
    emulator.drop_events(1, entity="Lead")
    emulator.update("Lead", lead, {"Title": "Lost event"}, as_user="rep")
    assert emulator.streaming()["dropped"] == 1
    app.execute("UPDATE syncapp_syncsettings SET safety_net_minutes = 0")
    app.shell("from syncapp import services; print(services.sync_cycle_run_if_due().run.trigger)")
    assert app.one("SELECT title FROM syncapp_person WHERE sf_lead_id = ?", (lead,)) == "Lost event"
    assert app.one("SELECT caught_by_safety_net FROM syncapp_listenerstate") == 1


def test_our_own_pushes_do_not_start_event_cycles(app: App, emulator: RunningEmulator) -> None:
    app.listen()
    app.wait_for(
        lambda: app.one("SELECT count(*) FROM syncapp_streamchannel WHERE dirty_since IS NOT NULL") == 0,
        "idle",
    )
    before = app.runs("event")
    [lead] = lead_ids(emulator, 1)
    app.shell(
        "from syncapp import services; from syncapp.models import Person; "
        f"p = Person.objects.get(sf_lead_id='{lead}'); "
        "services.person_update(person=p, changes={'title': 'Pushed by us'}, actor='test'); "
        "services.sync_cycle_run(trigger='manual')"
    )
    assert emulator.query(f"SELECT Title FROM Lead WHERE Id = '{lead}'")[0]["Title"] == "Pushed by us"
    app.wait_for(
        lambda: int(app.one("SELECT own_events_today FROM syncapp_listenerstate")) >= 1, "our event back"
    )  # type: ignore[arg-type]
    assert app.runs("event") == before


def test_the_listener_survives_the_emulator_restarting(app: App, emulator: RunningEmulator) -> None:
    app.listen()
    [lead] = lead_ids(emulator, 1)
    emulator.restart(down_seconds=1.0)
    emulator.update("Lead", lead, {"Title": "After the restart"}, as_user="rep")
    app.wait_for(
        lambda: (
            app.one("SELECT title FROM syncapp_person WHERE sf_lead_id = ?", (lead,)) == "After the restart"
        ),
        "the edit after the restart",
        deadline=60,
    )
