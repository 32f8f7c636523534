"""A run whose steps failed records says so: "Succeeded with errors", amber, and a filter finds it."""

from __future__ import annotations

from django.urls import reverse

from syncapp import services
from syncapp.models import Person, SyncRun, SyncStep

ACTOR = "admin: marketer"


def run_cycle() -> SyncRun:
    result = services.sync_cycle_run(trigger="test")
    assert result.run is not None, result.skipped_reason
    result.run.refresh_from_db()
    return result.run


def test_a_run_whose_push_was_rejected_reads_succeeded_with_errors_and_a_clean_one_does_not(
    admin_client, emulator
):
    clean = run_cycle()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    services.person_update(person=lead, changes={"phone": "call me maybe"}, actor=ACTOR)
    rejected = run_cycle()
    runs_url = reverse("admin:syncapp_syncrun_changelist")

    listing = admin_client.get(runs_url).content.decode()
    picked = admin_client.get(runs_url, {"status": "succeeded_with_errors"}).content.decode()
    plain = admin_client.get(runs_url, {"status": "succeeded"}).content.decode()
    page = admin_client.get(reverse("admin:syncapp_syncrun_change", args=[rejected.pk])).content.decode()
    steps = page[page.index('id="panel-steps"') : page.index('id="panel-errors"')]
    push = SyncStep.objects.get(run=rejected, operation=SyncStep.Operation.PUSH_UPDATES)

    assert (clean.status, rejected.status, push.failed) == ("succeeded", "succeeded", 1)
    assert listing.count("sync-badge--warning") == 1
    assert '">Succeeded with errors</span>' in listing
    assert f"/{rejected.pk}/change/" in picked
    assert f"/{clean.pk}/change/" not in picked
    assert f"/{clean.pk}/change/" in plain
    assert f"/{rejected.pk}/change/" not in plain
    assert "sync-badge--warning" in page.split('id="panel-steps"')[0], "the run's own status"
    assert steps.count("sync-badge--warning") == 1, "only the push step failed records"
    assert "sync-badge--ok" in steps


def test_a_step_that_failed_records_reads_succeeded_with_errors_in_the_step_list(admin_client, emulator):
    run_cycle()
    lead = Person.objects.filter(sfdc_type="lead", sf_deleted=False, is_converted=False).first()
    services.person_update(person=lead, changes={"phone": "call me maybe"}, actor=ACTOR)
    run_cycle()
    url = reverse("admin:syncapp_syncstep_changelist")

    listing = admin_client.get(url).content.decode()
    picked = admin_client.get(url, {"status": "succeeded_with_errors"}).content.decode()

    assert listing.count('">Succeeded with errors</span>') == 1
    assert picked.count('class="field-run_link"') == 1
    assert "Push updates Lead" in picked
