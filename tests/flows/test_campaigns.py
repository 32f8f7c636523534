"""Add to, Change Status in and Remove from SFDC Campaign, with Marketo's skip rules, end to end."""

from __future__ import annotations

import pytest

from syncapp.flows.campaigns import AddToCampaignForm
from syncapp.models import ActivityLog, Campaign, CampaignMember, FlowRun
from tests.flows.people import a_lead, flow_log, local_person

pytestmark = pytest.mark.django_db
Type = ActivityLog.Type


def a_member() -> CampaignMember:
    return CampaignMember.objects.exclude(person=None).filter(sf_deleted=False).order_by("pk").first()


def campaign_without(person) -> Campaign:
    joined = CampaignMember.objects.filter(person=person).values("campaign_id")
    return Campaign.objects.exclude(sf_id__in=joined).filter(member_statuses__label="Sent").first()


def members_in_org(emulator, campaign_id, sf_id) -> list[dict]:
    return emulator.query(
        f"SELECT Id, Status FROM CampaignMember WHERE CampaignId = '{campaign_id}' "
        f"AND (LeadId = '{sf_id}' OR ContactId = '{sf_id}')"
    )


def test_add_to_campaign_adds_the_person_with_the_status(run_flow, synced):
    lead = a_lead()
    campaign = campaign_without(lead)

    [run] = run_flow("add_to_sfdc_campaign", [lead], campaign=campaign.sf_id, status="Sent")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    [member] = members_in_org(synced, campaign.sf_id, lead.sf_lead_id)
    assert member["Status"] == "Sent"
    assert CampaignMember.objects.get(sf_id=member["Id"]).person == lead  # pulled in at once
    [entry] = flow_log(lead, Type.ADD_TO_CAMPAIGN)
    assert entry.primary_attribute == campaign.name
    assert entry.attributes["salesforce_ids"]["campaign_member"] == member["Id"]


def test_add_to_campaign_skips_a_member_and_keeps_its_status(run_flow, synced):
    member = a_member()
    person = member.person
    other = next(
        s for s in member.campaign.member_statuses.values_list("label", flat=True) if s != member.status
    )

    [run] = run_flow("add_to_sfdc_campaign", [person], campaign=member.campaign_id, status=other)

    assert run.status == FlowRun.Status.SKIPPED
    assert synced.record("CampaignMember", member.sf_id)["Status"] == member.status
    [entry] = flow_log(person, Type.ADD_TO_CAMPAIGN)
    assert entry.outcome == ActivityLog.Outcome.SKIPPED
    assert "Already a member" in entry.attributes["reason"]


def test_change_status_changes_a_members_status(run_flow, synced):
    member = a_member()
    other = next(
        s for s in member.campaign.member_statuses.values_list("label", flat=True) if s != member.status
    )

    [run] = run_flow(
        "change_status_in_sfdc_campaign", [member.person], campaign=member.campaign_id, status=other
    )

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert synced.record("CampaignMember", member.sf_id)["Status"] == other
    member.refresh_from_db()
    assert member.status == other
    assert len(flow_log(member.person, Type.CHANGE_CAMPAIGN_STATUS)) == 1


def test_change_status_adds_a_person_who_is_not_a_member_yet(run_flow, synced):
    lead = a_lead()
    campaign = campaign_without(lead)

    [run] = run_flow("change_status_in_sfdc_campaign", [lead], campaign=campaign.sf_id, status="Sent")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert members_in_org(synced, campaign.sf_id, lead.sf_lead_id)[0]["Status"] == "Sent"


def test_remove_from_campaign_removes_a_member_and_skips_a_non_member(run_flow, synced):
    member = a_member()
    person = member.person
    stranger = a_lead()
    campaign = member.campaign

    [removed] = run_flow("remove_from_sfdc_campaign", [person], campaign=campaign.sf_id)
    [skipped] = run_flow("remove_from_sfdc_campaign", [stranger], campaign=campaign.sf_id)

    assert removed.status == FlowRun.Status.SUCCEEDED, removed.result
    assert not members_in_org(synced, campaign.sf_id, person.sf_id)
    member.refresh_from_db()
    assert member.sf_deleted
    assert skipped.status == FlowRun.Status.SKIPPED
    assert "Not a member" in skipped.result


def test_a_person_only_here_is_synced_then_added(run_flow, synced):
    person = local_person()
    campaign = Campaign.objects.filter(member_statuses__label="Sent").first()

    [run] = run_flow("add_to_sfdc_campaign", [person], campaign=campaign.sf_id, status="Sent")

    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert members_in_org(synced, campaign.sf_id, person.sf_lead_id)


def test_a_status_that_is_not_one_of_the_campaigns_is_a_form_error(synced):
    campaign = Campaign.objects.filter(member_statuses__label="Sent").first()

    form = AddToCampaignForm(data={"campaign": campaign.sf_id, "status": "Bought a yacht"})

    assert not form.is_valid()
    assert "is not a member status of" in form.errors["status"][0]


def test_a_bulk_add_costs_one_membership_query_and_one_write_for_many_people(run_flow, synced):
    people = [p for p in (local_person(email=f"c{n}@example.com") for n in range(5))]
    campaign = Campaign.objects.filter(member_statuses__label="Sent").first()
    run_flow("sync_person_to_sfdc", people, assign_to="rules")
    before = synced.usage()["used"]

    runs = run_flow("add_to_sfdc_campaign", people, campaign=campaign.sf_id, status="Sent")

    assert {r.status for r in runs} == {FlowRun.Status.SUCCEEDED}
    # login is free; membership query, one collection insert, one read-back query
    assert synced.usage()["used"] - before == 3


def test_a_retried_add_whose_first_attempt_added_the_member_says_it_was_added(
    synced, django_capture_on_commit_callbacks
):
    """The first attempt's worker died after Salesforce created the member: "already a member" would lie."""
    import datetime as dt

    from django.utils import timezone

    from syncapp import tasks

    lead = a_lead()
    campaign = campaign_without(lead)
    run = FlowRun.objects.create(
        action="add_to_sfdc_campaign", options={"campaign": campaign.sf_id, "status": "Sent"}, person=lead,
        status=FlowRun.Status.RUNNING, attempts=1, started_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    synced.create(
        "CampaignMember",
        {"CampaignId": campaign.sf_id, "LeadId": lead.sf_lead_id, "Status": "Sent"},
        as_user="sync",
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.recover_flow_runs()

    run.refresh_from_db()
    assert (run.status, run.attempts) == (FlowRun.Status.SUCCEEDED, 2)
    assert "by an earlier attempt" in run.result
    assert len(members_in_org(synced, campaign.sf_id, lead.sf_lead_id)) == 1
