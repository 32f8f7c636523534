"""Person behaviour in the pull: New Person / Change Data Value logs, conversions, deletes and merges.

Marketo keeps one person per human: a lead converted in Salesforce stays the same person (now a contact);
a lead or contact deleted in Salesforce is kept and flagged; a merge in Salesforce merges the people
(winner's values, empty winner fields take the loser's, activity logs combined).

Long because conversions, merges and the fast lanes' SQL (columns, guard, New Person rows) all apply the
person's one set of rules; merges are the part to move out next.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q

from syncapp.models import (
    Account,
    ActivityLog,
    CampaignMember,
    CustomObjectRecord,
    FlowRun,
    OutboundChange,
    Person,
    SalesforceActivity,
    SyncError,
)
from syncapp.sync.activity_log import ActivityWriter, display, log_new_people
from syncapp.sync.fields import FieldSplitter, record_field
from syncapp.sync.hooks import Hook, HookedObject, RowChange
from syncapp.sync.pull.values import parse_datetime
from syncapp.sync.steps import Counts

Type = ActivityLog.Type


class PersonHook(Hook):
    extra_attnames = ("company",)
    # Conversions and merges are followed through these; a contact's company comes from its account.
    NEEDS = {
        "Lead": (
            "IsConverted",
            "ConvertedContactId",
            "ConvertedAccountId",
            "ConvertedOpportunityId",
            "ConvertedDate",
            "MasterRecordId",
        ),
        "Contact": ("MasterRecordId", "AccountId"),
    }

    def __init__(self, entry: HookedObject, writer: ActivityWriter) -> None:
        super().__init__(entry, writer)
        self.merge_losers: list[int] = []
        self.splitter = FieldSplitter(Person, entry.columns)

    @classmethod
    def required_fields(cls, sobject: str) -> tuple[str, ...]:
        key = (settings.SALESFORCE_LEAD_KEY_FIELD,) if sobject == "Lead" else ()  # see _link_our_new_leads
        return (*cls.NEEDS.get(sobject, ()), *key)

    def prepare(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Counts]:
        if self.entry.sobject != "Lead":
            return records, Counts()
        _link_our_new_leads(records)
        converted = [
            f
            for f in records
            if f.get("IsConverted") and f.get("ConvertedContactId") and not f.get("IsDeleted")
        ]
        if not converted:
            return records, Counts()
        # Two queries for the whole page, not two per converted lead.
        by_lead = Person.objects.in_bulk([f["Id"] for f in converted], field_name="sf_lead_id")
        by_contact = Person.objects.in_bulk(
            [f["ConvertedContactId"] for f in converted], field_name="sf_contact_id"
        )
        new_people: list[tuple[Person, dict[str, Any]]] = []
        counts = Counts()
        for fields in converted:
            person, outcome = self._converted_lead(
                fields, by_lead.get(fields["Id"]), by_contact.get(fields["ConvertedContactId"])
            )
            counts = counts + outcome
            if person is not None:  # two leads of one page converted into the same new contact
                by_contact[fields["ConvertedContactId"]] = person
                new_people.append((person, fields))
        if new_people:
            # One INSERT for the page (an initial load meets thousands of already converted leads).
            Person.objects.bulk_create([person for person, _ in new_people])
            for person, fields in new_people:
                self.writer.add(
                    person.pk,
                    Type.NEW_PERSON,
                    display(fields.get("Email")) or person.sf_contact_id,
                    occurred_at=person.sf_created_at or parse_datetime(fields.get("SystemModstamp")),
                    sfdc_type="Contact",
                    source_type="Salesforce",
                )
        done = {f["Id"] for f in converted}
        return [f for f in records if f["Id"] not in done], counts

    def bulk_condition(self, ref) -> str:
        # Converted leads go through `prepare` (they become, or join, the contact's person).
        converted, contact, deleted = ref("IsConverted"), ref("ConvertedContactId"), ref("IsDeleted")
        if self.entry.sobject != "Lead" or converted is None or contact is None:
            return ""
        not_deleted = f" AND lower({deleted}) <> 'true'" if deleted else ""
        return f"NOT (lower({converted}) = 'true' AND {contact} <> ''{not_deleted})"

    def bulk_columns(self, ref) -> dict[str, str]:
        account = ref("AccountId")
        if self.entry.sobject == "Lead" or account is None:
            return {}
        accounts = connection.ops.quote_name(Account._meta.db_table)
        return {
            "company": f"COALESCE((SELECT substr(name, 1, 255) FROM {accounts} WHERE sf_id = {account}), '')"
        }

    def after_bulk_insert(self, *, after_pk: int | None, pks: tuple[int, ...]) -> None:
        log_new_people(
            list(pks), after_pk=after_pk, sfdc_type=self.entry.sobject, sync_run_id=self.writer.sync_run_id
        )

    def extra_columns(self, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if self.entry.sobject == "Lead":
            return {}
        # A contact's company is its account's name (Marketo's Company fields come from the account).
        account_ids = {r.get("AccountId") for r in records if r.get("AccountId")}
        names = dict(Account.objects.filter(sf_id__in=account_ids).values_list("sf_id", "name"))
        return {
            r["Id"]: {"company": names[r["AccountId"]][:255]} for r in records if r.get("AccountId") in names
        }

    def after(self, changes: list[RowChange]) -> None:
        type_label = self.entry.sobject
        created = [c.pk for c in changes if c.created and c.pk is not None]
        if created:
            log_new_people(created, sfdc_type=type_label, sync_run_id=self.writer.sync_run_id)
        for change in changes:
            if change.pk is None or change.created:
                continue
            if change.deleted_now:
                master = change.new.get("MasterRecordId")
                if master:
                    self.merge_losers.append(change.pk)
                else:
                    self.writer.add(
                        change.pk,
                        Type.DELETED_IN_SFDC,
                        change.sf_id,
                        occurred_at=change.modstamp,
                        sfdc_type=type_label,
                    )
            elif change.changed:
                self.writer.field_changes(
                    change.pk, change.old, change.new, change.changed, occurred_at=change.modstamp
                )
                if "OwnerId" in change.changed:
                    self.writer.add(
                        change.pk,
                        Type.CHANGE_OWNER,
                        display(change.new.get("OwnerId")),
                        occurred_at=change.modstamp,
                        old_value=display(change.old.get("OwnerId")),
                        source="Salesforce",
                    )

    def finish(self) -> None:
        """Merge losers into winners once the whole object is pulled (the winner may come on a later page).

        Only the losers this pull saw: a scan of every deleted person would cost seconds on a big mirror.
        """
        if not self.merge_losers:
            return
        key = self.entry.key
        losers = Person.objects.filter(pk__in=self.merge_losers, merged_into__isnull=True)
        for loser in losers:
            winner_sf_id = record_field(loser, self.entry.columns, "MasterRecordId")
            winner = Person.objects.filter(**{key: winner_sf_id}).exclude(pk=loser.pk).first()
            if winner is not None:
                merge_people(winner=winner, loser=loser, writer=self.writer, occurred_at=loser.sf_modstamp)

    # --- conversions ---------------------------------------------------------------------------------------
    def _converted_lead(
        self,
        fields: dict[str, Any],
        lead_person: Person | None,
        contact_person: Person | None,
    ) -> tuple[Person | None, Counts]:
        """Follow one converted lead; returns a new person for the caller to insert, and what it counted."""
        lead_id, contact_id = fields["Id"], fields["ConvertedContactId"]
        modstamp = parse_datetime(fields.get("SystemModstamp"))
        converted = {
            "is_converted": True,
            "converted_at": (fields.get("ConvertedDate") or None),
        }
        if fields.get("Status"):  # Salesforce sets the converted status on the lead it converts
            converted["status"] = fields["Status"]
        attributes = {
            "contact_id": contact_id,
            "account_id": fields.get("ConvertedAccountId"),
            "opportunity_id": fields.get("ConvertedOpportunityId"),
            "converted_date": fields.get("ConvertedDate"),
        }
        if lead_person and contact_person and lead_person.pk != contact_person.pk:
            # Converted into an existing contact: Salesforce leaves one contact, so do we.
            Person.objects.filter(pk=lead_person.pk).update(sf_lead_id=None)
            merge_people(winner=contact_person, loser=lead_person, writer=self.writer, occurred_at=modstamp)
            Person.objects.filter(pk=contact_person.pk).update(sf_lead_id=lead_id, **converted)
            self.writer.add(
                contact_person.pk, Type.CONVERTED_IN_SFDC, contact_id, occurred_at=modstamp, **attributes
            )
            return None, Counts(updated=1)
        if lead_person and lead_person.sfdc_type == Person.SfdcType.CONTACT:
            # Already followed (e.g. converted through our own Convert Person flow).
            return None, Counts(skipped=1)
        if lead_person:
            # The same person becomes a contact. Its fields are rebased on the contact's record when the
            # contact is pulled (sf_modstamp None marks the row as waiting for it), without a flood of
            # Change Data Value rows for fields that only changed name (City → MailingCity).
            Person.objects.filter(pk=lead_person.pk).update(
                sfdc_type=Person.SfdcType.CONTACT,
                sf_contact_id=contact_id,
                sf_id=contact_id,
                sf_modstamp=None,
                **converted,
            )
            self.writer.add(
                lead_person.pk, Type.CONVERTED_IN_SFDC, contact_id, occurred_at=modstamp, **attributes
            )
            return None, Counts(updated=1)
        if contact_person:
            if contact_person.pk is not None and not contact_person.sf_lead_id:
                Person.objects.filter(pk=contact_person.pk).update(sf_lead_id=lead_id, **converted)
            return None, Counts(skipped=1)
        # First seen already converted (an initial load): one person, waiting for its contact record.
        # Created by the caller with the rest of the page.
        values, _, _ = self.splitter.split(fields)
        values = {k: v for k, v in values.items() if k not in ("status", "is_converted", "converted_at")}
        person = Person(
            sfdc_type=Person.SfdcType.CONTACT,
            sf_lead_id=lead_id,
            sf_contact_id=contact_id,
            sf_id=contact_id,
            sf_created_at=parse_datetime(fields.get("CreatedDate")),
            sf_fields={},
            **{k: v for k, v in values.items() if v is not None},
            **converted,
        )
        return person, Counts(created=1)


PERSON_OBJECTS = tuple(PersonHook.NEEDS)  # the sObjects a person is mirrored from


def _link_our_new_leads(records: list[dict[str, Any]]) -> None:
    """A lead Sync Person to SFDC created (its key names the person) but whose worker died before recording
    it: link that person, as the flow would have, rather than create a second person for one human."""
    key_field, prefix = settings.SALESFORCE_LEAD_KEY_FIELD, settings.SYNC_KEY_PREFIX
    keyed = {}
    for fields in records:
        key = fields.get(key_field) or "" if key_field else ""
        if key.startswith(prefix) and key[len(prefix) :].isdigit() and not fields.get("IsDeleted"):
            keyed[int(key[len(prefix) :])] = fields["Id"]
    if not keyed:
        return
    known = set(Person.objects.filter(sf_lead_id__in=keyed.values()).values_list("sf_lead_id", flat=True))
    waiting = Person.objects.filter(pk__in=[pk for pk, lead in keyed.items() if lead not in known]).filter(
        Q(sf_id__isnull=True) | Q(sf_deleted=True), merged_into__isnull=True
    )
    for pk in waiting.values_list("pk", flat=True):
        Person.objects.filter(pk=pk).update(
            sfdc_type=Person.SfdcType.LEAD,
            sf_id=keyed[pk],
            sf_lead_id=keyed[pk],
            sf_contact_id=None,
            sf_deleted=False,
            sf_modstamp=None,
            is_converted=False,
        )


def merge_people(*, winner: Person, loser: Person, writer, occurred_at=None) -> None:
    """Fold `loser` into `winner`: its history, memberships, activities, flows, errors and pending edits.

    The winner's fields stay as Salesforce holds them: Salesforce's merge already chose the surviving values,
    and the pull brings them. Filling the winner's blanks from the loser here would make the mirror claim
    values (even the loser's MasterRecordId) that Salesforce does not have."""
    for model in (ActivityLog, CampaignMember, SalesforceActivity, CustomObjectRecord, FlowRun, SyncError):
        model.objects.filter(person_id=loser.pk).update(person_id=winner.pk)
    # The loser's pending edits now belong to the winner, and go to the winner's record: the loser's is gone.
    for sobject, sf_id in (("Lead", winner.sf_lead_id), ("Contact", winner.sf_contact_id)):
        changes = OutboundChange.objects.filter(sobject=sobject, local_id=loser.pk)
        changes.update(local_id=winner.pk, **({"sf_id": sf_id} if sf_id else {}))
    OutboundChange.objects.filter(sobject__in=PERSON_OBJECTS, local_id=loser.pk).update(local_id=winner.pk)
    Person.objects.filter(pk=loser.pk).update(merged_into=winner, sf_deleted=True)
    writer.add(
        winner.pk,
        Type.MERGED,
        str(loser),
        occurred_at=occurred_at,
        merged_person_id=loser.pk,
        merged_sf_id=loser.sf_id,
    )
