"""Which fast lane takes a Bulk load's new rows: the database's own, or none (`fast_lane.py` says why)."""

from __future__ import annotations

from django.db import connection

from syncapp.sync.pull.copy_lane import CopyInserter
from syncapp.sync.pull.fast_lane import FastLanePlan
from syncapp.sync.pull.sqlite_lane import CsvInserter, SqliteStage, StagedInserter

Lane = CsvInserter | StagedInserter | CopyInserter


def build_lane(plan: FastLanePlan, header: list[str], stage: SqliteStage | None) -> Lane | None:
    """PostgreSQL's COPY lane; on SQLite the second core where the load opened a stage, else one statement."""
    if connection.vendor == "postgresql":
        return CopyInserter.build(plan, header)
    if stage is not None:
        return StagedInserter.build(stage, plan, header)
    return CsvInserter.build(plan, header)
