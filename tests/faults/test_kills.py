"""The worker killed with SIGKILL at seeded points of real cycles: nothing lost, nothing doubled."""

from __future__ import annotations

import random

from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import make_changes, person_count

# Kills aimed at the points the README's promise is about (kind:N:text, see worker.py), between random ones.
INITIAL_LOAD = ("http:2:/jobs/query", "sql:3:syncapp_synccursor", "sql:1:create index")
LATER = (
    "pre:1:(push)",  # the pull is committed, the push not sent
    "http:1:(push)",  # Salesforce accepted the push, the outbox does not know yet
    'sql:1:update "syncapp_outboundchange"',  # mid-push, recording the answers
    'sql:2:"syncapp_person"',  # mid-page of a delta
    "",
)


def test_a_worker_killed_at_random_points_loses_no_edit_and_duplicates_no_record(emulator, workers, size):
    emulator.seed(persons=size.persons, seed=15)
    workers.migrate(bulk_threshold=size.persons // 4)  # the first cycle loads people through Bulk API 2.0
    rng = random.Random(15)
    before = person_count(emulator)
    edits: list[dict] = []
    for target in INITIAL_LOAD:
        workers.cycle_killed(target)
    workers.cycle_until_clean()
    for round_ in range(size.kills * 3):
        if workers.totals.kills >= size.kills and round_ >= len(LATER):  # every aimed kill, then enough
            break
        edits += make_changes(emulator, workers, rng, round_, edits)
        # An aimed kill, sometimes a random one after it (a crash loop), then restarts until a clean cycle.
        workers.cycle_killed(LATER[round_ % len(LATER)])
        if rng.random() < size.extra_kill_chance:
            workers.cycle_killed()
        workers.cycle_until_clean()
    report = compare(emulator, workers.settle(), edits)
    record("kills", workers.totals, report)

    assert workers.totals.kills >= size.kills
    assert {
        "initial Bulk load",
        "index rebuild",
        "push answered, not recorded",
        "between the pull and the push",
    } <= set(workers.totals.kills_by_phase), workers.totals.kills_by_phase
    assert report.clean, report.summary()
    assert person_count(emulator) == before  # the push never creates: a replay doubles nothing
    assert report.compared > size.persons
