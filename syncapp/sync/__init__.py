"""The sync engine: one generic pull/push over a registry of synced objects. Never imports admin or tasks."""
