"""A small mirror with one or two rows of every model, and a logged-in superuser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from syncapp import models
from tests import factories as f

MISSING_OWNER_ID = "005999999999999ZZZ"


@dataclass
class Mirror:
    lead: models.Person
    contact: models.Person
    orphan: models.Person
    run: models.SyncRun


@pytest.fixture
def mirror(db) -> Mirror:
    lead = f.PersonFactory(email="ada@analytical.example", first_name="Ada", last_name="Lovelace")
    contact = f.PersonFactory(
        contact=True, email="grace@navy.example", first_name="Grace", last_name="Hopper"
    )
    # Owned by a user the sync user cannot see: the id is stored, the user is not mirrored.
    orphan = f.PersonFactory(email="orphan@example.com", owner=None)
    models.Person.objects.filter(pk=orphan.pk).update(owner_id=MISSING_OWNER_ID)
    orphan.refresh_from_db()

    now = timezone.now()
    f.ActivityLogFactory(
        person=lead, type=models.ActivityLog.Type.NEW_PERSON, occurred_at=now - dt.timedelta(days=2)
    )
    f.ActivityLogFactory(person=lead, occurred_at=now - dt.timedelta(days=1))
    f.ActivityLogFactory(
        person=lead,
        type=models.ActivityLog.Type.SALESFORCE_REJECTED,
        outcome=models.ActivityLog.Outcome.FAILED,
        primary_attribute="Phone",
        attributes={
            "field": "Phone",
            "new_value": "12",
            "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": "Phone must be in international format",
        },
        source="sync",
        occurred_at=now,
    )
    campaign = f.CampaignFactory()
    f.CampaignMemberStatusFactory(campaign=campaign, label="Sent")
    f.CampaignMemberStatusFactory(campaign=campaign, label="Responded", has_responded=True)
    f.CampaignMemberFactory(campaign=campaign, person=lead)
    f.OpportunityContactRoleFactory(person=contact)
    f.SalesforceActivityFactory(person=lead)
    f.CustomObjectRecordFactory(person=contact)

    run = f.SyncRunFactory()
    f.SyncStepFactory(
        run=run, operation=models.SyncStep.Operation.INITIAL_LOAD, progress_done=40, progress_total=100
    )
    f.SyncErrorFactory(run=run, person=lead)
    f.SyncCursorFactory()
    f.DeferredIndexFactory()
    f.FieldSettingFactory(sobject="Lead", api_name="Email", custom=False)
    f.OutboundChangeFactory(person=contact, sobject="Contact")
    f.FlowRunFactory(person=lead)
    models.SyncSettings.ensure()
    models.StreamChannel.objects.create(sobject="Lead", channel="/data/LeadChangeEvent", replay_id=42)
    models.ListenerState.ensure()
    return Mirror(lead=lead, contact=contact, orphan=orphan, run=run)


@pytest.fixture
def staff_client(db, client, django_user_model):
    """`staff_client("syncapp.view_syncsettings", …)`: the test client logged in as staff with just those."""

    def login(*permissions: str, groups: tuple[str, ...] = ()):
        user = django_user_model.objects.create_user("staff", password="staff-password-42", is_staff=True)
        for name in permissions:
            app_label, codename = name.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        for group in groups:
            user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        return client

    return login
