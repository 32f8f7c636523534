"""The emulator stops whenever it is told to, even before or while its listeners start."""

from __future__ import annotations

import threading

from sfdc_emulator.org.org import Org
from sfdc_emulator.server.app import EmulatorServer


def test_stop_before_the_listeners_serve_returns() -> None:
    # A SIGTERM landing inside start() (a benchmark stopping a seeding emulator as soon as its port opened)
    # used to leave a listener without a serving thread, and stop() waited for it forever.
    server = EmulatorServer(Org(":memory:", seed="empty"), port=None, http_port=0)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=30)
    assert not stopper.is_alive()


def test_stop_after_start_shuts_every_listener() -> None:
    server = EmulatorServer(Org(":memory:", seed="empty"), port=None, http_port=0)
    server.start()
    server.stop()
    assert all(not thread.is_alive() for thread in server._threads)
