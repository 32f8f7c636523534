"""Moving the test database to a migration and back, for the tests of data migrations.

Such a test shares its database with the tests after it in the same worker: it must leave the newest schema
behind whatever fails (`migrate_to_newest` in a `finally`). One that stopped at the migration it tested broke
a later transactional test once a newer migration existed.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(target: list[tuple[str, str]]):
    """Migrate to `target`; returns the app registry of that state (the models as they were then)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_newest() -> None:
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes("syncapp"))
