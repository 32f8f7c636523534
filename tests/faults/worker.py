"""A worker process for the fault suite: Django's real commands and services, and a seeded SIGKILL.

Run as `python -m tests.faults.worker ACTION [ARG]` with the app's environment. With FAULT_KILL set to
`http:N` the process kills itself right after the Nth Salesforce response arrived (Salesforce did the work,
we have not recorded it); with `sql:N`, right before its Nth database write (mid-transaction). The kill is
SIGKILL: no `finally`, no rollback handler, no atexit runs, exactly as when the kernel or an operator kills a
worker. What was last in flight is noted in FAULT_NOTES first, so the suite can say where kills landed.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
from datetime import timedelta
from typing import Any

COUNTS = {"http": 0, "sql": 0}
# kind:N[:text]: the Nth event of the kind (whose description holds `text`, when given). Kinds: http (the
# response arrived), pre (the request is about to go), sql (a write is about to run).
KILL_KIND, _, _rest = os.environ.get("FAULT_KILL", "").partition(":")
KILL_AT, _, KILL_MATCH = _rest.partition(":")
MATCHED = {"http": 0, "pre": 0, "sql": 0}
LAST = {"http": "", "sql": ""}


def event(kind: str, description: str) -> None:
    if kind != KILL_KIND or KILL_MATCH.lower() not in description.lower():
        return
    MATCHED[kind] += 1
    if MATCHED[kind] == int(KILL_AT):
        if os.environ.get("FAULT_THEN"):
            change_the_org()
        else:
            die()


def change_the_org() -> None:
    """Instead of dying at the event: change the org there (FAULT_THEN: [[method, control path, body], …]
    on the emulator's control API), as an administrator working in Salesforce mid-cycle would."""
    import urllib.request

    for method, path, body in json.loads(os.environ["FAULT_THEN"]):
        request = urllib.request.Request(
            f"{os.environ['FAULT_CONTROL']}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status < 300, answer.read()


def die() -> None:
    notes = os.environ.get("FAULT_NOTES")
    if notes:
        with open(notes, "a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": KILL_KIND, "at": int(KILL_AT), **LAST}) + "\n")
    if os.environ.get("FAULT_KILL_GROUP"):  # a qcluster: its parent and every worker, as `kill -9 -PGID`
        os.killpg(os.getpgid(0), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def install_kill_hooks() -> None:
    import requests

    send = requests.Session.send

    def counted_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        pushed = b'"PATCH"' in body  # a push: sObject Collections updates inside a composite call
        LAST["http"] = f"{request.method} {request.path_url.split('?')[0]}{' (push)' if pushed else ''}"
        event("pre", LAST["http"])
        response = send(self, request, **kwargs)
        COUNTS["http"] += 1
        event("http", LAST["http"])
        return response

    requests.Session.send = counted_send  # type: ignore[method-assign]

    from django.db import connection

    def count_writes(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP I"):
            COUNTS["sql"] += 1
            LAST["sql"] = " ".join(sql.split()[:6])[:120]
            event("sql", sql[:300])
        return execute(sql, params, many, context)

    # The wrapper list belongs to the connection object, which outlives reconnects.
    connection.execute_wrappers.append(count_writes)


def save_counts() -> None:
    path = os.environ.get("FAULT_COUNTS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(COUNTS, out)


def expire_lease() -> None:
    """What the clock does after a killed worker's lease timeout: the lease is free again."""
    from django.utils import timezone

    from syncapp.models import SyncSettings

    SyncSettings.objects.filter(pk=1).update(lease_until=timezone.now() - timedelta(seconds=1))


def flows_stale() -> None:
    """What the clock does after a flow task's timeout: a run a killed worker left "running" is stale."""
    from django.conf import settings
    from django.utils import timezone

    from syncapp.models import FlowRun

    long_ago = timezone.now() - timedelta(seconds=settings.FLOW_TASK_TIMEOUT + 120)
    FlowRun.objects.filter(status=FlowRun.Status.RUNNING).update(started_at=long_ago)
    FlowRun.objects.filter(status=FlowRun.Status.QUEUED).update(created_at=long_ago)


def run_flow(arg: dict[str, Any]) -> None:
    """`manage.py flow KEY --person … --option …`, exactly as an operator runs it."""
    from django.core.management import CommandError, call_command

    if arg.get("stale"):
        flows_stale()
    people = [f"--person={pk}" for pk in arg["persons"]]
    try:
        call_command("flow", arg["action"], *people, *(f"--option={o}" for o in arg.get("options", ())))
    except CommandError as exc:  # some runs failed: said per person, the suite reads the FlowRuns
        sys.stdout.write(f"{exc}\n")


def enqueue(arg: dict[str, Any]) -> None:
    from django.db import transaction

    from syncapp import services
    from syncapp.models import Person

    if arg.get("stale"):
        flows_stale()
    for flow in arg.get("flows", ()):
        people = list(Person.objects.filter(pk__in=flow["persons"]))
        services.flow_run_request(action=flow["action"], persons=people, options=flow.get("options", {}))
    if arg.get("cycle"):
        with transaction.atomic():
            services.sync_cycle_request()


def retries_due() -> None:
    """What the clock does after a transient error's backoff (a minute and up): the retry is due now."""
    from syncapp.models import OutboundChange

    OutboundChange.objects.filter(state=OutboundChange.State.PENDING).update(next_attempt_at=None)


def sync_settings(values: dict[str, Any]) -> None:
    from syncapp.models import SyncSettings

    SyncSettings.ensure()
    SyncSettings.objects.filter(pk=1).update(**values)


def clean(arg: dict[str, Any]) -> None:
    """Cycles in this process until `times` of them succeeded in a row of attempts (a failed cycle is tried
    again, as the schedule would, with the backoff of transient errors passed); then the dump, if asked.
    One process instead of one per attempt: only a kill needs a new process."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    failures, attempts = [], 0
    for _ in range(arg.get("times", 1)):
        while True:
            attempts += 1
            if attempts > arg["restarts"]:
                raise SystemExit(f"no clean cycle after {arg['restarts']} attempts: {failures[-3:]}")
            COUNTS.update(http=0, sql=0)  # the estimate for aimed kills: one clean cycle's traffic
            expire_lease()
            retries_due()
            out = StringIO()
            try:
                call_command("sync_now", stdout=out)
            except CommandError as exc:
                failures.append(f"{exc}"[-400:])
                continue
            if "Succeeded" in out.getvalue():
                break
            failures.append(out.getvalue()[-400:])
    result: dict[str, Any] = {"cycles": attempts, "failures": failures}
    if arg.get("dump"):
        from tests.faults import mirror

        result["dump"] = mirror.dump()
    sys.stdout.write(json.dumps(result))


def main(action: str, arg: str = "") -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if action == "migrate":
        call_command("migrate", verbosity=0, skip_checks=True)
        sync_settings(json.loads(arg or "{}"))
        return
    if os.environ.get("FAULT_SETTINGS"):  # the scenario's sync settings on a copy of the migrated template
        sync_settings(json.loads(os.environ["FAULT_SETTINGS"]))
    if action in ("dump", "edit", "people"):
        from tests.faults import mirror

        do = {"dump": lambda _: mirror.dump(), "edit": mirror.edit, "people": mirror.local_people}
        out = do[action](json.loads(arg or "null"))
        sys.stdout.write(json.dumps(out))
        return
    edits = os.environ.get("FAULT_EDITS")
    if edits:  # local edits made just before this cycle (one process instead of two), never killed
        from tests.faults import mirror

        with open(edits, encoding="utf-8") as queued:
            mirror.edit(json.load(queued))
    atexit.register(save_counts)
    install_kill_hooks()
    if action == "sync":
        expire_lease()
        if os.environ.get("FAULT_RETRIES_DUE"):
            retries_due()
        call_command("sync_now")
        return
    if action == "flow":
        run_flow(json.loads(arg))
        return
    if action == "clean":
        clean(json.loads(arg))
        return
    if action == "qcluster":  # its workers are forked from here: they inherit the kill hooks
        call_command("qcluster")
        return
    if action == "enqueue":  # what the admin's "Sync now" and flow buttons do: tasks for the cluster
        enqueue(json.loads(arg))
        return
    raise SystemExit(f"unknown action {action!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
