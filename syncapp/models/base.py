"""What every mirrored Salesforce record carries, the lookup field type that points at one by its id, and the
one-row-per-install models' base."""

from __future__ import annotations

from django.db import models

SINGLETON_PK = 1


class Singleton:
    """One row per install (settings, the listener's state). Reading never writes a row: `load` gives the
    saved row or unsaved defaults; writers call `ensure`, which creates it."""

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=SINGLETON_PK).first() or cls(pk=SINGLETON_PK)

    @classmethod
    def ensure(cls):
        obj, _ = cls.objects.get_or_create(pk=SINGLETON_PK)
        return obj


class MirrorJSONField(models.JSONField):
    """A JSONField without SQLite's `CHECK (JSON_VALID(...))`.

    Only the sync writes these columns, always from orjson or SQLite's json_object(); re-parsing every
    document on insert cost SQLite about a sixth of a first load's time.
    """

    def db_check(self, connection):
        return None


class SalesforceRecord(models.Model):
    """A local copy of one Salesforce record: its id, stamps, and every synced field by API name."""

    sf_id = models.CharField("Salesforce id", max_length=18, unique=True, null=True, blank=True)
    sf_created_at = models.DateTimeField("created in Salesforce", null=True, blank=True)
    sf_modstamp = models.DateTimeField("SystemModstamp", null=True, blank=True, db_index=True)
    sf_deleted = models.BooleanField("deleted in Salesforce", default=False)
    sf_fields = MirrorJSONField("Salesforce fields", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def SalesforceLookup(to: str, *, related_name: str, db_column: str, verbose_name: str, **kw):
    """A foreign key stored as the target's 18-char Salesforce id.

    The pull writes the id Salesforce sent without a lookup per row, and a target that is not mirrored yet
    (pulled later in the cycle, or hidden from the sync user) is allowed: hence no database constraint.
    """
    return models.ForeignKey(
        to,
        to_field=kw.pop("to_field", "sf_id"),
        db_column=db_column,
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name=related_name,
        verbose_name=verbose_name,
        **kw,
    )
