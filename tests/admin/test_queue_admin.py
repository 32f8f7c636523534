"""django-q2's tables: looking is not re-running; only superusers edit schedules, which call our tasks."""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure, Schedule, Success

from syncapp.roles import SYNC_ADMINISTRATORS

FAILURES = reverse("admin:django_q_failure_changelist")
SUCCESSES = reverse("admin:django_q_success_changelist")
SCHEDULE_ADD = reverse("admin:django_q_schedule_add")


def failed_task() -> Failure:
    now = timezone.now()
    return Failure.objects.create(
        id=uuid.uuid4().hex,
        name="failed-once",
        func="math.floor",
        args=(1.5,),
        started=now,
        stopped=now,
        success=False,
    )


def resubmit(client, url: str, action: str, task: Failure | Success):
    return client.post(url, {"action": action, "_selected_action": [task.pk]}, follow=True)


def schedule_form(func: str) -> dict[str, str]:
    tomorrow = timezone.now() + timezone.timedelta(days=1)
    return {
        "name": "nightly",
        "func": func,
        "schedule_type": "D",
        "repeats": "-1",
        "next_run_0": tomorrow.date().isoformat(),
        "next_run_1": "03:00:00",
    }


def test_a_user_who_may_only_look_cannot_rerun_or_delete_a_failed_task(staff_client):
    task = failed_task()
    client = staff_client(groups=(SYNC_ADMINISTRATORS,))

    listing = client.get(FAILURES)
    response = resubmit(client, FAILURES, "resubmit_failed_task", task)
    resubmit(client, FAILURES, "resubmit_task", task)

    assert listing.status_code == 200
    assert "failed-once" in listing.content.decode()
    assert "Run the selected tasks again" not in listing.content.decode()
    assert response.status_code == 200
    assert Failure.objects.filter(pk=task.pk).exists()
    assert not Success.objects.exists()


def test_rerunning_a_failed_task_needs_the_change_and_delete_permissions(staff_client):
    task = failed_task()
    client = staff_client("django_q.view_failure", "django_q.change_failure", "django_q.delete_failure")

    resubmit(client, FAILURES, "resubmit_failed_task", task)

    assert not Failure.objects.filter(pk=task.pk).exists()


def test_the_change_permission_alone_does_not_delete_a_failure_record(staff_client):
    task = failed_task()
    client = staff_client("django_q.view_failure", "django_q.change_failure")

    resubmit(client, FAILURES, "resubmit_failed_task", task)

    assert Failure.objects.filter(pk=task.pk).exists()


def test_a_sync_administrator_may_look_at_schedules_but_not_add_or_change_one(staff_client):
    schedule = Schedule.objects.create(name="sync", func="syncapp.tasks.run_scheduled_sync")
    client = staff_client(groups=(SYNC_ADMINISTRATORS,))

    page = client.get(reverse("admin:django_q_schedule_change", args=[schedule.pk]))
    add = client.get(SCHEDULE_ADD)
    post = client.post(SCHEDULE_ADD, schedule_form("syncapp.tasks.run_sync_cycle"))
    change = client.post(
        reverse("admin:django_q_schedule_change", args=[schedule.pk]), schedule_form("os.system")
    )

    assert "View Scheduled task" in page.content.decode()
    assert [add.status_code, post.status_code, change.status_code] == [403, 403, 403]
    assert Schedule.objects.get().func == "syncapp.tasks.run_scheduled_sync"


def test_even_a_superuser_cannot_schedule_a_function_that_is_not_one_of_our_tasks(admin_client):
    refused = admin_client.post(SCHEDULE_ADD, schedule_form("os.system"))
    hook = admin_client.post(
        SCHEDULE_ADD, {**schedule_form("syncapp.tasks.run_sync_cycle"), "hook": "os.system"}
    )
    accepted = admin_client.post(SCHEDULE_ADD, schedule_form("syncapp.tasks.run_sync_cycle"))

    assert refused.status_code == 200
    assert "is not one" in refused.content.decode()
    assert "is not one" in hook.content.decode()
    assert accepted.status_code == 302
    assert list(Schedule.objects.values_list("func", "hook")) == [("syncapp.tasks.run_sync_cycle", None)]
