"""`make run`'s setup steps say only what helps: no "Salesforce is not configured" before the demo org."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_setup_steps_of_make_run_do_not_warn_that_salesforce_is_not_configured(run_manage, tmp_path):
    env = {"SECRET_KEY": "x" * 60, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    steps = [
        line.split("manage.py", 1)[1].split("#")[0].split()
        for line in recipe.splitlines()
        if "manage.py" in line
    ]
    assert [step[0] for step in steps] == [
        "migrate",
        "createcachetable",
        "ensure_admin",
        "ensure_schedules",
        "run_demo",
    ]

    for step in steps[:-1]:  # run_demo starts the demo org, then checks (it runs until Ctrl-C)
        result = run_manage(*step, env=env)
        assert result.returncode == 0, result.stderr
        assert "W001" not in result.stdout + result.stderr, f"manage.py {' '.join(step)} warned"


@pytest.mark.parametrize("command", ["check", "sync_now"])
def test_the_warning_still_reaches_anyone_who_asks_for_the_checks(run_manage, tmp_path, command):
    env = {"SECRET_KEY": "x" * 60, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = run_manage(command, env=env)

    assert re.search(r"syncapp\.W001", result.stdout + result.stderr)
