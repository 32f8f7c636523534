"""The cycle and flow actions run by `manage.py qcluster` (ORM broker, or Redis with REDIS_URL), the whole
cluster SIGKILLed mid-task and restarted: the lease stops no cycle for longer than it lasts, and nothing is
lost or doubled."""

from __future__ import annotations

import random
import time

from tests.faults.cluster import Cluster
from tests.faults.compare import compare
from tests.faults.harness import record
from tests.faults.org import make_changes, person_count

TASKS_DONE = "SELECT COUNT(*) FROM django_q_task"
SUCCEEDED_AFTER = "SELECT COUNT(*) FROM syncapp_syncrun WHERE status = 'succeeded' AND id > {}"
LAST_RUN = "SELECT COALESCE(MAX(id), 0) FROM syncapp_syncrun"
FLOWS_DONE = "SELECT COUNT(*) = 0 FROM syncapp_flowrun WHERE status IN ('queued', 'running')"
DEADLINE = 180  # seconds for a restarted cluster to come out clean: the 8 s lease, and a cycle or two


def cycle_until_succeeded(cluster: Cluster) -> None:
    """ "Sync now" until a cycle succeeds: the first may find the killed cycle's lease still held."""
    after, deadline = cluster.scalar(LAST_RUN), time.monotonic() + DEADLINE
    while not cluster.scalar(SUCCEEDED_AFTER.format(after)):
        assert time.monotonic() < deadline, "no cycle succeeded after the restart: the lease never expired?"
        done = cluster.scalar(TASKS_DONE)
        cluster.enqueue(cycle=True)
        cluster.wait_until(f"SELECT ({TASKS_DONE}) > {done}", seconds=DEADLINE)


def test_a_qcluster_killed_as_a_whole_mid_cycle_and_mid_flow_restarts_and_loses_nothing(
    emulator, workers, size
):
    emulator.seed(persons=size.persons, seed=23)
    workers.migrate(bulk_threshold=size.persons // 4)  # the cluster's first cycle loads through Bulk API 2.0
    org_people = person_count(emulator)
    new = workers.ok("people", {"count": size.flow_people * 2, "tag": "Cluster"})
    syncing = {"action": "sync_person_to_sfdc", "persons": new, "options": {"assign_to": "rules"}}
    cluster, rng, edits = Cluster(workers), random.Random(23), []
    try:
        cluster.start(kill="http:2:/jobs/query")  # mid initial load
        cluster.enqueue(cycle=True)
        killed = [cluster.killed_within(DEADLINE)]
        cluster.start()
        cycle_until_succeeded(cluster)
        cluster.stop()

        edits += make_changes(emulator, workers, rng, 1, edits)
        workers.edit(workers.queued)
        workers.queued = []
        cluster.start(kill='sql:2:"syncapp_person"')  # mid-page of a delta
        cluster.enqueue(cycle=True)
        killed.append(cluster.killed_within(DEADLINE))

        cluster.start(kill="http:1:/composite/sobjects/Lead/")  # a flow: the leads exist, not recorded
        cluster.enqueue(flows=[syncing], cycle=True)
        killed.append(cluster.killed_within(DEADLINE, phase="flow action: lead created, not recorded"))

        cluster.start()
        cluster.enqueue(flows=[syncing], stale=True)  # as once the killed runs' task timeout has passed
        cluster.wait_until(FLOWS_DONE, seconds=DEADLINE)
        cycle_until_succeeded(cluster)
        stopped = cluster.scalar(
            "SELECT COUNT(*) FROM syncapp_syncrun WHERE message LIKE '%stopped mid-cycle%'"
        )
    finally:
        cluster.stop()
    dump = workers.settle()
    report = compare(emulator, dump, edits)
    record("qcluster kills", workers.totals, report)

    assert all(killed), killed
    assert report.clean, report.summary()
    assert person_count(emulator) == org_people + len(new)
    assert stopped >= 2  # the cycles the kills cut short say so on the dashboard
    people = {pk: lead for pk, lead, _, _, _ in dump["people"]}
    assert all(people[pk] for pk in new)
    runs = dump["flow_runs"]
    assert all(r["status"] in ("succeeded", "skipped") for r in runs), runs
    assert any(r["attempts"] > 1 for r in runs), runs  # the run the kill cut short was retried, not lost
