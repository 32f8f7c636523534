"""Flow actions end to end: a mirrored demo org, and a helper that runs an action through the service."""

from __future__ import annotations

import pytest

from syncapp import services
from syncapp.models import ActivityLog, FlowRun, Person, SalesforceUser
from syncapp.sync.cycle import run_cycle


@pytest.fixture
def synced(db, emulator):
    """The demo org mirrored by one cycle (users, queues, campaigns, people)."""
    result = run_cycle(trigger="test")
    assert result.run is not None
    return emulator


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
    return list(ActivityLog.objects.filter(person=person, type=type_))
