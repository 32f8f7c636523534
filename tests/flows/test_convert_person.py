"""Convert Person: SOAP convertLead with Marketo's defaults and with each option beyond Marketo's."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from syncapp.flows import runner
from syncapp.flows.convert_person import ConvertPersonForm
from syncapp.models import Account, ActivityLog, FlowRun, Opportunity, OpportunityContactRole, Person
from tests.flows.people import a_lead, a_user, flow_log, local_person

pytestmark = pytest.mark.django_db
CONVERTED = "Closed - Converted"
CONVERT = ActivityLog.Type.CONVERT_PERSON


@pytest.fixture(autouse=True)
def _fresh_statuses():
    cache.clear()


def convert(run_flow, person, **options):
    [run] = run_flow("convert_person", [person], converted_status=CONVERTED, **options)
    return run


def test_convert_with_the_defaults_makes_the_same_person_a_contact_with_a_new_account_and_opportunity(
    run_flow, synced
):
    lead = a_lead()
    lead_id, history = lead.sf_lead_id, ActivityLog.objects.filter(person=lead).count()

    run = convert(run_flow, lead)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert lead.sfdc_type == Person.SfdcType.CONTACT
    assert lead.sf_lead_id == lead_id
    assert lead.is_converted
    record = synced.record("Lead", lead_id)
    assert record["IsConverted"]
    assert record["Status"] == CONVERTED
    contact = synced.record("Contact", lead.sf_contact_id)
    assert lead.account_id == contact["AccountId"]
    assert Account.objects.filter(sf_id=contact["AccountId"]).exists()
    assert Opportunity.objects.filter(sf_id=record["ConvertedOpportunityId"]).exists()
    assert lead.sf_modstamp is not None  # the contact record was pulled in at once
    assert ActivityLog.objects.filter(person=lead).count() > history  # same person, history kept
    [entry] = flow_log(lead, CONVERT)
    assert entry.attributes["converted_status"] == CONVERTED
    assert entry.attributes["salesforce_ids"]["contact"] == lead.sf_contact_id
    assert not ActivityLog.objects.filter(
        person=lead, type=ActivityLog.Type.CONVERTED_IN_SFDC, source__startswith="flow"
    )


def test_convert_pulls_in_the_contact_role_on_the_new_opportunity(run_flow, synced):
    lead = a_lead()

    convert(run_flow, lead)

    assert OpportunityContactRole.objects.filter(person_id=lead.sf_contact_id).exists()


def test_convert_into_an_existing_account_creates_no_duplicate_account(run_flow, synced):
    lead = a_lead()
    account = Account.objects.filter(sf_deleted=False).order_by("pk").first()
    accounts_before = len(synced.query("SELECT Id FROM Account"))

    run = convert(run_flow, lead, account=account.sf_id)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("Contact", lead.sf_contact_id)["AccountId"] == account.sf_id
    assert len(synced.query("SELECT Id FROM Account")) == accounts_before
    assert lead.account_id == account.sf_id


def test_convert_names_the_opportunity(run_flow, synced):
    lead = a_lead()

    convert(run_flow, lead, opportunity="create", opportunity_name="Okafor renewal 2027")

    opportunity_id = synced.record("Lead", lead.sf_lead_id)["ConvertedOpportunityId"]
    assert Opportunity.objects.get(sf_id=opportunity_id).name == "Okafor renewal 2027"


def test_convert_without_an_opportunity(run_flow, synced):
    lead = a_lead()

    run = convert(run_flow, lead, opportunity="none")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("Lead", lead.sf_lead_id)["ConvertedOpportunityId"] is None
    assert "no opportunity" in run.result


def test_convert_assigns_the_new_records_to_the_chosen_owner(run_flow, synced):
    lead = a_lead()
    user = a_user(exclude=lead.owner_id)

    convert(run_flow, lead, owner=user.sf_id)

    assert synced.record("Contact", lead.sf_contact_id)["OwnerId"] == user.sf_id
    assert lead.owner_id == user.sf_id


def test_convert_emails_the_new_owner_only_when_asked(run_flow, synced):
    first, second = (
        a_lead(),
        Person.objects.filter(sfdc_type="lead", is_converted=False).order_by("-pk").first(),
    )
    user = a_user()

    convert(run_flow, first, owner=user.sf_id, send_notification_email=False)
    assert synced.emails() == []
    convert(run_flow, second, owner=user.sf_id, send_notification_email=True)

    [email] = synced.emails()
    assert (email["to_id"], email["reason"], email["record_id"]) == (
        user.sf_id,
        "lead_convert",
        second.sf_lead_id,
    )


def test_a_person_only_here_is_synced_first_then_converted(run_flow, synced):
    person = local_person()

    run = convert(run_flow, person)

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert person.sfdc_type == Person.SfdcType.CONTACT
    assert synced.record("Lead", person.sf_lead_id)["IsConverted"]
    [entry] = flow_log(person, CONVERT)
    assert "Created lead" in entry.attributes["implied_sync"]
    assert not flow_log(person, ActivityLog.Type.SYNC_PERSON)


def test_a_retried_convert_follows_the_conversion_its_killed_attempt_made(run_flow, synced):
    lead = a_lead()
    run = convert(run_flow, lead)
    contact_id = lead.sf_contact_id
    # Killed after Salesforce converted, before anything was committed here.
    Person.objects.filter(pk=lead.pk).update(sfdc_type="lead", sf_id=lead.sf_lead_id, sf_contact_id=None)
    FlowRun.objects.filter(pk=run.pk).update(status=FlowRun.Status.QUEUED)

    [again] = runner.execute([run.pk])

    lead.refresh_from_db()
    assert again.status == FlowRun.Status.SUCCEEDED, again.result
    assert lead.sf_contact_id == contact_id
    assert len(synced.query(f"SELECT Id FROM Contact WHERE Id = '{contact_id}'")) == 1


def test_converting_a_contact_is_skipped(run_flow, synced):
    lead = a_lead()
    convert(run_flow, lead)

    run = convert(run_flow, lead)

    assert run.status == FlowRun.Status.SKIPPED
    assert len(flow_log(lead, CONVERT)) == 2


def test_a_status_that_is_not_a_converted_status_is_a_form_error(synced):
    form = ConvertPersonForm(data={"converted_status": "Open - Not Contacted", "opportunity": "create"})

    assert not form.is_valid()
    assert "converted_status" in form.errors


def test_an_unknown_existing_account_is_a_form_error(synced):
    form = ConvertPersonForm(
        data={"converted_status": CONVERTED, "opportunity": "create", "account": "No Such Account Inc"}
    )

    assert not form.is_valid()
    assert "No account" in form.errors["account"][0]
