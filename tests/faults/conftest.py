"""Fixtures of the fault suite: its size, worker processes on a database of their own, the emulator's org."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.harness import Workers


@dataclass(frozen=True)
class Size:
    persons: int
    kills: int  # aimed and random SIGKILLs of the kill scenario, at least
    bursts: int  # rounds of every burst kind
    flow_people: int  # people created in the admin per batch of the flow kills
    race_rounds: int  # cycles raced by edits on both sides
    merge_rounds: int  # rounds of conversions and merges in Salesforce between kills
    extra_kill_chance: float  # after an aimed kill, the chance of a random one (a crash loop)
    bursts_together: bool  # every kind of burst in one cycle, not one cycle per kind


# `make test` runs the reduced size: every scenario and every aimed kill point, with few people and few
# processes (each costs a Python start), in a few minutes. `make faults` sets FAULTS_SIZE=full (the figures
# in docs/benchmarks.md).
SIZES = {
    "small": Size(
        persons=60,
        kills=3,
        bursts=1,
        flow_people=2,
        race_rounds=1,
        merge_rounds=1,
        extra_kill_chance=0.0,
        bursts_together=True,
    ),
    "full": Size(
        persons=5000,
        kills=24,
        bursts=4,
        flow_people=200,
        race_rounds=8,
        merge_rounds=4,
        extra_kill_chance=0.5,
        bursts_together=False,
    ),
}


@pytest.fixture
def size() -> Size:
    return SIZES[os.environ.get("FAULTS_SIZE", "small")]


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Path | None:
    """One migrated SQLite database per session, copied by each scenario (PostgreSQL migrates its own)."""
    folder = tmp_path_factory.mktemp("faults-template")
    template = Workers(emulator_env={}, tmp=folder, seed=0)
    if template.template is None and not template.database_url.startswith("sqlite"):
        template.close()
        return None
    template.ok("migrate", {})
    return folder / "mirror.sqlite3"


@pytest.fixture
def workers(emulator, tmp_path, migrated):
    seed = int(os.environ.get("FAULTS_SEED", "15"))
    workers = Workers(emulator_env=emulator.env, tmp=tmp_path, seed=seed, template=migrated)
    yield workers
    workers.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
