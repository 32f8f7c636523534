"""The org's clock: one transaction is stamped with one time, as Salesforce stamps a DML batch."""

from __future__ import annotations

from datetime import timedelta

from sfdc_emulator.org.store import Store


def test_a_transaction_reads_one_time_however_long_it_runs() -> None:
    store = Store(":memory:")
    with store.transaction():
        started = store.clock.now()
        store.clock.advance(5)  # the work inside crosses seconds: every record still gets the same stamp
        with store.transaction():
            assert store.clock.now() == started
        assert store.clock.now() == started
    assert store.clock.now() >= started + timedelta(seconds=5)


def test_a_rolled_back_transaction_lets_the_clock_run_again() -> None:
    store = Store(":memory:")
    try:
        with store.transaction():
            started = store.clock.now()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    store.clock.advance(5)
    assert store.clock.now() >= started + timedelta(seconds=5)
