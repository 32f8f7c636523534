"""A marketer runs Salesforce actions from a person's page and from a list, and sees the outcome appear."""

from __future__ import annotations

import django_q.conf
import pytest
from playwright.sync_api import expect

from syncapp import services
from syncapp.models import FlowRun, Person
from syncapp.sync.cycle import run_cycle
from tests.flows.people import a_lead, local_person

pytestmark = pytest.mark.browser


def open_person(page, live_server, person):
    page.goto(f"{live_server.url}/admin/syncapp/person/{person.pk}/change/")
    expect(page.locator("h1")).to_contain_text("Change")


def choose_action(page, label):
    page.get_by_text("Salesforce actions").click()
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator("h1")).to_have_text(label)


def test_sync_person_to_sfdc_result_appears_on_the_page_without_a_reload(
    logged_in_page, live_server, emulator, monkeypatch
):
    run_cycle(trigger="test")
    person = local_person()
    # The worker is "elsewhere": the click only queues the run, which this test then runs itself.
    monkeypatch.setattr(django_q.conf.Conf, "SYNC", False)
    page = logged_in_page

    open_person(page, live_server, person)
    choose_action(page, "Sync Person to SFDC")
    page.get_by_role("button", name="Run Sync Person to SFDC").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sync Person to SFDC is running")
    expect(page.locator("#sync-flow-runs")).to_contain_text("Queued")

    run = FlowRun.objects.get(person=person)
    services.flow_runs_execute(flow_run_ids=[run.pk])

    expect(page.locator("#sync-flow-runs")).to_contain_text("Created lead", timeout=10_000)
    expect(page.locator("#panel-activity")).to_contain_text("Sync Person to SFDC")
    person.refresh_from_db()
    assert emulator.record("Lead", person.sf_lead_id)["LastName"] == "Okafor"


def test_a_marketer_converts_a_lead_and_sees_it_become_a_contact(logged_in_page, live_server, emulator):
    run_cycle(trigger="test")
    lead = a_lead()
    page = logged_in_page

    open_person(page, live_server, lead)
    choose_action(page, "Convert Person")
    page.get_by_label("Opportunity name").fill("First order")
    page.get_by_role("button", name="Run Convert Person").click()

    expect(page.locator("#sync-flow-runs")).to_contain_text("Succeeded")
    expect(page.locator("#sync-flow-runs")).to_contain_text("into contact")
    expect(page.locator(".fieldBox.field-sfdc_type")).to_contain_text("Contact")
    lead.refresh_from_db()
    assert lead.sfdc_type == Person.SfdcType.CONTACT


def test_a_marketer_runs_a_list_action_on_three_people(logged_in_page, live_server, emulator):
    run_cycle(trigger="test")
    people = [local_person(email=f"list{n}@example.com", last_name=f"Listed{n}") for n in range(3)]
    page = logged_in_page

    page.goto(f"{live_server.url}/admin/syncapp/person/?sfdc_type__exact=")
    for person in people:
        page.locator(f'input[name="_selected_action"][value="{person.pk}"]').check()
    page.locator('select[name="action"]').select_option("flow_sync_person_to_sfdc")
    page.locator('.actions button[name="index"]').click()
    expect(page.locator("#content-main")).to_contain_text("For 3 people")
    page.get_by_role("button", name="Run Sync Person to SFDC").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Sync Person to SFDC is running for 3 people")
    statuses = set(FlowRun.objects.filter(person__in=people).values_list("status", flat=True))
    assert statuses == {FlowRun.Status.SUCCEEDED}
    assert Person.objects.filter(pk__in=[p.pk for p in people], sfdc_type="lead").count() == 3
