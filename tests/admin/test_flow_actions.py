"""Flow actions in the admin: the person page's menu, the options page, list actions, permissions, polling."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from syncapp.models import ActivityLog, FlowRun, Person
from tests.flows.people import a_lead, local_person

pytestmark = pytest.mark.django_db


def flow_url(person: Person, key: str = "sync_person_to_sfdc") -> str:
    return reverse("admin:syncapp_person_flow", args=[person.pk, key])


@pytest.fixture
def synced_admin(admin_client, synced):
    return admin_client


def test_a_persons_page_offers_every_salesforce_action_as_a_post_button(synced_admin):
    lead = a_lead()

    page = synced_admin.get(reverse("admin:syncapp_lead_change", args=[lead.pk])).content.decode()

    assert "Salesforce actions" in page
    for label in ("Sync Person to SFDC", "Convert Person", "Add to SFDC Campaign", "Delete Person from SFDC"):
        assert f">{label}</button>" in page
    assert (
        f'<form method="post" action="{reverse("admin:syncapp_lead_flow", args=[lead.pk, "convert_person"])}"'
        in page
    )


def test_get_on_an_action_url_shows_the_options_and_changes_nothing(synced_admin):
    lead = a_lead()

    response = synced_admin.get(flow_url(lead))

    assert response.status_code == 200
    assert "Run Sync Person to SFDC" in response.content.decode()
    assert not FlowRun.objects.exists()


def test_running_an_action_from_the_page_queues_it_and_the_outcome_lands_on_the_person(
    synced_admin, synced, django_capture_on_commit_callbacks
):
    person = local_person()

    with django_capture_on_commit_callbacks(execute=True):
        response = synced_admin.post(flow_url(person), {"_run": "1", "assign_to": "rules"}, follow=True)

    assert "is running for" in response.content.decode()
    run = FlowRun.objects.get()
    assert run.status == FlowRun.Status.SUCCEEDED, run.result
    assert run.requested_by.username == "admin"
    person.refresh_from_db()
    assert synced.record("Lead", person.sf_lead_id)["Email"] == person.email
    entry = ActivityLog.objects.get(person=person, type=ActivityLog.Type.SYNC_PERSON)
    assert entry.actor.username == "admin"
    fragment = synced_admin.get(reverse("admin:syncapp_person_flow_runs", args=[person.pk])).content.decode()
    assert 'data-active="false"' in fragment
    assert "Created lead" in fragment


def test_invalid_options_are_form_errors_and_run_nothing(synced_admin):
    lead = a_lead()

    response = synced_admin.post(
        flow_url(lead), {"_run": "1", "assign_to": "user", "user": "005NOSUCHUSER00AAA"}
    )

    assert response.status_code == 200
    assert "Choose an active Salesforce user" in response.content.decode()
    response = synced_admin.post(
        flow_url(lead, "add_to_sfdc_campaign"), {"_run": "1", "campaign": "701NOPE", "status": "Sent"}
    )
    assert "Choose a campaign synced from Salesforce" in response.content.decode()
    assert not FlowRun.objects.exists()


def test_a_user_without_the_actions_permission_is_refused(client, django_user_model, synced):
    user = django_user_model.objects.create_user("viewer", password="pw-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(user)
    lead = a_lead()

    page = client.get(reverse("admin:syncapp_person_change", args=[lead.pk])).content.decode()
    response = client.post(flow_url(lead), {"_run": "1", "assign_to": "rules"})

    assert "Salesforce actions" not in page
    assert response.status_code == 403
    assert not FlowRun.objects.exists()


def test_one_actions_permission_gives_that_action_only(client, django_user_model, synced):
    user = django_user_model.objects.create_user("marketer", password="pw-12345", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_person"), Permission.objects.get(codename="run_create_task")
    )
    client.force_login(user)
    lead = a_lead()

    page = client.get(reverse("admin:syncapp_person_change", args=[lead.pk])).content.decode()

    assert ">Create Task</button>" in page
    assert ">Convert Person</button>" not in page
    assert client.post(flow_url(lead, "convert_person"), {"_run": "1"}).status_code == 403


def test_unknown_actions_and_malformed_ids_are_not_found(synced_admin):
    lead = a_lead()

    assert synced_admin.post(flow_url(lead, "launch_rockets")).status_code == 404
    assert synced_admin.post("/admin/syncapp/person/abc/flow/sync_person_to_sfdc/").status_code == 404


def test_a_list_action_asks_for_options_then_runs_for_every_selected_person(
    synced_admin, synced, django_capture_on_commit_callbacks
):
    people = [local_person(email=f"bulk{n}@example.com") for n in range(3)]
    changelist = reverse("admin:syncapp_person_changelist")
    selected = [str(p.pk) for p in people]

    page = synced_admin.post(
        changelist, {"action": "flow_sync_person_to_sfdc", "_selected_action": selected, "index": "0"}
    )
    assert page.status_code == 200
    assert "For <strong>3 people</strong>" in page.content.decode()
    assert not FlowRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = synced_admin.post(
            changelist,
            {
                "action": "flow_sync_person_to_sfdc",
                "_selected_action": selected,
                "_run": "1",
                "assign_to": "rules",
            },
            follow=True,
        )

    assert "is running for 3 people" in response.content.decode()
    assert list(FlowRun.objects.values_list("status", flat=True)) == [FlowRun.Status.SUCCEEDED] * 3
    assert Person.objects.filter(pk__in=selected, sfdc_type="lead").count() == 3


def test_a_double_click_queues_the_action_once(synced_admin, monkeypatch):
    import django_q.conf

    monkeypatch.setattr(django_q.conf.Conf, "SYNC", False)  # the worker has not picked the first one up yet
    person = local_person()

    synced_admin.post(flow_url(person), {"_run": "1", "assign_to": "rules"})
    response = synced_admin.post(flow_url(person), {"_run": "1", "assign_to": "rules"}, follow=True)

    assert "already queued or running" in response.content.decode()
    assert FlowRun.objects.filter(person=person).count() == 1


def test_a_list_action_with_bad_options_or_a_forged_selection_runs_nothing(synced_admin):
    changelist = reverse("admin:syncapp_person_changelist")
    lead = a_lead()

    bad_options = synced_admin.post(
        changelist,
        {
            "action": "flow_change_owner",
            "_selected_action": [str(lead.pk)],
            "_run": "1",
            "assign_to": "queue",
        },
    )
    forged = synced_admin.post(
        changelist, {"action": "flow_change_owner", "_selected_action": ["abc"], "_run": "1"}, follow=True
    )

    assert bad_options.status_code == 200
    assert "Choose the lead queue to assign to." in bad_options.content.decode()
    assert forged.status_code == 200
    assert not FlowRun.objects.exists()
