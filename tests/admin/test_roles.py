"""Roles: marketers edit people and campaigns and run flows; sync administrators also run the sync."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from syncapp.models import FlowRun
from syncapp.roles import MARKETERS, SYNC_ADMINISTRATORS, apply_roles

SETTINGS = reverse("admin:syncapp_syncsettings_change", args=[1])
SYNC_NOW = reverse("admin:syncapp_syncrun_sync_now")
QUEUE_PAGES = [reverse("admin:django_q_failure_changelist"), reverse("admin:django_q_schedule_changelist")]
SETTINGS_FORM = {
    "enabled": "",
    "pause_seconds": "5 minutes",
    "streaming": "on",
    "safety_net_minutes": "15",
    "schema_every_cycles": "12",
    "bulk_threshold": "10000",
    "lead_conflict_policy": "local",
    "contact_conflict_policy": "salesforce",
    "campaign_conflict_policy": "salesforce",
    "campaign_member_conflict_policy": "salesforce",
    "default_last_name": "[not provided]",
    "default_company": "[not provided]",
    "_save": "Save",
}


def group_codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_a_marketer_edits_people_but_cannot_change_the_sync_settings_or_run_a_cycle(staff_client, mirror):
    client = staff_client(groups=(MARKETERS,))

    person = client.get(reverse("admin:syncapp_lead_change", args=[mirror.lead.pk]))
    settings_page = client.get(SETTINGS)
    settings_post = client.post(SETTINGS, SETTINGS_FORM)
    sync_now = client.post(SYNC_NOW)

    assert "Change lead" in person.content.decode()
    assert "View sync settings" in settings_page.content.decode()
    assert settings_post.status_code == 403
    assert sync_now.status_code == 403


def test_a_marketer_does_not_see_the_task_queue(staff_client, mirror):
    client = staff_client(groups=(MARKETERS,))

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert "/admin/django_q/" not in index.content.decode()
    assert [client.get(url).status_code for url in QUEUE_PAGES] == [403, 403]


def test_a_sync_administrator_switches_the_sync_off_and_looks_at_the_task_queue(staff_client, mirror):
    client = staff_client(groups=(SYNC_ADMINISTRATORS,))

    settings_post = client.post(SETTINGS, SETTINGS_FORM)
    sync_now = client.post(SYNC_NOW)
    index = client.get(reverse("admin:index")).content.decode()

    assert settings_post.status_code == 302
    assert sync_now.status_code == 302
    assert "/admin/django_q/" in index
    assert [client.get(url).status_code for url in QUEUE_PAGES] == [200, 200]


def test_a_user_who_is_not_staff_gets_nothing_whatever_their_group(client, django_user_model, mirror):
    user = django_user_model.objects.create_user("outsider", password="outsider-password-42")
    user.groups.add(Group.objects.get(name=SYNC_ADMINISTRATORS))
    client.force_login(user)

    responses = [client.get(url) for url in (reverse("admin:index"), SETTINGS, *QUEUE_PAGES)]
    post = client.post(SETTINGS, SETTINGS_FORM)

    assert all(r.status_code == 302 and "/admin/login/" in r.url for r in [*responses, post])


def test_the_groups_exist_after_migrating_with_the_matrixs_permissions(db):
    marketer, sync_admin = group_codenames(MARKETERS), group_codenames(SYNC_ADMINISTRATORS)

    assert {
        "view_person",
        "change_person",
        "change_lead",
        "change_campaignmember",
        "view_syncrun",
    } <= marketer
    assert {"run_sync_person_to_sfdc", "run_convert_person", "run_delete_person_from_sfdc"} <= marketer
    assert not {"change_syncsettings", "change_fieldsetting", "view_failure", "delete_person"} & marketer
    assert marketer < sync_admin
    assert {"change_syncsettings", "change_fieldsetting", "change_customobjecttype"} <= sync_admin
    assert {"view_failure", "view_success", "view_schedule", "view_accessattempt"} <= sync_admin
    assert not {"change_schedule", "add_schedule", "delete_failure", "delete_accessattempt"} & sync_admin


def test_a_new_flow_permission_on_flow_runs_reaches_the_marketers(db, monkeypatch):
    monkeypatch.setattr(FlowRun._meta, "permissions", [("run_send_alert", "Can send an alert")])

    apply_roles()

    assert "run_send_alert" in group_codenames(MARKETERS)
    assert "run_send_alert" in group_codenames(SYNC_ADMINISTRATORS)


def test_applying_the_roles_again_removes_what_the_matrix_no_longer_grants(db):
    Group.objects.get(name=MARKETERS).permissions.add(Permission.objects.get(codename="delete_person"))

    apply_roles()

    assert "delete_person" not in group_codenames(MARKETERS)


LOGIN_LINE = re.compile(
    r"^(Superuser|Sync administrator|Marketer) login \(shown once\): (\S+) / (\S+)$", re.M
)


def test_ensure_admin_prints_one_login_of_each_kind_once(db, client, capsys, caplog):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    call_command("ensure_admin")
    second = capsys.readouterr().out

    logins = LOGIN_LINE.findall(first)
    assert [kind for kind, _, _ in logins] == ["Superuser", "Sync administrator", "Marketer"]
    for _, username, password in logins:
        response = client.post(reverse("admin:login"), {"username": username, "password": password})
        assert response.status_code == 302
        client.logout()
        assert password not in second
        assert password not in caplog.text
    assert "shown once" not in second
    assert second.count("already exists") == 3


@pytest.mark.parametrize(
    ("kind", "group"),
    [("syncadmin", SYNC_ADMINISTRATORS), ("marketer", MARKETERS)],
    ids=["admin", "marketer"],
)
def test_ensure_admins_logins_are_staff_in_their_group(db, django_user_model, kind, group):
    call_command("ensure_admin", stdout=None)

    user = django_user_model.objects.get(username=kind)
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
