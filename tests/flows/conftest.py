"""Flow actions end to end: a mirrored demo org, and a helper that runs an action through the service."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import FlowRun, Person


@pytest.fixture
def run_flow(synced):
    def run(key: str, persons: list[Person], actor=None, **options) -> list[FlowRun]:
        runs = services.flow_run_request(
            action=key, persons=persons, options=options, actor=actor, foreground=True
        )
        for person in persons:
            person.refresh_from_db()
        return runs

    return run
