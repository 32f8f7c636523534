"""A click while the sync holds SQLite's write lock: a short wait, then a 503 that says to retry, never a 500.

The suite's database lives in memory, where connections share one cache and a lock taken by one fails the
others at once ("database table is locked"); these tests copy it to a file, the way the app runs, so the
request really waits out its busy timeout behind another connection's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import django_q.conf
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_q.models import OrmQ

from core.errors import server_error
from core.middleware import WriteLockBusy
from syncapp.models import FlowRun, Person
from tests.flows.people import local_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's one writer is their subject; PostgreSQL locks rows: a click never waits for a load.
    pytest.mark.skipif(
        "sqlite" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="SQLite's database-wide write lock",
    ),
]


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[Path]:
    """The default connection, moved for this test to a file copy of the test database."""
    path = tmp_path / "mirror.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # closing an in-memory database would destroy it: set it aside instead
    connection.settings_dict["NAME"] = str(path)
    try:
        yield path
    finally:
        connection.close()
        connection.connection, connection.settings_dict["NAME"] = in_memory, name


@pytest.fixture
def marketer(database_file: Path) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("mia", "mia@example.com", "pw"))
    return client


@pytest.fixture
def worker_queue(monkeypatch) -> None:
    """Flows queued for a cluster on the ORM broker, as in production on SQLite (the suite runs inline)."""
    monkeypatch.setattr(django_q.conf.Conf, "SYNC", False)


def click(client: Client, person: Person):
    url = reverse("admin:syncapp_person_flow", args=[person.pk, "sync_person_to_sfdc"])
    return client.post(url, {"_run": "1", "assign_to": "rules"})


def holding_the_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's transaction, as the worker's CREATE INDEX is: it holds the lock until it ends."""
    sync = sqlite3.connect(path, isolation_level=None)
    sync.execute("BEGIN IMMEDIATE")
    return sync


def test_a_flow_click_while_the_sync_holds_the_write_lock_answers_503_and_records_nothing(
    marketer, database_file, worker_queue, settings
):
    settings.SQLITE_REQUEST_BUSY_SECONDS = 0.2
    person = local_person()
    sync = holding_the_write_lock(database_file)
    try:
        response = click(marketer, person)
    finally:
        sync.rollback()
        sync.close()

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "your click was not recorded" in page
    assert "Try again in a minute." in page
    assert not FlowRun.objects.exists()
    assert not OrmQ.objects.exists()


def test_the_same_click_once_the_lock_is_free_is_recorded_with_its_task(marketer, worker_queue):
    person = local_person()

    response = click(marketer, person)

    assert response.status_code == 302
    run = FlowRun.objects.get()
    assert run.status == FlowRun.Status.QUEUED
    assert run.task_id
    assert OrmQ.objects.count() == 1


def test_a_request_waits_less_for_the_write_lock_than_the_worker_and_leaves_the_longer_wait_behind(
    settings, rf
):
    settings.SQLITE_REQUEST_BUSY_SECONDS = 2.5
    during = []

    def view(request):
        during.append(busy_timeout_ms())
        return HttpResponse()

    WriteLockBusy(view)(rf.get("/admin/"))

    assert during == [2500]
    assert busy_timeout_ms() == settings.SQLITE_BUSY_SECONDS * 1000 == 300_000


def busy_timeout_ms() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return cursor.fetchone()[0]


def test_a_write_outside_any_view_that_finds_the_lock_taken_gets_the_same_503(database_file, rf):
    connection.ensure_connection()  # in WAL mode before the lock is taken, as the app's connections are
    sync = holding_the_write_lock(database_file)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
        try:  # as a session saved by its middleware after the view
            local_person()
        except OperationalError:
            response = server_error(rf.post("/admin/login/"))  # Django calls handler500 in its except
        else:
            pytest.fail("the write got a lock held by another connection")
    finally:
        sync.rollback()
        sync.close()

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "your click was not recorded" in response.content.decode()
