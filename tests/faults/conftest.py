"""Fixtures of the fault suite: its size, worker processes on a database of their own, the emulator's org."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests.faults.harness import Workers


@dataclass(frozen=True)
class Size:
    persons: int
    kills: int
    bursts: int
    flow_people: int  # people created in the admin per batch of the flow kills


# `make test` runs the reduced size; `make faults` sets FAULTS_SIZE=full (the figures in docs/benchmarks.md).
SIZES = {
    "small": Size(persons=150, kills=5, bursts=1, flow_people=3),
    "full": Size(persons=5000, kills=24, bursts=4, flow_people=200),
}


@pytest.fixture
def size() -> Size:
    return SIZES[os.environ.get("FAULTS_SIZE", "small")]


@pytest.fixture
def workers(emulator, tmp_path):
    seed = int(os.environ.get("FAULTS_SEED", "15"))
    workers = Workers(emulator_env=emulator.env, tmp=tmp_path, seed=seed)
    yield workers
    workers.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
