"""Finding people, owners and log rows in the mirrored demo org, for the flow action tests."""

from __future__ import annotations

from syncapp.models import ActivityLog, Person, SalesforceUser


def local_person(**values) -> Person:
    defaults = {
        "first_name": "Nia",
        "last_name": "Okafor",
        "email": "nia@okafor.example",
        "company": "Okafor Ltd",
    }
    return Person.objects.create(**{**defaults, **values})


def a_lead() -> Person:
    return (
        Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False, owner__kind="user")
        .order_by("pk")
        .first()
    )


def a_contact() -> Person:
    return (
        Person.objects.filter(sfdc_type="contact", sf_deleted=False)
        .exclude(sf_fields={})
        .order_by("pk")
        .first()
    )


def a_user(exclude: str | None = None) -> SalesforceUser:
    users = SalesforceUser.objects.filter(kind="user", is_active=True).exclude(sf_id=exclude).order_by("pk")
    return users.first()


def a_queue() -> SalesforceUser:
    return SalesforceUser.objects.filter(kind="queue").first()


def flow_log(person: Person, type_: str) -> list[ActivityLog]:
    """The rows flow runs wrote (the sync logs some of the same types for changes made in Salesforce)."""
    return list(ActivityLog.objects.filter(person=person, type=type_, flow_run__isnull=False))
