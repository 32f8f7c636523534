"""Settings of the fault suite's `qcluster` processes: the app's queue for real (not inline), short timeouts.

The ORM broker on the scenario's database, or Redis when REDIS_URL is set (core.settings decides). The lease
and the broker's redelivery are short so a killed cluster's leftovers expire within a scenario.
"""

from __future__ import annotations

from core.settings import Q_CLUSTER as APP_Q_CLUSTER
from core.test_settings import *  # noqa: F403

Q_CLUSTER = {**APP_Q_CLUSTER, "sync": False, "workers": 2, "timeout": 90, "retry": 120, "poll": 0.1}
SYNC_LEASE_SECONDS = 8  # a killed cycle's lease: the next cycle waits this long, not forever
