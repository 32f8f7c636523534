"""factory_boy factories for local rows of every syncapp model; Salesforce ids are well-formed and unique."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from syncapp import models

# Salesforce key prefixes, so ids look like the ones the org sends.
PREFIX = {
    "user": "005",
    "queue": "00G",
    "account": "001",
    "lead": "00Q",
    "contact": "003",
    "opportunity": "006",
    "role": "00K",
    "campaign": "701",
    "member": "00v",
    "member_status": "01Y",
    "task": "00T",
    "event": "00U",
    "custom": "a00",
}


def sf_id(kind: str, n: int) -> str:
    """An 18-character id with the object's key prefix (the checksum suffix is not computed)."""
    return f"{PREFIX[kind]}{n:012d}AAA"


def sf_id_sequence(kind: str) -> factory.Sequence:
    return factory.Sequence(lambda n: sf_id(kind, n + 1))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    is_staff = True


class SalesforceRecordFactory(factory.django.DjangoModelFactory):
    sf_created_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    sf_modstamp = factory.LazyFunction(timezone.now)
    # A synced field with a column lives in it (DESIGN §3): sf_fields holds only fields without one.
    sf_fields = factory.LazyFunction(dict)


class SalesforceUserFactory(SalesforceRecordFactory):
    class Meta:
        model = models.SalesforceUser

    sf_id = sf_id_sequence("user")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    email = factory.Sequence(lambda n: f"owner{n}@example.com")


class AccountFactory(SalesforceRecordFactory):
    class Meta:
        model = models.Account

    sf_id = sf_id_sequence("account")
    name = factory.Sequence(lambda n: f"Account {n} Ltd")
    industry = "Technology"
    owner = factory.SubFactory(SalesforceUserFactory)


class PersonFactory(SalesforceRecordFactory):
    """A lead by default; `PersonFactory(contact=True)` gives a contact with an account."""

    class Meta:
        model = models.Person

    class Params:
        contact = factory.Trait(
            sfdc_type=models.Person.SfdcType.CONTACT,
            sf_lead_id=None,
            sf_contact_id=sf_id_sequence("contact"),
            sf_id=factory.SelfAttribute("sf_contact_id"),
            account=factory.SubFactory(AccountFactory),
            status="",
        )

    sfdc_type = models.Person.SfdcType.LEAD
    sf_lead_id = sf_id_sequence("lead")
    sf_id = factory.SelfAttribute("sf_lead_id")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    company = factory.Sequence(lambda n: f"Company {n}")
    status = "Open - Not Contacted"
    lead_source = "Web"
    owner = factory.SubFactory(SalesforceUserFactory)


class OpportunityFactory(SalesforceRecordFactory):
    class Meta:
        model = models.Opportunity

    sf_id = sf_id_sequence("opportunity")
    name = factory.Sequence(lambda n: f"Opportunity {n}")
    stage_name = "Prospecting"
    amount = 12500
    close_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    account = factory.SubFactory(AccountFactory)
    owner = factory.SelfAttribute("account.owner")


class OpportunityContactRoleFactory(SalesforceRecordFactory):
    class Meta:
        model = models.OpportunityContactRole

    sf_id = sf_id_sequence("role")
    opportunity = factory.SubFactory(OpportunityFactory)
    person = factory.SubFactory(PersonFactory, contact=True)
    role = "Decision Maker"
    is_primary = True


class CampaignFactory(SalesforceRecordFactory):
    class Meta:
        model = models.Campaign

    sf_id = sf_id_sequence("campaign")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    type = "Webinar"
    status = "In Progress"
    is_active = True
    owner = factory.SubFactory(SalesforceUserFactory)


class CampaignMemberStatusFactory(SalesforceRecordFactory):
    class Meta:
        model = models.CampaignMemberStatus

    sf_id = sf_id_sequence("member_status")
    campaign = factory.SubFactory(CampaignFactory)
    label = "Sent"
    sort_order = factory.Sequence(int)


class CampaignMemberFactory(SalesforceRecordFactory):
    class Meta:
        model = models.CampaignMember

    sf_id = sf_id_sequence("member")
    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    lead_sf_id = factory.LazyAttribute(lambda o: o.person.sf_lead_id or "")
    contact_sf_id = factory.LazyAttribute(lambda o: o.person.sf_contact_id or "")
    status = "Sent"


class CustomObjectTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CustomObjectType
        django_get_or_create = ("api_name",)

    api_name = "Subscription__c"
    label = "Subscription"
    contact_field = "Contact__c"
    lead_field = "Lead__c"
    account_field = "Account__c"


class CustomObjectRecordFactory(SalesforceRecordFactory):
    class Meta:
        model = models.CustomObjectRecord

    sf_id = sf_id_sequence("custom")
    object_type = factory.SubFactory(CustomObjectTypeFactory)
    name = factory.Sequence(lambda n: f"SUB-{n:05d}")
    person = factory.SubFactory(PersonFactory)


class SalesforceActivityFactory(SalesforceRecordFactory):
    class Meta:
        model = models.SalesforceActivity

    sf_id = sf_id_sequence("task")
    kind = models.SalesforceActivity.Kind.TASK
    subject = factory.Sequence(lambda n: f"Follow up call {n}")
    status = "Not Started"
    activity_date = factory.LazyFunction(timezone.localdate)
    person = factory.SubFactory(PersonFactory)
    who_sf_id = factory.LazyAttribute(lambda o: o.person.sf_id if o.person else "")
    owner = factory.SubFactory(SalesforceUserFactory)


class ActivityLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActivityLog

    person = factory.SubFactory(PersonFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    type = models.ActivityLog.Type.CHANGE_DATA_VALUE
    outcome = models.ActivityLog.Outcome.SUCCESS
    primary_attribute = "Email"
    attributes = factory.LazyFunction(
        lambda: {"field": "Email", "old_value": "old@example.com", "new_value": "new@example.com"}
    )
    source = "Salesforce"


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncRun

    status = models.SyncRun.Status.SUCCEEDED
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=3))
    finished_at = factory.LazyFunction(timezone.now)
    api_calls = 4
    api_used = 1520
    api_limit = 100000


class SyncStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncStep

    run = factory.SubFactory(SyncRunFactory)
    sobject = "Lead"
    operation = models.SyncStep.Operation.PULL_UPDATES
    status = models.SyncStep.Status.SUCCEEDED
    started_at = factory.SelfAttribute("run.started_at")
    finished_at = factory.SelfAttribute("run.finished_at")
    created = 3
    updated = 12
    api_calls = 1


class SyncErrorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncError

    run = factory.SubFactory(SyncRunFactory)
    sobject = "Lead"
    operation = "push_updates"
    person = factory.SubFactory(PersonFactory)
    sf_id = factory.LazyAttribute(lambda o: o.person.sf_id if o.person else "")
    code = "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    message = "Phone must be in international format"
    occurred_at = factory.LazyFunction(timezone.now)


class SyncCursorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncCursor
        django_get_or_create = ("sobject",)

    sobject = "Lead"
    high_water = factory.LazyFunction(timezone.now)
    load_state = models.SyncCursor.LoadState.IN_PROGRESS
    rows_read = 4000
    rows_total = 10000


class DeferredIndexFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DeferredIndex

    name = "person_email_example"
    table = "syncapp_person"
    definition = 'CREATE INDEX "person_email_example" ON "syncapp_person" ("email")'


class FieldSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FieldSetting
        django_get_or_create = ("sobject", "api_name")

    sobject = "Lead"
    api_name = factory.Sequence(lambda n: f"Field{n}__c")
    label = factory.LazyAttribute(lambda o: o.api_name.removesuffix("__c").replace("_", " "))
    type = "string"
    length = 255
    custom = factory.LazyAttribute(lambda o: o.api_name.endswith("__c"))
    updateable = True


class OutboundChangeFactory(factory.django.DjangoModelFactory):
    """A pending edit of a person's field; pass `person=` to point it at one."""

    class Meta:
        model = models.OutboundChange
        exclude = ("person",)

    person = factory.SubFactory(PersonFactory)
    sobject = "Lead"
    local_id = factory.SelfAttribute("person.pk")
    sf_id = factory.LazyAttribute(lambda o: o.person.sf_id or "")
    field = "Phone"
    new_value = "+44 20 7946 0000"
    base_value = ""
    actor = "admin: marketer"


class FlowRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FlowRun

    action = "sync_person_to_sfdc"
    person = factory.SubFactory(PersonFactory)
    status = models.FlowRun.Status.SUCCEEDED
    result = "Synced to Salesforce."
