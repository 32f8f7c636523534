"""Reading a mirrored row's Salesforce fields in tests: through the one accessor the app uses."""

from __future__ import annotations

from typing import Any

from django.db import models

from syncapp.sync.fields import record_fields
from syncapp.sync.registry import mirror_entry


def fields_of(obj: models.Model) -> dict[str, Any]:
    """Every Salesforce field of a mirrored row by API name (its columns and `sf_fields`)."""
    entry = mirror_entry(obj)
    return record_fields(obj, entry.columns) if entry else dict(obj.sf_fields or {})
