"""Bursts of Salesforce errors, slow answers, an expired session and the daily API limit, mid-cycle."""

from __future__ import annotations

import random

from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import make_changes, person_count

# kind, count, where (a path pattern, so the fault lands mid-cycle rather than on the login), delay
BURSTS = (
    ("server_unavailable", 3, "/query", 0),
    ("unable_to_lock_row", 5, None, 0),
    ("bad_gateway", 2, "/composite", 0),
    ("delay", 4, "/query", 300),  # slow answers, within the client's timeout
    ("delay", 1, "/composite", 2500),  # past SALESFORCE_TIMEOUT: a timeout, retried
    ("invalid_session", 1, "/composite", 0),  # the session expires mid-cycle: log in again, carry on
)


def test_bursts_of_errors_and_an_expired_session_mid_cycle_lose_nothing(emulator, workers, size):
    emulator.seed(persons=size.persons, seed=16)
    workers.env["SALESFORCE_TIMEOUT"] = "2"
    workers.migrate(bulk_threshold=size.persons // 4)
    workers.cycle_until_clean()
    rng = random.Random(16)
    before = person_count(emulator)
    edits: list[dict] = []
    groups = [BURSTS] if size.bursts_together else [(burst,) for burst in BURSTS]
    for round_ in range(size.bursts):
        for group in groups:
            edits += make_changes(emulator, workers, rng, round_ * 10 + len(edits), edits)
            for kind, count, path, delay_ms in group:
                emulator.inject_fault(kind, count, path=path, delay_ms=delay_ms)
                workers.totals.faults[kind] += count
            workers.cycle_until_clean()
            emulator.clear_faults()
    report = compare(emulator, workers.settle(), edits)
    record("bursts", workers.totals, report)

    assert report.clean, report.summary()
    assert person_count(emulator) == before


def test_the_daily_api_limit_stops_a_cycle_cleanly_and_the_next_day_resumes(emulator, workers, size):
    emulator.seed(persons=size.persons, seed=17)
    workers.migrate(bulk_threshold=size.persons // 4)
    workers.cycle_until_clean()
    rng = random.Random(17)
    edits = make_changes(emulator, workers, rng, 0, [])
    limit = emulator.usage()["limit"]
    emulator.set_usage(used=limit - 2)  # a few calls left: the limit is reached mid-cycle

    stopped = workers.run("sync")
    last = workers.dump()["last_run"]
    emulator.set_usage(used=0)  # midnight: the org's daily count starts again
    workers.totals.faults["request_limit"] += 1
    report = compare(emulator, workers.settle(), edits)
    record("api limit", workers.totals, report)

    assert stopped.returncode != -9
    assert "The sync resumes when the limit resets." in last["message"], last
    assert report.clean, report.summary()
