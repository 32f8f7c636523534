"""Load test: marketers using the admin over HTTP while the initial load of a big org runs in the workers.

    python -m benchmarks.admin_load --persons 1000000 --users 20 [--idle-rounds 3]

An emulator process with `--persons` people, a fresh database (SQLite, or PostgreSQL when DATABASE_URL points
at it, then with Redis as the broker when REDIS_URL is set), gunicorn, and `--workers` `manage.py qcluster`
processes (default: 1 on SQLite, the ORM broker; 2 on PostgreSQL). One sync cycle is queued, as "Sync
now" does, and `--users` marketers (a thread each, a keep-alive session each, no think time) log in and go
round the admin until that cycle has finished: the dashboard and its refresh, the people lists (plain,
searched for a name read off the list, filtered by a link of the filter sidebar), the leads and contacts
lists, a person's page and activity log, the activity log of everyone, and a flow action clicked as its button
does (POST with the CSRF token, the options page read and sent back with its defaults). Then the same rounds
with the sync idle: the baseline, measured in the same run on the same (now full) mirror. Prints JSON:
requests, errors (any answer but the expected one), 500s, 503s (a write that got no lock: "try again"), and
lock errors in the servers' logs, p50 / p95 per page in both phases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from benchmarks.forms import FormReader
from benchmarks.stack import Stack

PEOPLE = "/admin/syncapp/person/"
# The flows a marketer clicks here: they write to Salesforce and the log but leave the person in place, so
# every round finds the same people (Convert and Delete would change what the next round sees). Their options
# pages are valid as they come (the campaign flows need a member status typed in, read elsewhere).
CLICKED_FLOWS = ("sync_person_to_sfdc", "create_task", "change_owner")
LOCK_WORDS = ("database is locked", "deadlock detected", "lock timeout", "could not obtain lock")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        self.phase = "load"

    def add(self, page: str, status: int, seconds: float) -> None:
        with self.lock:
            self.rows[self.phase].append((page, status, seconds))


class Marketer:
    def __init__(self, base: str, username: str, password: str, seed: int, record: Recorder) -> None:
        self.base, self.username, self.password, self.record = base, username, password, record
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.http.trust_env = False
        self.errors: list[str] = []

    def call(self, page: str, method: str, path: str, expect: int = 200, **kw) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False, timeout=300, **kw)
        except requests.RequestException as exc:  # counted against its page, then the round goes on
            self.record.add(page, 0, time.perf_counter() - started)
            self.errors.append(f"{method} {path} ({page}): {type(exc).__name__}")
            raise
        self.record.add(page, response.status_code, time.perf_counter() - started)
        if response.status_code != expect:
            self.errors.append(f"{method} {path}: {response.status_code}")
        return response

    def post(self, page: str, path: str, data: dict[str, str], expect: int) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        return self.call(page, "POST", path, expect, data=data, headers={"Referer": self.base + path})

    def login(self) -> None:
        self.call("login page", "GET", "/admin/login/")
        self.post("login", "/admin/login/", {"username": self.username, "password": self.password,
                                             "next": "/admin/"}, expect=302)  # fmt: skip

    def round(self) -> None:
        self.call("dashboard", "GET", "/admin/")
        self.call("dashboard refresh", "GET", "/admin/dashboard/cycle.json")
        listing = self.call("people", "GET", PEOPLE).text
        ids = re.findall(r'href="/admin/syncapp/person/(\d+)/change/[^"]*"', listing)
        names = re.findall(r'href="/admin/syncapp/person/\d+/change/[^"]*">([^<]+)<', listing)
        words = [w for name in names for w in re.findall(r"\w{3,}", name)]
        if words:
            self.call("people, search", "GET", PEOPLE, params={"q": self.rng.choice(words)})
        sidebar = listing.partition('id="changelist-filter"')[2]
        filters = [f.replace("&amp;", "&") for f in re.findall(r'href="(\?[^"]+)"', sidebar)]
        if filters:
            self.call("people, filter", "GET", PEOPLE + self.rng.choice(filters))
        self.call("leads / contacts", "GET", f"/admin/syncapp/{self.rng.choice(('lead', 'contact'))}/")
        self.call("activity log, everyone", "GET", "/admin/syncapp/activitylog/")
        if not ids:
            return  # the load has not written its first people yet
        person = f"{PEOPLE}{self.rng.choice(ids)}/"
        page = self.call("person page", "GET", f"{person}change/").text
        self.call("person's activity log", "GET", f"{person}activity/")
        flows = [k for k in re.findall(r'action="[^"]*/flow/([a-z_]+)/"', page) if k in CLICKED_FLOWS]
        if flows:
            self.click(f"{person}flow/{self.rng.choice(flows)}/")
            self.call("person's flow runs (poll)", "GET", f"{person}flow-runs/")

    def click(self, url: str) -> None:
        """The button (POST, opens the options page), then the options page sent back with its defaults."""
        options = self.post("flow action: options page", url, {}, expect=200)
        form = FormReader()
        form.feed(options.text.partition('<div id="content"')[2] or options.text)
        fields = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
        for name in form.required:
            fields[name] = fields.get(name) or f"Load test {self.username}"
        for name, values in form.choices.items():  # a select left blank: the user picks one (an owner)
            fields[name] = fields.get(name) or self.rng.choice(values)
        self.post("flow action: run", url, {**fields, "_run": "1"}, expect=302)

    def go(self, stop: threading.Event, rounds: int | None) -> None:
        done = 0
        while not stop.is_set() and (rounds is None or done < rounds):
            with contextlib.suppress(requests.RequestException):  # already counted by `call`
                self.round()
            done += 1


def summary(rows: list[tuple[str, int, float]]) -> dict[str, object]:
    by_page: dict[str, list[float]] = defaultdict(list)
    for page, _, seconds in rows:
        by_page[page].append(seconds * 1000)

    def pct(values: list[float], q: int) -> float:
        return (
            round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)
            if len(values) > 1
            else (round(values[0], 1))
        )

    return {
        "requests": len(rows),
        "status_500": sum(1 for _, status, _ in rows if status >= 500 and status != 503),
        # SQLite's write lock not free within the request's wait: the page says the click was not recorded.
        "status_503_busy": sum(1 for _, status, _ in rows if status == 503),
        "pages": {
            page: {"n": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95)} for page, ms in by_page.items()
        },
    }


def run_users(stack: Stack, users: int, idle_rounds: int) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import Count

    from syncapp import services
    from syncapp.models import FlowRun, Person, SyncRun
    from syncapp.roles import MARKETERS

    password = secrets.token_urlsafe(12)
    group = Group.objects.get(name=MARKETERS)
    marketers = []
    record = Recorder()
    for number in range(users):
        user = get_user_model().objects.create_user(f"load{number:02d}", password=password, is_staff=True)
        user.groups.add(group)
        marketers.append(Marketer(stack.web_url, user.username, password, number, record))
    for marketer in marketers:
        marketer.login()
    stop = threading.Event()
    with transaction.atomic():
        services.sync_cycle_request()  # what "Sync now" does: the workers run the initial load
    started = time.perf_counter()
    threads = [threading.Thread(target=m.go, args=(stop, None), daemon=True) for m in marketers]
    for thread in threads:
        thread.start()
    try:
        while not SyncRun.objects.filter(finished_at__isnull=False).exists():
            if not any(t.is_alive() for t in threads) or stop.wait(1.0):
                break  # every user stopped on its own (errors are counted below): nothing left to measure
    finally:
        stop.set()  # interrupted too: the users stop before the stack is taken down under them
    load_seconds = time.perf_counter() - started
    for thread in threads:
        thread.join()
    run = SyncRun.objects.order_by("pk").last()
    people = Person.objects.count()
    record.phase = "idle"
    threads = [threading.Thread(target=m.go, args=(threading.Event(), idle_rounds)) for m in marketers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 600
    while FlowRun.objects.filter(finished_at__isnull=True).exists() and time.monotonic() < deadline:
        threading.Event().wait(1.0)  # the clicked flows finish in the workers: poll, bounded
    errors = [e for m in marketers for e in m.errors]
    return {
        "initial_load": {
            "status": run.status if run else "not started",
            "seconds": round(load_seconds, 1),
            "people": people,
            "people_per_second": round(people / load_seconds),
            "api_calls": run.api_calls if run else 0,
        },
        "errors": len(errors),
        "error_samples": errors[:10],
        "flow_runs": dict(FlowRun.objects.values_list("status").annotate(n=Count("pk"))),
        # Why runs failed, by Salesforce's error code: the demo org has records that break validation rules.
        "flow_run_failures": dict(
            FlowRun.objects.filter(status=FlowRun.Status.FAILED)
            .values_list("error_code")
            .annotate(n=Count("pk"))
        ),
        "during_load": summary(record.rows["load"]),
        "sync_idle": summary(record.rows["idle"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.admin_load")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--idle-rounds", type=int, default=3, help="rounds per user once the load is done")
    parser.add_argument("--workers", type=int, help="qcluster processes (default: 1 on SQLite, 2 otherwise)")
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--org", type=Path, help="a seeded org file to copy (seeded there if absent)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="admin-load-") as tmp:
        stack = Stack(Path(tmp), args.persons, args.org)
        try:
            stack.prepare()
            stack.django()
            workers = args.workers or (1 if stack.kind == "sqlite" else 2)
            stack.start_web(workers=args.web_workers, threads=args.web_threads)
            stack.start_workers(workers)
            out: dict[str, object] = {
                "database": stack.kind,
                "broker": "redis" if stack.env["REDIS_URL"] else "orm",
                "persons": args.persons,
                "users": args.users,
                "qcluster_processes": workers,
                "gunicorn": f"{args.web_workers} workers x {args.web_threads} threads",
                "cpus": os.cpu_count(),
            }
            out.update(run_users(stack, args.users, args.idle_rounds))
            out["log_lines"] = stack.log_lines(
                "Internal Server Error", "Traceback", "WORKER TIMEOUT", *LOCK_WORDS
            )
            if out["errors"] or any(out["log_lines"].values()):
                out["logs_kept_in"] = stack.keep_logs()  # the servers' own account of what went wrong
        finally:
            stack.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
