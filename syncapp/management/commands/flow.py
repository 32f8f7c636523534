"""`manage.py flow <key> --person <pk> … [--option name=value …]`: run a flow action now, here."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from syncapp import services
from syncapp.models import FlowRun, Person

BOOLEAN_WORDS = {
    "yes": "true",
    "y": "true",
    "1": "true",
    "on": "true",
    "no": "false",
    "n": "false",
    "0": "false",
}


class Command(BaseCommand):
    help = (
        "Run a flow action (e.g. sync_person_to_sfdc, convert_person) for the given people now, through the "
        "same service as the admin, and print the outcome per person. Exits non-zero if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", help=f"one of: {', '.join(services.flow_actions())}")
        parser.add_argument("--person", type=int, action="append", required=True, help="a person's id")
        parser.add_argument(
            "--option", action="append", default=[], metavar="NAME=VALUE", help="an option of the action"
        )

    def handle(self, *args, **opts) -> None:
        try:
            action = services.flow_action(opts["action"])
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        form_class = action.form
        data = {
            name: field.initial for name, field in form_class().fields.items() if field.initial is not None
        }
        for pair in opts["option"]:
            name, sep, value = pair.partition("=")
            if not sep or name not in form_class.base_fields:
                known = ", ".join(form_class.base_fields) or "none"
                raise CommandError(f"--option {pair!r}: expected NAME=VALUE with NAME one of: {known}.")
            data[name] = BOOLEAN_WORDS.get(value.lower(), value)
        form = form_class(data=data)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
            raise CommandError(f"Invalid options for {action.label}: {problems}")
        people = Person.objects.in_bulk(opts["person"])
        missing = [pk for pk in opts["person"] if pk not in people]
        if missing:
            raise CommandError(f"No person with id {', '.join(map(str, missing))}.")
        runs = services.flow_run_request(
            action=action.key,
            persons=[people[pk] for pk in opts["person"]],
            options=form.options(),
            actor=None,
            foreground=True,
        )
        started = {run.person_id for run in runs}
        busy = services.flow_runs_busy(
            action=action.key, persons=[people[pk] for pk in people if pk not in started]
        )
        for pk, run in busy.items():  # a run of this action is already under way for them: not started twice
            self.stdout.write(
                f"person {pk}: not started again: flow run {run.pk} is {run.get_status_display().lower()} "
                f"since {run.started_at or run.created_at:%Y-%m-%d %H:%M:%S} (a worker that died is retried "
                f"once its task timeout has passed)."
            )
        for run in runs:
            self.stdout.write(f"person {run.person_id}: {run.get_status_display()}: {run.result}")
        bad = [run for run in runs if run.status == FlowRun.Status.FAILED]
        if bad:
            raise CommandError(f"{len(bad)} of {len(runs)} failed.")
